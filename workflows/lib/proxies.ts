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

/** Filling the bureau's wording (mail subjects and bodies): pure text work, kept out of the server's round trips. */
export const text = proxyLocalActivities<Pick<Activities, 'fillText'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT_FAILURES },
});

/**
 * Bookkeeping: the calendar snapshot, the draw, document numbers, the archive, the inboxes. Quick and
 * idempotent (numbers are keyed by request id), so they may retry for a while when the service
 * or the disk has a bad moment.
 */
export const bookkeeping = proxyActivities<Pick<Activities, 'calendarSnapshot' | 'drawSample' | 'allocateDocNumber' | 'voidDocNumber' | 'archiveCase' | 'collectTodos'>>({
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
