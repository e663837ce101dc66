/**
 * Workflow-side email delivery: `deliverLetter` sends one copy per recipient through the mail
 * activity and returns the 送达记录 (DeliveryRecord) for the caller to keep with the case.
 *
 * Why one copy per recipient: the sent-log and the Message-ID are per (workflow, step, recipient),
 * so each recipient is retried, deduplicated and refused on its own. With one multi-recipient
 * message, a 550 for the leader on Cc or a 4xx for one county mailbox would drag the others into
 * the same retry or failure. Every copy still carries the full To and Cc headers, so a county sees
 * that the leader was copied on an escalation.
 *
 * Failures never fail the calling workflow. A permanent refusal (PermanentDeliveryFailure, bad
 * address, altered attachment) or giving up after the profile's `giveUpAfterMs` is recorded in the
 * DeliveryRecord as a failed recipient, and the supervisors (指导组) are emailed a notice through
 * the same activity (step `<step>:failure-notice`). The caller must store the returned record and
 * can act on `status` (e.g. arrange paper delivery); the notice's own outcome is in
 * `record.supervisorNotice`.
 *
 * Deterministic: imports only activity types and pure shared modules.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import { mail as mailProxy, textActivities } from './proxies';
import { DAY_MS } from '../shared/clock';
import { FailureType } from '../shared/errors';
import type { ReceiptLinkRef } from '../contracts/receipts';
import type { Plan, Smtp } from '../shared/plan';
import {
  FAILURE_NOTICE_STEP_SUFFIX,
  MAIL_RETRY_DEFAULT,
  failureNoticeContent,
  type AttachmentRefInput,
  type DeliveryFailureDetails,
  type DeliveryRecord,
  type MailAddress,
  type MailContentInput,
  type MailRetryProfile,
  type MailTextContentInput,
  type RecipientDelivery,
  type SendLetterInput,
} from '../shared/email';

/**
 * How the plan the programme was started with mails: its bureau as sender and its `smtp` block
 * (which names the password's variable, never the password). Travels in every sendLetter input, so
 * a worker that loaded no plan, or another one, still mails from this plan's bureau.
 */
export interface MailSettings {
  sender: MailAddress;
  smtp?: Smtp;
}

/** The mail settings of a plan: `deliverLetter({ …, mail: mailSettings(plan) })`. */
export function mailSettings(plan: Pick<Plan, 'bureau' | 'smtp'>): MailSettings {
  return { sender: { name: plan.bureau.name, address: plan.bureau.email }, ...(plan.smtp ? { smtp: plan.smtp } : {}) };
}

export interface DeliverLetterRequest {
  /** Unique per logical message within this workflow (`letter`, `escalation:supervise` …). */
  step: string;
  to: MailAddress[];
  /** E.g. the leader (分管局领导) on escalations. */
  cc?: MailAddress[];
  /** The text as given, or a plan's mail text the mail activity fills (patch `text-in-mail`). */
  content: MailContentInput | MailTextContentInput;
  /** Path + sha256 of the rendered PDF; never its bytes. */
  attachments?: AttachmentRefInput[];
  /** Told by email when any recipient cannot be reached. */
  supervisors: MailAddress[];
  /** Overrides of MAIL_RETRY_DEFAULT (tests use seconds; production keeps days). */
  retry?: Partial<MailRetryProfile>;
  /** Sender and SMTP setting of the plan (`mailSettings(plan)`); the failure notice uses them too. */
  mail: MailSettings;
  /** The receipt (签收) the letter asks for; its signed link goes to the `to` addresses. */
  receiptLink?: ReceiptLinkRef;
}

/** Sends the letter to every To/Cc address, tells the supervisors about failures, returns the 送达记录. */
export async function deliverLetter(req: DeliverLetterRequest): Promise<DeliveryRecord> {
  if (req.to.length === 0) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      message: `邮件没有收件人（${req.step}）`,
      nonRetryable: true,
    });
  }
  const profile: MailRetryProfile = { ...MAIL_RETRY_DEFAULT, ...req.retry };
  const record = await sendCopies(
    profile,
    req.mail,
    req.step,
    req.to,
    req.cc ?? [],
    req.content,
    req.attachments ?? [],
    req.receiptLink,
  );
  if (record.rejected.length === 0) return record;

  log.warn('邮件未能送达部分收件人', { step: req.step, rejected: record.rejected });
  if (req.supervisors.length === 0) return { ...record, supervisorNotice: { status: 'skipped', recipients: [] } };
  const notice = await sendCopies(
    profile,
    req.mail,
    `${req.step}${FAILURE_NOTICE_STEP_SUFFIX}`,
    req.supervisors,
    [],
    failureNoticeContent(record),
    [],
  );
  return {
    ...record,
    supervisorNotice: { status: notice.accepted.length > 0 ? 'sent' : 'failed', recipients: notice.recipients },
  };
}

