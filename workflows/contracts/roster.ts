/**
 * Correcting a county's enterprise roster (更正企业名单) before the visit's draw (双随机). A county
 * added with an empty or duplicated roster reaches the draw, which refuses it: an incident whose
 * retry would re-run the same immutable input forever. An administrator or a supervisor of the
 * plan stores a corrected roster on the case; the draw's retry then draws from it. Pure.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ActorSchema } from './common';
import { EnterpriseSchema, rosterSchema, type Enterprise } from '../shared/plan';
import { Text } from '../shared/text';

/** Validated exactly like a plan county's roster: the same enterprise schema and `rosterProblems`. */
export const CorrectRosterArgs = z.object({
  actor: ActorSchema,
  enterprises: rosterSchema(EnterpriseSchema),
  reason: Text({ min: 2, max: 500, label: '更正理由', tooShort: '更正企业名单须写明理由（至少 2 个字）' }),
});
export type CorrectRosterArgs = z.input<typeof CorrectRosterArgs>;

/** One correction, as the case records it and the Update answers (the roster itself is on the case). */
export interface RosterCorrection {
  by: string;
  at: string;
  reason: string;
  /** How many enterprises the corrected roster lists. */
  enterprises: number;
}

/** The roster the draw uses: the latest correction, else the plan's. */
export function rosterInForce(corrected: Enterprise[] | undefined, planned: Enterprise[]): Enterprise[] {
  return corrected ?? planned;
}

export const correctRosterUpdate = defineUpdate<RosterCorrection, [CorrectRosterArgs]>('correctRoster');
