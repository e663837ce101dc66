/**
 * Correcting a county's mailboxes (更正县区收件邮箱) on a running visit. A county address that
 * refuses mail (closed mailbox, typo in the plan) does not stop the case — the delivery record says
 * failed and the supervisors are told — but every later letter would fail the same way, and no
 * programme Update reaches a visit already started. The corrected addresses are used by every
 * letter mailed after the correction. Pure.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ActorSchema } from './common';
import { CountySchema } from '../shared/plan';
import { Text } from '../shared/text';

/** Checked like a plan county's `emails`, with a maximum. */
export const CorrectCountyEmailsArgs = z.object({
  actor: ActorSchema,
  emails: CountySchema.shape.emails.max(10, '收件邮箱不超过 10 个'),
  reason: Text({ min: 2, max: 500, label: '更正理由', tooShort: '更正收件邮箱须写明理由（至少 2 个字）' }),
});
export type CorrectCountyEmailsArgs = z.input<typeof CorrectCountyEmailsArgs>;

/** The Update's answer (回执). */
export interface CountyEmailsCorrected {
  by: string;
  at: string;
  emails: string[];
}

export const correctCountyEmailsUpdate = defineUpdate<CountyEmailsCorrected, [CorrectCountyEmailsArgs]>(
  'correctCountyEmails',
);
