/**
 * The mail activity (邮件送达), built over injected dependencies so the worker wires the real SMTP
 * server and the tests wire a loopback one.
 *
 * Exactly once, as far as SMTP allows: every copy has a deterministic Message-ID from
 * (workflowId, step, recipient) and a durable sent-log entry. An attempt
 *   1. returns the recorded result without sending when the log says `accepted`;
 *   2. writes `intent` (fsync) before it connects;
 *   3. writes `accepted` (fsync) as soon as the server has said 250, before returning to Temporal.
 * A retry after step 3 — the worker died, or Temporal never got the result — sends nothing. The
 * window left is between the server's 250 and the fsync of step 3 (and a link that breaks after the
 * message was written but before the 250, RFC 1047): a retry then sends a second, byte-identical
 * copy with the same Message-ID and the delivery record says `possibleDuplicate`. A lost letter
 * is worse than a duplicate the receiver can recognise, so that window resends rather than drops.
 * The copy's text and record: letter.ts; the sent-log: sent-log.ts; the transports: transport.ts.
 */
import type { ConnectionOptions } from 'node:tls';
import { ApplicationFailure } from '@temporalio/common';
import { secret as envSecret, type SmtpOverride } from '../../config/env';
import { FailureType } from '../../workflows/shared/errors';
import {
  SendLetterInputSchema,
  type MailAddress,
  type SendLetterInput,
  type SentCopy,
} from '../../workflows/shared/email';
import { classifySmtpError, malformedAddress, toFailure } from './classify';
import { composeMessage, loadAttachments } from './compose';
import { copyKey, messageIdFor } from './message-id';
import { type ReceiptLinkSettings } from './receipt-link';
import { SentLog, SentLogCorrupt, type SentLogRecord, type SentLogStore } from './sent-log';
import { isMailbox, mailContent, senderOf, toCopy, withReceiptLink } from './letter';
import { MailTransports } from './settings';
import type { ObjectStore } from '../storage/object-store';
import {
  DEFAULT_SMTP_TIMEOUTS,
  outboxFileName,
  sendViaSmtp,
  writeToOutbox,
  type Handed,
  type SmtpTimeouts,
} from './transport';

export type { SmtpConfig, SmtpTimeouts } from './transport';
export { MailTransports, effectiveSmtp } from './settings';
export { isMailbox, receiptParagraph, senderOf } from './letter';

/** Which copy a hook is called for. */
export interface CopyRef {
  workflowId: string;
  step: string;
  recipient: string;
  messageId: string;
  attempt: number;
}

export interface EmailDeps {
  /**
   * The operator's worker-wide override of every plan's `smtp` block (SMTP_HOST/PORT/SECURITY/USER),
   * field by field; with a host it also gives plans without a block an SMTP server. Empty or
   * absent: each copy goes the way its plan says. See settings.ts.
   */
  smtpOverride?: SmtpOverride;
  /** Reads the password variable a plan's `smtp.passwordEnv` names; default: the worker's environment. */
  secret?: (name: string) => string | undefined;
  /** Where `.eml` files go when a plan names no SMTP server (unless `outbox` is given). */
  outboxDir: string;
  /** The outbox as a store instead (`outbox/` of the process store, in a cluster); absent: `outboxDir`. */
  outbox?: ObjectStore;
  /**
   * The archive's store (archive-store.ts `archiveIn`): attachments are read there by key, so any
   * worker attaches any letter. Absent: an attachment's `path` is a file on this host (tests, tools).
   */
  archive?: ObjectStore;
  /** Durable sent-log directory; must be shared by every worker that runs the mail activity. */
  sentLogDir: string;
  /**
   * The sent-log in a database shared by every worker (sent-log-pg.ts, GUIDANCE_DATABASE_URL);
   * when given, `sentLogDir` is not used. Absent: the local files under `sentLogDir`.
   */
  sentLog?: SentLogStore;
  /** Extra TLS options, e.g. `{ ca }` for a bureau's private CA. */
  tls?: ConnectionOptions;
  timeouts?: Partial<SmtpTimeouts>;
  /** Signs the receipt link (签收链接) a letter asks for; without it the county acknowledges in its portal. */
  receiptLinks?: ReceiptLinkSettings;
  now?: () => Date;
  /**
   * Test hooks at the two points that matter for exactly-once; a hook that throws simulates the
   * worker dying there. Never set in production.
   */
  hooks?: {
    /** The server has accepted; the sent-log does not know yet (the residual window). */
    afterAccepted?: (copy: CopyRef) => void | Promise<void>;
    /** The sent-log says accepted; Temporal does not know yet. */
    afterRecorded?: (copy: CopyRef) => void | Promise<void>;
  };
}

