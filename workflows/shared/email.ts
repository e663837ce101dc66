/**
 * Email delivery (邮件送达): the shapes the workflows, the mail activity and the tests agree on.
 * Pure: zod and string work only, no Node built-ins, so workflow code may import it.
 *
 * File bytes never travel through here: a letter's PDF is referenced by path and sha256, and the
 * worker that sends it reads and checks the file. Secrets never travel through here either: the
 * SMTP password reaches the worker from its environment (under the variable name the plan gives),
 * not from any workflow input.
 */
import { z } from 'zod';
import { SmtpSchema } from './plan';

const SHA256 = /^[0-9a-f]{64}$/;

/** A mailbox as it appears in To/Cc: optional display name (Chinese allowed) and the address. */
export const MailAddressSchema = z.object({
  name: z.string().optional(),
  /** Checked strictly by the activity: a malformed address is a permanent delivery failure. */
  address: z.string().trim().min(1),
});
export type MailAddress = z.infer<typeof MailAddressSchema>;

/** A file the worker attaches: where it is and what its bytes must hash to. */
export const AttachmentRefSchema = z.object({
  path: z.string().min(1),
  sha256: z.string().regex(SHA256, 'sha256 应为 64 位小写十六进制'),
  /** Shown to the recipient, e.g. `河洛应急指导〔2027〕3号-安全生产执法指导意见书.pdf`. */
  filename: z.string().trim().min(1),
  contentType: z.string().default('application/pdf'),
});
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;
export type AttachmentRefInput = z.input<typeof AttachmentRefSchema>;

/** What a message says. The activity renders the paragraphs as plain text and as HTML. */
export const MailContentSchema = z.object({
  subject: z.string().trim().min(1).max(300),
  paragraphs: z.array(z.string()).min(1),
  /** Right-aligned closing lines (issuing bureau, date). */
  signature: z.array(z.string()).default([]),
});
export type MailContent = z.infer<typeof MailContentSchema>;
export type MailContentInput = z.input<typeof MailContentSchema>;

/**
 * What a message says, as one of the plan's mail texts (Handlebars subject and body) and its data:
 * the mail activity fills it itself (activities/wording.ts), so no activity round trip fills it
 * first (patch `text-in-mail`). Filling is deterministic, so every copy and every retry of a copy
 * says the same; a template that cannot be filled fails the copy as a TemplateError.
 */
export const MailTextContentSchema = z.object({
  text: z.object({
    template: z.object({ subject: z.string(), body: z.string() }),
    data: z.record(z.string(), z.unknown()),
  }),
  signature: z.array(z.string()).default([]),
});
export type MailTextContentInput = z.input<typeof MailTextContentSchema>;

/**
 * Input of the `sendLetter` activity: one copy of a message for one envelope recipient.
 * (workflowId, step, recipient) names the copy; its Message-ID and its sent-log entry derive from
 * it, so a retried activity finds what an earlier attempt already sent.
 */
export const SendLetterInputSchema = z.object({
  workflowId: z.string().min(1),
  /** Unique per logical message within the workflow, e.g. `letter`, `escalation:supervise`. */
  step: z.string().min(1).max(200),
  /** The envelope recipient (RCPT TO) of this copy; must be one of `to` or `cc`. */
  recipient: z.string().trim().min(1),
  to: z.array(MailAddressSchema).min(1),
  cc: z.array(MailAddressSchema).default([]),
  content: z.union([MailContentSchema, MailTextContentSchema]),
  attachments: z.array(AttachmentRefSchema).default([]),
  /** The bureau of the plan the programme was started with: From, envelope sender, Message-ID domain. */
  sender: MailAddressSchema,
  /**
   * That plan's `smtp` block: it names the password's environment variable, never the password.
   * Absent: the worker's outbox (unless its operator configured an SMTP override).
   */
  smtp: SmtpSchema.optional(),
  /** A letter that needs a receipt (签收): the activity adds the signed link to copies for `to` addresses. */
  receiptLink: z
    .object({
      caseId: z.string().min(1),
      receipt: z.string().min(1),
      expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      dueBy: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional(),
      reminder: z.boolean().optional(),
    })
    .optional(),
});
export type SendLetterInput = z.input<typeof SendLetterInputSchema>;
export type SendLetterParsed = z.infer<typeof SendLetterInputSchema>;

