/**
 * Whether a letter's mail ever left (已发出): read from the sent-log, which the mail activity writes
 * before it connects (`intent`) and as soon as a server accepts (`accepted`). Used when a visit is
 * cancelled: a number is voided (作废) only if its letter was never sent.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../workflows/shared/errors';
import { copyKey } from './message-id';
import { SentLog, SentLogCorrupt, type SentLogStore } from './sent-log';

export interface LetterMailedInput {
  workflowId: string;
  /** The mail step of the letter (`acceptance-1` …), as deliverLetter sent it. */
  step: string;
  /** Every To and Cc address of the letter. */
  recipients: string[];
}

/**
 * `sent`: a server accepted a copy. `maybe`: an attempt handed a copy over and was cut off before
 * the answer (`intent` left behind, or a connection broken after the message, RFC 1047), or is
 * still running. `never`: no copy was attempted, or every attempt failed before the server took it.
 */
export type LetterMailed = { status: 'sent' | 'maybe' | 'never'; copies: { address: string; state: string }[] };

export function createSentStatusActivities(deps: { sentLogDir: string; sentLog?: SentLogStore }) {
  const log: SentLogStore = deps.sentLog ?? new SentLog(deps.sentLogDir);
  return {
    /** What the sent-log knows of the copies of one letter (see LetterMailed). */
    async letterMailed(input: LetterMailedInput): Promise<LetterMailed> {
      const copies: LetterMailed['copies'] = [];
      let sent = false;
      let maybe = false;
      for (const address of [...new Set(input.recipients.map((a) => a.trim().toLowerCase()))]) {
        let record;
        try {
          record = await log.read(copyKey(input.workflowId, input.step, address));
        } catch (err) {
          // Without the record no one can say the letter never left: a person must look.
          if (err instanceof SentLogCorrupt)
            throw ApplicationFailure.create({
              type: FailureType.IntegrityError,
              message: err.message,
              nonRetryable: true,
            });
          throw err;
        }
        const state = record?.state ?? 'none';
        copies.push({ address, state });
        if (state === 'accepted') sent = true;
        else if (state === 'intent' || record?.ambiguous || record?.possibleDuplicate) maybe = true;
      }
      return { status: sent ? 'sent' : maybe ? 'maybe' : 'never', copies };
    },
  };
}
