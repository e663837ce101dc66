/**
 * The programme's mail for its archive (deliveries.json): every copy as the sent-log recorded it —
 * to whom, accepted or refused, when — without the message bodies' keys and paths.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SentLogRecordSchema, type SentLogRecord } from './email/sent-log';

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

/** Every sent-log record of `workflowId`'s mail, by step and recipient; none when no sent-log is wired. */
export async function readDeliveries(sentLogDir: string | undefined, workflowId: string): Promise<ProgrammeDelivery[]> {
  if (!sentLogDir) return [];
  const names = await fs.readdir(sentLogDir).catch(() => [] as string[]);
  const out: ProgrammeDelivery[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
    const parsed = SentLogRecordSchema.safeParse(
      await fs.readFile(path.join(sentLogDir, name), 'utf8').then(JSON.parse, () => undefined),
    );
    if (!parsed.success || parsed.data.workflowId !== workflowId) continue;
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
    } = parsed.data;
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