export const MailTransportKind = z.enum(['smtp', 'outbox']);
export type MailTransportKind = z.infer<typeof MailTransportKind>;

/** What `sendLetter` returns once the server (or the outbox) has taken the copy. */
export const SentCopySchema = z.object({
  recipient: z.string(),
  messageId: z.string(),
  transport: MailTransportKind,
  /** ISO time the server accepted the copy (or the outbox file was written). */
  acceptedAt: z.string(),
  /** The server's final reply, e.g. `250 OK: message queued`; for the outbox, the file name. */
  response: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  /** True when an earlier attempt had already sent it and this call only read the sent-log. */
  deduplicated: z.boolean(),
  /** True when an earlier attempt died without recording its outcome, so the server may hold two copies (same Message-ID). */
  possibleDuplicate: z.boolean(),
  /** The subject the copy went out with; given when the activity filled a mail text itself. */
  subject: z.string().optional(),
  /** Attempts recorded in the sent-log for this copy, this one included. */
  attempts: z.number().int(),
});
export type SentCopy = z.infer<typeof SentCopySchema>;

/** Details attached to a delivery ApplicationFailure (first element of `details`). */
export interface DeliveryFailureDetails {
  recipient: string;
  messageId?: string;
  responseCode?: number;
  response?: string;
  /** SMTP phase that failed: CONN, MAIL FROM, RCPT TO, DATA, API … */
  command?: string;
}

export const RecipientDeliverySchema = z.object({
  address: z.string(),
  role: z.enum(['to', 'cc']),
  status: z.enum(['accepted', 'failed']),
  messageId: z.string().optional(),
  transport: MailTransportKind.optional(),
  /** When it was accepted, or when the workflow gave up on it. */
  at: z.string(),
  response: z.string().optional(),
  error: z.object({ type: z.string(), message: z.string(), responseCode: z.number().optional() }).optional(),
  deduplicated: z.boolean().default(false),
  possibleDuplicate: z.boolean().default(false),
});
export type RecipientDelivery = z.infer<typeof RecipientDeliverySchema>;

