/**
 * One schema for every calendar date a person types (日期): a plan's dates, and every date an
 * Update accepts (an extension's due date, a report item's date, a re-inspection date, a new visit
 * date). A date is accepted only if it exists (no 2027-06-31, 2027-02-29; 2028-02-29 is fine) and
 * lies in a sane range, so it can always be printed on a letter and counted with. Pure: no Node
 * built-ins, safe inside the workflow sandbox.
 */
import { z } from 'zod';
import { dayNumber, fromDayNumber } from './clock';
import { tolerating } from './tolerance';

export const DATE_FORMAT = /^\d{4}-\d{2}-\d{2}$/;
/** Years a date may fall in: wide enough for any plan, narrow enough to catch a typo (20277-…, 1027-…). */
export const DATE_YEARS = { min: 2000, max: 2100 } as const;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Whether `s` is `YYYY-MM-DD` and that day exists in the Gregorian calendar (any year). */
export function isRealDate(s: string): boolean {
  if (!DATE_FORMAT.test(s)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/** Why `s` is not an acceptable date, in Chinese; undefined when it is one. */
export function dateProblem(s: string): string | undefined {
  if (!DATE_FORMAT.test(s)) return '日期格式应为 YYYY-MM-DD';
  if (!isRealDate(s)) return `不存在的日期：${s}`;
  const y = Number(s.slice(0, 4));
  if (y < DATE_YEARS.min || y > DATE_YEARS.max)
    return `日期超出范围：${s}（应在 ${DATE_YEARS.min}—${DATE_YEARS.max} 年之间）`;
  return undefined;
}

/**
 * A real calendar date `YYYY-MM-DD` in DATE_YEARS. A handler re-parsing arguments an earlier
 * version accepted (tolerance.ts) checks the format only, as that version did.
 */
export const CalendarDate = z.string({ error: '应为日期字符串 YYYY-MM-DD' }).superRefine((s, ctx) => {
  const problem = tolerating() ? (DATE_FORMAT.test(s) ? undefined : '日期格式应为 YYYY-MM-DD') : dateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
});

/**
 * A well-formed date as a real one: an impossible day rolls over into the next month
 * (2027-06-31 → 2027-07-01, 2027-07-32 → 2027-08-01), as `Date.parse` did for days up to 31. For
 * dates an earlier version accepted with a format check only; a real date is returned unchanged,
 * and anything not `YYYY-MM-DD` too (nothing to roll).
 */
export function rollDate(s: string): string {
  if (!DATE_FORMAT.test(s) || isRealDate(s)) return s;
  return fromDayNumber(dayNumber(s));
}
