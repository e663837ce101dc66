/**
 * China's working-day calendar (法定节假日与调休) from the `chinese-days` package.
 *
 * Why workflows never read this package directly: the holiday table changes each year when the
 * State Council publishes the next year's holidays. Had a workflow consulted it, upgrading the
 * package would change the decisions a running workflow replays and break it. Instead an activity
 * takes a snapshot of the year (`calendarSnapshot`), recorded once in history.
 */
import { getDayDetail, isWorkday } from 'chinese-days';
import { addDays, isWeekend } from '../workflows/shared/clock';
import type { CalendarSnapshot, WorkingDayCalendar } from '../workflows/shared/schedule';

/** The published calendar; for a year not yet published, Monday–Friday (and callers are told). */
export const chinaCalendar: WorkingDayCalendar = {
  isWorkingDay(date) {
    if (this.covers(Number(date.slice(0, 4)))) return isWorkday(date);
    return !isWeekend(date);
  },
  covers(year) {
    // New Year's Day is a statutory holiday every year; if the package doesn't name it, it has no
    // data. (Asking isHoliday alone is wrong when 1 January falls on a weekend: 2028.)
    return getDayDetail(`${year}-01-01`).name.includes('元旦');
  },
};

/** Every non-working day of `year` (and early January of the next, for periods that cross it). */
export function takeSnapshot(year: number, cal: WorkingDayCalendar = chinaCalendar): CalendarSnapshot {
  const nonWorkingDays: string[] = [];
  for (let d = `${year}-01-01`; d < `${year + 1}-01-01`; d = addDays(d, 1)) {
    if (!cal.isWorkingDay(d)) nonWorkingDays.push(d);
  }
  return { year, covered: cal.covers(year), nonWorkingDays };
}
