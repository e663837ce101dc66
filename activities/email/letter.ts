/**
 * What one copy of a letter says and records: the sender checked, the plan's mail text filled, the
 * receipt link's paragraph added to the text, and the SentCopy the workflow gets back from a sent-log record.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { FailureType } from '../../workflows/shared/errors';
import {
  MailContentSchema,
  type MailAddress,
  type MailContent,
  type SendLetterParsed,
  type SentCopy,
} from '../../workflows/shared/email';
import { fillTextSync } from '../wording';
import { receiptUrl, type ReceiptLinkSettings } from './receipt-link';
import { type SentLogRecord } from './sent-log';

const Mailbox = z.email();

/** True for a single plain mailbox `local@domain.tld`; no display name, no list. */
export function isMailbox(address: string): boolean {
  return Mailbox.safeParse(address).success;
}

/**
 * The letter's text with the signed receipt link added as its last paragraph, for a letter that
 * asks for a receipt and a worker that can sign; deterministic, so a resent copy is identical.
 */
export function withReceiptLink(
  msg: SendLetterParsed & { content: MailContent },
  links: ReceiptLinkSettings | undefined,
): MailContent {
  if (!msg.receiptLink || !links) return msg.content;
  return {
    ...msg.content,
    paragraphs: [...msg.content.paragraphs, receiptParagraph(msg.receiptLink, receiptUrl(links, msg.receiptLink))],
  };
}

/**
 * The receipt paragraph. It asks by the receipt's 签收期限 — the date the case shows and the
 * reminder counts from — never by the link's last valid day, which it names only when that comes
 * first. A step scheduled before the deadline travelled with the link keeps its old text, so a
 * retried copy is identical to the first.
 */
export function receiptParagraph(link: NonNullable<SendLetterParsed['receiptLink']>, url: string): string {
  const zh = (date: string) => {
    const [y, m, d] = date.split('-').map(Number);
    return `${y}年${m}月${d}日`;
  };
  if (!link.dueBy) return `请于${zh(link.expires)}前点击以下链接签收本文书（链接仅可使用一次）：${url}`;
  const shortLink = link.expires < link.dueBy;
  if (link.reminder) {
    // Sent after the deadline: a link that ended before it cannot be used any more.
    if (link.expires <= link.dueBy) return `本文书应于${zh(link.dueBy)}前签收，现已逾期，请尽快登录执法指导平台签收。`;
    return `本文书应于${zh(link.dueBy)}前签收，现已逾期，请尽快点击以下链接签收（链接仅可使用一次）：${url}`;
  }
  const until = shortLink ? `，${zh(link.expires)}后失效，失效后请登录执法指导平台签收` : '';
  return `请于${zh(link.dueBy)}前点击以下链接签收本文书（链接仅可使用一次${until}）：${url}`;
}

/** The plan's sender, checked: a malformed one is the plan's fault, never worth a retry. */
export function senderOf(sender: MailAddress): MailAddress & { address: string } {
  const address = sender.address.trim();
  if (!isMailbox(address)) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      message: `发件地址格式不正确：${sender.address}`,
      nonRetryable: true,
    });
  }
  return { ...(sender.name ? { name: sender.name } : {}), address };
}

export function toCopy(r: SentLogRecord, deduplicated: boolean): SentCopy {
  return {
    recipient: r.recipient,
    messageId: r.messageId,
    transport: r.transport,
    acceptedAt: r.acceptedAt ?? r.lastAttemptAt,
    response: r.response ?? '',
    accepted: r.accepted ?? [],
    rejected: r.rejected ?? [],
    deduplicated,
    possibleDuplicate: r.possibleDuplicate ?? false,
    attempts: r.attempts,
  };
}

/**
 * The copy's content: as given, or one of the plan's mail texts filled here (patch `text-in-mail`),
 * then checked like given content. A template that cannot be filled is a TemplateError and filled
 * content the schema refuses (an empty subject) is InvalidInput: both permanent, retrying cannot
 * change them.
 */
export function mailContent(content: SendLetterParsed['content']): MailContent {
  if (!('text' in content)) return content;
  const filled = fillTextSync(content.text);
  const checked = MailContentSchema.safeParse({ ...filled, signature: content.signature });
  if (!checked.success) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      message: `邮件正文不正确：${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`,
      nonRetryable: true,
    });
  }
  return checked.data;
}