async function sendCopies(
  profile: MailRetryProfile,
  mail: MailSettings,
  step: string,
  to: MailAddress[],
  cc: MailAddress[],
  content: MailContentInput | MailTextContentInput,
  attachments: AttachmentRefInput[],
  receiptLink?: ReceiptLinkRef,
): Promise<DeliveryRecord> {
  const { sendLetter } = mailProxy(profile);
  const { workflowId } = workflowInfo();
  const base: Omit<SendLetterInput, 'recipient'> = {
    workflowId,
    step,
    to,
    cc,
    content,
    attachments,
    sender: mail.sender,
    ...(mail.smtp ? { smtp: mail.smtp } : {}),
  };

  // One copy per distinct address; an address on both To and Cc is a To recipient.
  const seen = new Set<string>();
  const targets: { address: string; role: 'to' | 'cc' }[] = [];
  for (const [role, list] of [
    ['to', to],
    ['cc', cc],
  ] as const) {
    for (const a of list) {
      const k = a.address.trim().toLowerCase();
      if (seen.has(k)) continue;
      seen.add(k);
      targets.push({ address: a.address.trim(), role });
    }
  }

  const subjects: (string | undefined)[] = [];
  const recipients = await Promise.all(
    targets.map(async ({ address, role }): Promise<RecipientDelivery> => {
      try {
        const c = await sendLetter({
          ...base,
          recipient: address,
          ...(receiptLink && role === 'to' ? { receiptLink } : {}),
        });
        subjects.push(c.subject);
        return {
          address,
          role,
          status: 'accepted',
          messageId: c.messageId,
          transport: c.transport,
          at: c.acceptedAt,
          response: c.response,
          deduplicated: c.deduplicated,
          possibleDuplicate: c.possibleDuplicate,
        };
      } catch (err) {
        if (isCancellation(err)) throw err;
        // A mail text that cannot be filled fails every copy alike: the caller's step opens an
        // incident for it, as when the text was filled before the mail.
        if ('text' in content && failureType(err) === FailureType.TemplateError) throw err;
        return failedDelivery(err, address, role, profile);
      }
    }),
  );

  const accepted = recipients.filter((r) => r.status === 'accepted').map((r) => r.address);
  const rejected = recipients.filter((r) => r.status === 'failed').map((r) => r.address);
  return {
    workflowId,
    step,
    subject: 'text' in content ? (subjects.find((x) => x) ?? (await subjectOf(content))) : content.subject,
    attachments: attachments.map((a) => ({ filename: a.filename, sha256: a.sha256 })),
    status: rejected.length === 0 ? 'delivered' : accepted.length === 0 ? 'failed' : 'partial',
    accepted,
    rejected,
    recipients,
    completedAt: new Date().toISOString(),
  };
}

/**
 * The subject of a mail text no copy went out with (every recipient failed), for the record and
 * the supervisors' notice: filled by the text activity, the one round trip a failure costs.
 */
async function subjectOf(content: MailTextContentInput): Promise<string> {
  return (await textActivities(true).fillText(content.text)).subject;
}

/** The type of an activity's failure (its ApplicationFailure cause), if it has one. */
function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** The failed RecipientDelivery for an activity failure: permanent refusal or retries exhausted. */
function failedDelivery(
  err: unknown,
  address: string,
  role: 'to' | 'cc',
  profile: MailRetryProfile,
): RecipientDelivery {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // Retries ran out: the server stops retrying when the next attempt would start after the
  // scheduleToClose deadline (retryState TIMEOUT, cause = the last attempt's failure), or the
  // deadline passes during an attempt (cause = TimeoutFailure).
  const gaveUp =
    (err instanceof ActivityFailure &&
      (err.retryState === 'TIMEOUT' || err.retryState === 'MAXIMUM_ATTEMPTS_REACHED')) ||
    cause instanceof TimeoutFailure;
  const last = cause instanceof TimeoutFailure ? cause.cause : cause;
  const app = last instanceof ApplicationFailure ? last : undefined;
  let type: string = app?.type ?? FailureType.TransientDeliveryFailure;
  let message = last instanceof Error ? last.message : err instanceof Error ? err.message : String(err);
  if (gaveUp) {
    type = FailureType.TransientDeliveryFailure;
    const days = Math.round((profile.giveUpAfterMs / DAY_MS) * 10) / 10;
    const span = days >= 1 ? `${days} 天` : `${Math.round(profile.giveUpAfterMs / 1000)} 秒`;
    message = `重试 ${span}后仍未送达，已停止重试；最后一次错误：${message}`;
  }
  const details = app?.details?.[0] as DeliveryFailureDetails | undefined;
  return {
    address,
    role,
    status: 'failed',
    ...(details?.messageId ? { messageId: details.messageId } : {}),
    at: new Date().toISOString(),
    ...(details?.response ? { response: details.response } : {}),
    error: { type, message, ...(details?.responseCode !== undefined ? { responseCode: details.responseCode } : {}) },
    deduplicated: false,
    possibleDuplicate: false,
  };
}
