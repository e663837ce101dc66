/**
 * The named activity proxies, one per retry profile. Workflows import these instead of calling
 * `proxyActivities` themselves, so a profile is decided once and every caller gets the same one.
 * Every profile refuses to retry the permanent failures of the taxonomy (workflows/shared/errors.ts).
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { MailRetryProfile } from '../shared/email';
import { PERMANENT_FAILURES } from '../shared/errors';

/** Rendering a letter: CPU-bound and local, milliseconds; a bad template is permanent. */
export const render = proxyActivities<Pick<Activities, 'renderDocument' | 'checkPlanServable'>>({
  // A worker killed mid-render is retried after this.
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT_FAILURES },
});

/** Filling the bureau's wording (mail subjects and bodies) as a local activity: runs recorded before patch `text-as-activity`. */
const localText = proxyLocalActivities<Pick<Activities, 'fillText'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT_FAILURES },
});

/** The same activity, scheduled on the server like the others. */
const remoteText = proxyActivities<Pick<Activities, 'fillText'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT_FAILURES },
});

/**
 * `fillText` for a run: a regular activity from patch `text-as-activity` on (each workflow decides
 * once at its start), the local activity for runs recorded before. Why: a workflow that fills texts
 * from two coroutines at once (the visit's receipts beside its phases, the programme's bulletin
 * beside its digest) can fail to replay with local activities in this SDK — live, their results
 * arrive in completion order, on replay in scheduling order (fixed in later sdk-core releases).
 */
export function textActivities(remote: boolean): Pick<Activities, 'fillText'> {
  return remote ? remoteText : localText;
}

/**
 * Reading the time as a local activity (patch `recorded-clock`): no task of its own, its answer a
 * marker in the history. Reading the clock does not fail; a worker too busy to answer in time is
 * asked again, without limit, as nothing may end a visit by accident.
 */
export const clockReading = proxyLocalActivities<Pick<Activities, 'readClock'>>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * Bookkeeping: the calendar snapshot, the draw, document numbers, the archive, the inboxes. Quick and
 * idempotent (numbers are keyed by request id), so they may retry for a while when the service
 * or the disk has a bad moment.
 */
export const bookkeeping = proxyActivities<
  Pick<
    Activities,
    | 'calendarSnapshot'
    | 'drawSample'
    | 'allocateDocNumber'
    | 'voidDocNumber'
    | 'letterMailed'
    | 'archiveCase'
    | 'collectTodos'
  >
>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 20, nonRetryableErrorTypes: PERMANENT_FAILURES },
});

/**
 * Mail: long backoff bounded in time, not in attempts (a county's mail server may be down for a
 * day); permanent refusals are not retried. The profile comes from the caller (tests use seconds,
 * production the default of days), so this is a function of it.
 */
export function mail(profile: MailRetryProfile) {
  return proxyActivities<Pick<Activities, 'sendLetter'>>({
    startToCloseTimeout: profile.attemptTimeoutMs,
    scheduleToCloseTimeout: profile.giveUpAfterMs,
    retry: {
      initialInterval: profile.initialIntervalMs,
      backoffCoefficient: profile.backoffCoefficient,
      maximumInterval: profile.maximumIntervalMs,
      nonRetryableErrorTypes: PERMANENT_FAILURES,
    },
  });
}

/**
 * The year's record (programme archive): it reads the programme's state and every number series by
 * Query and waits on a visit's result for each newly ended case, so it gets longer than bookkeeping.
 */
export const archiving = proxyActivities<Pick<Activities, 'archiveProgramme'>>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 20, nonRetryableErrorTypes: PERMANENT_FAILURES },
});
