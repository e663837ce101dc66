/**
 * The programme's mail for its archive (deliveries.json): every copy as the sent-log recorded it —
 * to whom, accepted or refused, when — without the message bodies' keys and paths.
 */
import { SentLog, type SentLogRecord, type SentLogStore } from './email/sent-log';

/** One copy of the programme's mail, as the sent-log recorded it. */
export type ProgrammeDelivery = Pick<
  SentLogRecord,
  | 'step'
  | 'recipient'
  | 'state'
  | 'messageId'
  | 'transport'
  | 'attempts'
  | 'firstAttemptAt'
  | 'acceptedAt'
  | 'response'
  | 'rejected'
  | 'lastError'
  | 'possibleDuplicate'
>;

/**
 * Every sent-log record of `workflowId`'s mail, by step and recipient; none when no sent-log is
 * wired. The sent-log: its directory, or the shared one (sent-log-pg.ts).
 */
export async function readDeliveries(
  sentLog: string | SentLogStore | undefined,
  workflowId: string,
): Promise<ProgrammeDelivery[]> {
  if (!sentLog) return [];
  const log = typeof sentLog === 'string' ? new SentLog(sentLog) : sentLog;
  const out: ProgrammeDelivery[] = [];
  for (const record of await log.listWorkflow(workflowId)) {
    const {
      step,
      recipient,
      state,
      messageId,
      transport,
      attempts,
      firstAttemptAt,
      acceptedAt,
      response,
      rejected,
      lastError,
      possibleDuplicate,
    } = record;
    out.push({
      step,
      recipient,
      state,
      messageId,
      transport,
      attempts,
      firstAttemptAt,
      acceptedAt,
      response,
      rejected,
      lastError,
      possibleDuplicate,
    });
  }
  return out.sort((a, b) => a.step.localeCompare(b.step) || a.recipient.localeCompare(b.recipient));
}
