/**
 * Incidents (故障): a fault that retries cannot fix (a broken template, a full disk, a service down
 * for longer than the retry profile) does not end a case. The workflow records an incident on the
 * case — what failed, the error, when — keeps its stage, tells the supervisors and administrators,
 * and waits for an administrator's `retry` Update after the cause is fixed. Pure: shared by the
 * workflows, the CLI and the HTTP API.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ActorSchema } from './common';
import { Text } from '../shared/text';

export interface Incident {
  /** I1, I2, … in the order raised. */
  id: string;
  /** The step that failed, e.g. `render:opinion`, `archive`, `bulletin-2027-03`. */
  step: string;
  /** What the engine was doing, in words a person reads. */
  what: string;
  error: { type?: string; message: string };
  at: string;
  /** Attempts so far, the failed one included. */
  attempts: number;
  /** How the supervisors and administrators were told: the notice's delivery status, or none to tell. */
  notice?: 'delivered' | 'partial' | 'failed' | 'none';
  /** Set by the administrator's retry; the step then runs again. */
  retriedAt?: string;
  retriedBy?: string;
  note?: string;
}

export const RetryArgs = z.object({
  actor: ActorSchema,
  /** The incident to retry; the open one when omitted. */
  incident: z.string().trim().optional(),
  note: Text({ max: 500, label: '处理说明' }).optional(),
});
export type RetryArgs = z.infer<typeof RetryArgs>;

/** Runs the failed step again (administrators only), once its cause has been fixed. */
export const retryUpdate = defineUpdate<Incident, [RetryArgs]>('retry');

/** The open incident, if any: raised and not yet retried. */
export function openIncident(incidents: readonly Incident[] | undefined): Incident | undefined {
  return incidents?.find((i) => !i.retriedAt);
}
