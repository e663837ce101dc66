/**
 * Calendar dates (China Standard Time, UTC+8, no daylight saving) mapped to instants, optionally
 * compressed so a demo runs a year in minutes. Workflows pass `Date.now()` — Temporal's
 * deterministic workflow time — so nothing here reads a real clock.
 */

/**
 * Compressed time: one simulated day lasts `msPerDay`. Structurally `contracts/common.ts`'s `TimeScale`,
 * declared here so the clock imports nothing.
 */
export interface ClockScale {
  msPerDay: number;
  startDate: string;
}

/** One calendar day in milliseconds. */
export const DAY_MS = 86_400_000;
/** China Standard Time's offset from UTC: UTC+8 all year (no daylight saving since 1991). */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
/** Scheduled work on a date happens at 09:00 local time, office hours. */
const OFFICE_HOUR_MS = 9 * 3_600_000;

/**
 * Days since 1970-01-01 of an ISO date. Counted from its parts, so a day that does not exist but
 * was accepted by an earlier version (2027-07-32: see dates.ts) counts as the day it rolls over to
 * instead of NaN, and the ladder's arithmetic never throws on a stored date.
 */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.floor(d.getTime() / DAY_MS);
}

/** ISO date of a day number. */
export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The China (UTC+8) date `YYYY-MM-DD` of an instant in ms; throws a RangeError on NaN, as `toISOString` does. */
export function chinaDay(ms: number): string {
  return fromDayNumber(Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS));
}

/** China wall-clock time of an instant, `YYYY-MM-DDTHH:mm:ss.sss` (no zone: it is UTC+8). */
export function chinaDateTime(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 23);
}

/** The instant (ms) at which `date` begins in China: 00:00 UTC+8, i.e. 16:00 UTC the day before. */
export function chinaMidnight(date: string): number {
  return dayNumber(date) * DAY_MS - CHINA_OFFSET_MS;
}

/**
 * Day of the week of `YYYY-MM-DD`, 0 = Sunday … 6 = Saturday. Read as `Date.parse` reads the date,
 * as every copy before it did: a day past the month's end up to the 31st rolls over, a day 32 or a
 * string that is no date gives NaN (neither weekend nor weekday), so workflow code that relied on
 * that for dates an earlier version accepted keeps its behaviour.
 */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Saturday or Sunday. */
export function isWeekend(date: string): boolean {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
}

export class Clock {
  private constructor(
    private readonly scale: ClockScale | undefined,
    private readonly epochMs: number,
  ) {}

  /** Real time: a date's instant is 09:00 China time on that date. */
  static real(): Clock {
    return new Clock(undefined, 0);
  }

  /** Compressed: `scale.startDate` began at `epochMs` and each day lasts `scale.msPerDay`. */
  static compressed(scale: ClockScale, epochMs: number): Clock {
    return new Clock(scale, epochMs);
  }

  /** Today's date (China time, or simulated) at instant `nowMs`. */
  today(nowMs: number): string {
    if (!this.scale) return chinaDay(nowMs);
    return fromDayNumber(dayNumber(this.scale.startDate) + Math.floor((nowMs - this.epochMs) / this.scale.msPerDay));
  }

  /** The instant work scheduled for `date` falls due. */
  instantOf(date: string): number {
    if (!this.scale) return chinaMidnight(date) + OFFICE_HOUR_MS;
    const days = dayNumber(date) - dayNumber(this.scale.startDate);
    return this.epochMs + days * this.scale.msPerDay + Math.round((OFFICE_HOUR_MS / DAY_MS) * this.scale.msPerDay);
  }

  /**
   * The instant `nowMs` as the case's calendar reads it: itself on a real clock; on a compressed one
   * the same point of the simulated day (so China time shows the simulated date, and a date's work,
   * due at 09:00 by `instantOf`, shows at 09:00). For showing recorded instants in a practice year.
   */
  caseInstant(nowMs: number): number {
    if (!this.scale) return nowMs;
    // Whole days as `today` counts them (floor), then the rest of the day scaled: integer steps, no drift.
    const elapsed = nowMs - this.epochMs;
    const days = Math.floor(elapsed / this.scale.msPerDay);
    const rest = elapsed - days * this.scale.msPerDay;
    return chinaMidnight(this.scale.startDate) + days * DAY_MS + Math.floor((rest * DAY_MS) / this.scale.msPerDay);
  }

  /** Milliseconds from `nowMs` until `date` falls due (0 when already due). */
  msUntil(date: string, nowMs: number): number {
    return Math.max(0, this.instantOf(date) - nowMs);
  }
}

/**
 * "Now" for a Query. A Query runs on the workflow's last task, whose time stands still while the
 * case waits (weeks with nothing happening), so the caller passes its own instant; the later of the
 * two wins, so a caller's clock behind the server's (a time-skipping test server's) changes nothing.
 */
export interface AsOf {
  /** The caller's instant, ms since the epoch. */
  nowMs: number;
}

/** The later of the workflow's own time and a caller's `asOf` (ignored unless a finite number). */
export function queryNow(workflowNowMs: number, asOf: unknown): number {
  const ms = (asOf as Partial<AsOf> | undefined)?.nowMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.max(workflowNowMs, ms) : workflowNowMs;
}

/** `YYYY-MM` plus `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const total = y! * 12 + (m! - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}
