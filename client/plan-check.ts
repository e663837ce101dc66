/**
 * The schedule check before a year starts: `guidance plan check` and `programme start` place the
 * plan's counties with the same code the programme workflow runs (`computeSchedule`), on the
 * published calendar, as of the day the programme would start. A plan that cannot be placed is
 * refused with the field and the reason, before anything starts.
 */
import { takeSnapshot } from '../activities/calendar';
import { Clock } from '../workflows/shared/clock';
import type { TimeScale } from '../workflows/contracts/common';
import type { Plan } from '../workflows/shared/plan';
import { ScheduleError, computeSchedule, snapshotCalendar } from '../workflows/shared/schedule';

/** Every reason the plan cannot be placed as of `today`, as `path: message` lines; empty when it can. */
export function scheduleProblems(plan: Plan, today: string): string[] {
  const cal = snapshotCalendar([takeSnapshot(plan.year)]);
  const request = (counties: Plan['counties']) => ({
    year: plan.year,
    today,
    counties: counties.map((c) => ({ code: c.code, name: c.name, date: c.date })),
    preferredDay: plan.visit.preferredDay,
    noticeWorkingDays: plan.visit.noticeWorkingDays,
  });
  const problems: string[] = [];
  // Each explicit date on its own first, so every county at fault is named, not only the first.
  plan.counties.forEach((c, i) => {
    if (!c.date) return;
    try {
      computeSchedule(request([c]), cal);
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      problems.push(`counties[${i}].date: ${err.message}`);
    }
  });
  if (problems.length > 0) return problems;
  try {
    computeSchedule(request(plan.counties), cal);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    const i = err.county ? plan.counties.findIndex((c) => c.code === err.county) : -1;
    problems.push(i >= 0 ? `counties[${i}].date: ${err.message}` : `counties: ${err.message}`);
  }
  return problems;
}

/** The date the programme would take as its first day: the simulated start, else today in China. */
export function startDay(timeScale?: TimeScale, nowMs = Date.now()): string {
  return timeScale ? timeScale.startDate : Clock.real().today(nowMs);
}
