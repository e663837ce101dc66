/**
 * Builds the MIME bytes of one copy. nodemailer's MailComposer does the encoding: the Chinese
 * subject and display names as RFC 2047 encoded-words, bodies as UTF-8 base64, and the attachment
 * name twice — RFC 2231 `filename*=utf-8''…` in Content-Disposition (what the standards and modern
 * clients read) and RFC 2047 `name="=?UTF-8?B?…?="` in Content-Type (what older Outlook and many
 * webmail clients read) — so the recipient sees `河洛应急指导〔2027〕3号-….pdf`, not `ATT00001.bin`.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../workflows/shared/errors';
import type { AttachmentRef, MailAddress, MailContent } from '../../workflows/shared/email';
import { keyOfPath, readObject } from '../archive-store';
import type { ObjectStore } from '../storage/object-store';

/** Plain-text body: paragraphs indented two full-width spaces (the salutation is not), then the signature. */
export function renderText(content: MailContent): string {
  const body = content.paragraphs.map((p, i) => (i === 0 ? p : `\u3000\u3000${p}`));
  const lines = [...body];
  if (content.signature.length) lines.push('', ...content.signature);
  return `${lines.join('\n')}\n`;
}

/** HTML body of the same text, every string escaped. */
export function renderHtml(content: MailContent): string {
  const p = content.paragraphs.map(
    (text, i) => `<p style="margin:0 0 0.6em;${i === 0 ? '' : 'text-indent:2em;'}">${escapeHtml(text)}</p>`,
  );
  const sig = content.signature.map((text) => `<p style="margin:0;text-align:right;">${escapeHtml(text)}</p>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    `<title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="font-family:FangSong,STFangsong,\'Noto Serif CJK SC\',serif;font-size:16px;line-height:1.8;">',
    ...p,
    ...(sig.length ? ['<div style="margin-top:1.5em;">', ...sig, '</div>'] : []),
    '</body></html>',
    '',
  ].join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export interface LoadedAttachment {
  ref: AttachmentRef;
  content: Buffer;
}

/**
 * Reads each attachment and checks its sha256: a missing or altered file is never sent. With the
 * archive's store, a letter is read by its key there (`<caseId>/<file>`, the last two segments of
 * its recorded path: another worker's absolute path in old runs), so any worker can attach any
 * letter; without one, `path` is a file on this host (tests, tools).
 */
export async function loadAttachments(refs: AttachmentRef[], archive?: ObjectStore): Promise<LoadedAttachment[]> {
  const out: LoadedAttachment[] = [];
  for (const ref of refs) {
    const missing = () =>
      ApplicationFailure.create({
        type: FailureType.IntegrityError,
        message: `附件文件不存在：${ref.filename}`,
        nonRetryable: true,
      });
    let content: Buffer;
    if (archive) {
      const key = keyOfPath(ref.path);
      const bytes = key === undefined ? undefined : await readObject(archive, key);
      if (bytes === undefined) throw missing();
      // The store's own check failed: the bytes are not the ones written, as altered as any.
      content = bytes === 'corrupt' ? Buffer.alloc(0) : bytes;
    } else {
      try {
        content = await fs.readFile(ref.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing();
        throw err; // EIO, EMFILE …: worth a retry
      }
    }
    const actual = createHash('sha256').update(content).digest('hex');
    if (actual !== ref.sha256) {
      throw ApplicationFailure.create({
        type: FailureType.IntegrityError,
        message: `附件内容与记录的 sha256 不符：${ref.filename}（记录 ${ref.sha256.slice(0, 12)}…，实际 ${actual.slice(0, 12)}…）`,
        nonRetryable: true,
      });
    }
    out.push({ ref, content });
  }
  return out;
}

export interface ComposeArgs {
  /** The plan's bureau (its name shown, its address the sender). */
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  content: MailContent;
  attachments: LoadedAttachment[];
  messageId: string;
  date: Date;
  /** Fixes the multipart boundaries so a re-built copy is byte-identical. */
  boundarySeed: string;
  /** Extra headers (the outbox adds X-Envelope-To). */
  headers?: Record<string, string>;
}

/** The complete RFC 5322 message, CRLF line ends. */
export async function composeMessage(a: ComposeArgs): Promise<Buffer> {
  const address = (m: MailAddress): Mail.Address | string =>
    m.name ? { name: m.name, address: m.address } : m.address;
  const composer = new MailComposer({
    from: address(a.from),
    to: a.to.map(address),
    cc: a.cc.length ? a.cc.map(address) : undefined,
    subject: a.content.subject,
    text: renderText(a.content),
    html: renderHtml(a.content),
    messageId: a.messageId,
    date: a.date,
    headers: a.headers,
    attachments: a.attachments.map((att) => ({
      filename: att.ref.filename,
      content: att.content,
      contentType: att.ref.contentType,
      contentDisposition: 'attachment' as const,
    })),
  });
  const root = composer.compile();
  root.baseBoundary = a.boundarySeed;
  return root.build();
}