/** Builds `{ sendLetter }` over the given dependencies. */
export function createEmailActivities(deps: EmailDeps) {
  const log: SentLogStore = deps.sentLog ?? new SentLog(deps.sentLogDir);
  const now = deps.now ?? (() => new Date());
  const transports = createMailTransports(deps);

  /**
   * Sends one copy of a letter to one envelope recipient, at most once per
   * (workflowId, step, recipient) as far as SMTP allows; see the module comment.
   */
  async function sendLetter(input: SendLetterInput): Promise<SentCopy> {
    const parsed = SendLetterInputSchema.safeParse(input);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: FailureType.InvalidInput,
        message: `邮件参数不正确：${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`,
        nonRetryable: true,
      });
    }
    const msg = { ...parsed.data, content: mailContent(parsed.data.content) };
    const sender = senderOf(msg.sender);
    const recipient = msg.recipient.trim();
    const key = copyKey(msg.workflowId, msg.step, recipient);
    const messageId = messageIdFor(key, sender.address);
    if (!isMailbox(recipient)) throw malformedAddress(recipient, messageId);

    const listed = [...msg.to, ...msg.cc].some((a) => a.address.trim().toLowerCase() === recipient.toLowerCase());
    if (!listed) {
      throw ApplicationFailure.create({
        type: FailureType.InvalidInput,
        message: `收件人 ${recipient} 不在 To/Cc 中`,
        nonRetryable: true,
      });
    }

    return log.withLock(key, async () => {
      const prev = await readLog(key);
      if (prev?.state === 'accepted') return { ...toCopy(prev, true), subject: msg.content.subject };
      // The plan's SMTP setting (or the outbox); a plan this worker cannot serve fails before
      // anything is recorded, but a copy already sent is still reported as sent.
      const via = transports.resolve(msg.smtp);
      const transport = via.kind;

      const startedAt = now();
      const attempt = (prev?.attempts ?? 0) + 1;
      const date = prev?.date ?? startedAt.toISOString();
      // An earlier attempt that left `intent` died with the message possibly handed over; one that
      // broke after writing the whole message may have been accepted. Outbox copies are rewritten
      // in place, so they can never duplicate.
      const possibleDuplicate =
        transport === 'smtp' &&
        (prev?.state === 'intent' || prev?.ambiguous === true || prev?.possibleDuplicate === true);

      // Reading and checking the attachment first: a bad file fails before anything is recorded.
      const attachments = await loadAttachments(msg.attachments, deps.archive);
      const headerList = (list: MailAddress[]) => list.filter((a) => isMailbox(a.address.trim()));
      const raw = await composeMessage({
        from: sender,
        to: headerList(msg.to),
        cc: headerList(msg.cc),
        content: withReceiptLink(msg, deps.receiptLinks),
        attachments,
        messageId,
        date: new Date(date),
        boundarySeed: key.slice(32, 48),
        headers: transport === 'outbox' ? { 'X-Envelope-To': recipient } : undefined,
      });

      const base: SentLogRecord = {
        version: 1,
        key,
        messageId,
        workflowId: msg.workflowId,
        step: msg.step,
        recipient,
        state: 'intent',
        transport,
        attempts: attempt,
        date,
        firstAttemptAt: prev?.firstAttemptAt ?? startedAt.toISOString(),
        lastAttemptAt: startedAt.toISOString(),
        ...(possibleDuplicate ? { possibleDuplicate } : {}),
      };
      await log.write(base);
      const ref: CopyRef = { workflowId: msg.workflowId, step: msg.step, recipient, messageId, attempt };

      let handed: Handed;
      let streamed = false;
      try {
        if (via.kind === 'smtp') {
          handed = await sendViaSmtp(via.transport, { from: sender.address, to: recipient }, raw, () => {
            streamed = true;
          });
        } else {
          const out = await writeToOutbox(
            deps.outbox ?? deps.outboxDir,
            outboxFileName(msg.workflowId, msg.step, recipient, key),
            raw,
          );
          handed = { ...out, accepted: [recipient] };
        }
      } catch (err) {
        const c = classifySmtpError(err, streamed);
        await log.write({
          ...base,
          state: c.permanent ? 'rejected' : 'failed',
          lastError: {
            message: c.error.message ?? String(err),
            ...(c.error.code ? { code: c.error.code } : {}),
            ...(c.error.responseCode !== undefined ? { responseCode: c.error.responseCode } : {}),
            ...(c.error.command ? { command: c.error.command } : {}),
          },
          // Once ambiguous, stays so: a later clean failure does not prove the earlier copy was lost.
          ...(c.ambiguous || prev?.ambiguous ? { ambiguous: true } : {}),
        });
        throw toFailure(c, recipient, messageId);
      }

      await deps.hooks?.afterAccepted?.(ref);
      const accepted: SentLogRecord = {
        ...base,
        state: 'accepted',
        acceptedAt: now().toISOString(),
        response: handed.response,
        accepted: handed.accepted,
        rejected: handed.rejected,
      };
      await log.write(accepted);
      await deps.hooks?.afterRecorded?.(ref);
      return { ...toCopy(accepted, false), subject: msg.content.subject };
    });
  }

  async function readLog(key: string): Promise<SentLogRecord | undefined> {
    try {
      return await log.read(key);
    } catch (err) {
      if (err instanceof SentLogCorrupt) {
        // Without the record we cannot know whether the copy went out; a person must look.
        throw ApplicationFailure.create({ type: FailureType.IntegrityError, message: err.message, nonRetryable: true });
      }
      throw err;
    }
  }

  return { sendLetter };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;
/** The transports of the mail activity over its dependencies (also used by checkPlanServable). */
export function createMailTransports(
  deps: Pick<EmailDeps, 'smtpOverride' | 'secret' | 'tls' | 'timeouts'>,
): MailTransports {
  return new MailTransports({
    ...(deps.smtpOverride ? { smtpOverride: deps.smtpOverride } : {}),
    secret: deps.secret ?? ((name) => envSecret(name)),
    ...(deps.tls ? { tls: deps.tls } : {}),
    timeouts: { ...DEFAULT_SMTP_TIMEOUTS, ...deps.timeouts },
  });
}