/** 送达记录: kept with the case (the calling workflow's state and history). */
export const DeliveryRecordSchema = z.object({
  workflowId: z.string(),
  step: z.string(),
  subject: z.string(),
  attachments: z.array(z.object({ filename: z.string(), sha256: z.string() })),
  /** delivered: every recipient accepted; partial: some; failed: none. */
  status: z.enum(['delivered', 'partial', 'failed']),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  recipients: z.array(RecipientDeliverySchema),
  completedAt: z.string(),
  /** The notice to the supervisors (指导组) when any recipient failed; absent when all were accepted. */
  supervisorNotice: z
    .object({
      status: z.enum(['sent', 'failed', 'skipped']),
      recipients: z.array(RecipientDeliverySchema),
    })
    .optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>;

/**
 * How long and how often the mail activity is retried. Durations in milliseconds.
 * A county's mail server may be down over a weekend; the letter must still arrive, so the default
 * keeps trying for a week, backing off to one attempt an hour.
 */
export const MailRetryProfileSchema = z.object({
  initialIntervalMs: z.number().int().positive(),
  backoffCoefficient: z.number().min(1),
  maximumIntervalMs: z.number().int().positive(),
  /** scheduleToCloseTimeout: after this the recipient is recorded as failed and the supervisors are told. */
  giveUpAfterMs: z.number().int().positive(),
  /** startToCloseTimeout of one attempt; must exceed the worker's SMTP socket timeouts. */
  attemptTimeoutMs: z.number().int().positive(),
});
export type MailRetryProfile = z.infer<typeof MailRetryProfileSchema>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Default mail profile: 1 min, 2 min, 4 min … capped at 1 h between attempts, for 7 days. */
export const MAIL_RETRY_DEFAULT: MailRetryProfile = {
  initialIntervalMs: MINUTE,
  backoffCoefficient: 2,
  maximumIntervalMs: HOUR,
  giveUpAfterMs: 7 * DAY,
  // Above the SMTP socket timeouts (30 s + 30 s + 120 s); a worker that dies mid-send leaves its
  // attempt running until this passes, and the sent-log makes the retry safe.
  attemptTimeoutMs: 4 * MINUTE,
};

/** Step suffix of the notice that tells the supervisors a delivery failed. */
export const FAILURE_NOTICE_STEP_SUFFIX = ':failure-notice';

/** `2027-05-15` → `2027年5月15日` (the form GB/T 9704 dates take). */
export function chineseDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) return isoDate;
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

export interface LetterMailFacts {
  /** 县区应急管理局全称, the salutation. */
  recipientName: string;
  /** e.g. 安全生产执法指导意见书, 督办函. */
  title: string;
  /** e.g. 河洛应急指导〔2027〕3号. */
  docNumber?: string;
  /** Issuing bureau's full name. */
  bureauName: string;
  /** Letter date, YYYY-MM-DD. */
  issuedOn: string;
  /** What is due, when: the rectification report by this date. */
  dueDate?: string;
  /** Replaces the default due sentence when the letter asks for something else. */
  dueText?: string;
  contact: { name: string; phone: string };
}

/** Subject and body of the email that carries a letter: what it is and what is due when. */
export function letterMailContent(f: LetterMailFacts): MailContentInput {
  const named = f.docNumber ? `《${f.title}》（${f.docNumber}）` : `《${f.title}》`;
  const paragraphs = [`${f.recipientName}：`, `现将${named}发给你局，正式文书见附件（PDF），请查收。`];
  if (f.dueText) paragraphs.push(f.dueText);
  else if (f.dueDate) paragraphs.push(`请认真研究，落实处理意见，并于${chineseDate(f.dueDate)}前将整改结果报告我局。`);
  paragraphs.push(`联系人：${f.contact.name}，电话：${f.contact.phone}。`);
  paragraphs.push('本邮件由系统发送，收到后如附件无法打开，请与联系人联系。');
  return {
    subject: f.docNumber ? `${f.docNumber} ${f.title}` : `${f.bureauName} ${f.title}`,
    paragraphs,
    signature: [f.bureauName, chineseDate(f.issuedOn)],
  };
}

/** The notice to the supervisors (指导组) listing the recipients a letter did not reach. */
export function failureNoticeContent(
  record: Pick<DeliveryRecord, 'subject' | 'workflowId' | 'step' | 'recipients'>,
): MailContentInput {
  const failed = record.recipients.filter((r) => r.status === 'failed');
  const lines = failed.map(
    (r) =>
      `${r.address}（${r.role === 'to' ? '收件人' : '抄送'}）：${r.error?.type ?? '失败'}，${r.error?.message ?? ''}${r.messageId ? `；Message-ID ${r.messageId}` : ''}`,
  );
  const accepted = record.recipients.filter((r) => r.status === 'accepted').map((r) => r.address);
  return {
    subject: `【送达失败】${record.subject}`,
    paragraphs: [
      '指导组：',
      `邮件“${record.subject}”未能送达下列收件人，系统已停止向其重发：`,
      ...lines,
      accepted.length ? `已送达：${accepted.join('、')}。` : '没有任何收件人收到该邮件。',
      '请核实收件邮箱，并通过电话或纸质文书等方式送达，送达情况记入案卷。',
      `工作流 ${record.workflowId}，步骤 ${record.step}。`,
    ],
    signature: [],
  };
}
