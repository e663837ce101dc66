/**
 * Turns what nodemailer throws into the project's failure taxonomy.
 *
 * Permanent (non-retryable `PermanentDeliveryFailure`): a 5xx reply to MAIL FROM, RCPT TO or DATA
 * (mailbox unknown, message refused), and an address or a message size nodemailer itself refuses.
 * Retrying cannot change those answers.
 *
 * Transient (retryable `TransientDeliveryFailure`): everything else — connection refused or reset,
 * DNS, timeouts, 4xx replies, TLS problems (including a 5xx to STARTTLS) and authentication failures. Authentication and TLS are
 * configuration faults, but they are fixed on the worker (password variable, CA file) without
 * touching the workflow; retrying means the letters go out once the operator has fixed them,
 * instead of every letter of the day being recorded as undeliverable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../workflows/shared/errors';
import type { DeliveryFailureDetails } from '../../workflows/shared/email';

/** The fields nodemailer sets on its errors (smtp-connection `_formatError`). */
export interface SmtpErrorLike {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

export interface Classified {
  permanent: boolean;
  /** The connection broke after the whole message had been written, before the final reply. */
  ambiguous: boolean;
  error: SmtpErrorLike;
}

export function classifySmtpError(err: unknown, messageStreamed: boolean): Classified {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SmtpErrorLike;
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // 5xx counts as permanent only where it speaks about this message or this recipient. A 5xx to
  // EHLO, STARTTLS or AUTH is the server refusing our configuration (no TLS offered, bad login).
  const aboutMessage = e.command === 'MAIL FROM' || e.command === 'RCPT TO' || e.command === 'DATA';
  if (e.code === 'EAUTH' || e.code === 'ETLS') return { permanent: false, ambiguous: false, error: e };
  if (aboutMessage && rc !== undefined && rc >= 500 && rc < 600) return { permanent: true, ambiguous: false, error: e };
  // nodemailer's own refusals before talking to the server: malformed recipient, message larger
  // than the server's announced SIZE.
  if (rc === undefined && e.command === 'API' && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) {
    return { permanent: true, ambiguous: false, error: e };
  }
  if (rc === undefined && e.command === 'MAIL FROM' && e.code === 'EMESSAGE')
    return { permanent: true, ambiguous: false, error: e };
  // No reply code and the data was all written: the server may have accepted before the link broke.
  return { permanent: false, ambiguous: messageStreamed && rc === undefined, error: e };
}

/** The ApplicationFailure the activity throws for a classified SMTP error. */
export function toFailure(c: Classified, recipient: string, messageId: string): ApplicationFailure {
  const details: DeliveryFailureDetails = {
    recipient,
    messageId,
    ...(c.error.responseCode !== undefined ? { responseCode: c.error.responseCode } : {}),
    ...(c.error.response ? { response: c.error.response } : {}),
    ...(c.error.command ? { command: c.error.command } : {}),
  };
  const reason = c.error.response ?? c.error.message ?? '未知错误';
  if (c.permanent) {
    return ApplicationFailure.create({
      type: FailureType.PermanentDeliveryFailure,
      message: `收件人 ${recipient} 被拒收（${c.error.command ?? 'SMTP'}）：${reason}`,
      nonRetryable: true,
      details: [details],
    });
  }
  const what = c.error.code === 'EAUTH' ? 'SMTP 登录失败，请检查用户名和口令环境变量' : '暂时无法送出';
  return ApplicationFailure.create({
    type: FailureType.TransientDeliveryFailure,
    message: `${what}（${recipient}，${c.error.code ?? 'ERROR'}）：${reason}`,
    nonRetryable: false,
    details: [details],
  });
}

/** A permanent failure for an address that is not a mailbox; the server is never contacted. */
export function malformedAddress(recipient: string, messageId: string): ApplicationFailure {
  const details: DeliveryFailureDetails = { recipient, messageId, command: 'API' };
  return ApplicationFailure.create({
    type: FailureType.PermanentDeliveryFailure,
    message: `收件地址格式不正确：${JSON.stringify(recipient)}`,
    nonRetryable: true,
    details: [details],
  });
}
