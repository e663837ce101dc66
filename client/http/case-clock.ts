/**
 * The case's clock on the dashboard. A case records instants (audit times, mails, reports, the
 * notice's delivery) as real time; in a practice year (演练) its calendar runs compressed, so shown
 * as they are those instants read as today's real date beside the simulated dates of everything
 * else. Each is shown as the same point of its simulated day (`Clock.caseInstant`), and every date
 * on a page — timeline, documents table, reports, mails — is the case's own. A real deployment's
 * clock is real time: nothing changes.
 */
import { Clock } from '../../workflows/shared/clock';
import type { PracticeMode } from './practice';

/** The cases' clock: the practice year's compressed one, else real time. */
export function caseClock(practice: PracticeMode | undefined): Clock {
  return practice ? Clock.compressed(practice.timeScale, practice.epochMs) : Clock.real();
}

/** A recorded instant as the case stores it (`new Date().toISOString()`). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** Only fields named as instants are read as such (`at`, `sentAt`, `completedAt`, …), never people's text. */
const INSTANT_KEY = /^at$|At$/;

/** `value` with each recorded instant moved onto the practice clock; the value itself unchanged. */
export function onCaseClock<T>(value: T, practice: PracticeMode | undefined): T {
  if (!practice) return value;
  const clock = caseClock(practice);
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string')
      return INSTANT_KEY.test(key) && INSTANT.test(v) ? new Date(clock.caseInstant(Date.parse(v))).toISOString() : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value, '') as T;
}
