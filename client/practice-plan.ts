/**
 * The practice year's plan (演练, client/sandbox.ts): its own bureau code and task queue, no SMTP, and
 * a start date a few simulated days before the first notice. Pure: no Temporal, no files.
 */
import { chinaCalendar } from '../activities/calendar';
import { addDays } from '../workflows/shared/clock';
import type { Plan } from '../workflows/shared/plan';
import {
  computeSchedule,
  ScheduleError,
  subtractWorkingDays,
  type WorkingDayCalendar,
} from '../workflows/shared/schedule';
import { EXIT, UserError } from './programme';

/** The word in every practice bureau code and so in every practice workflow id. */
export const PRACTICE_MARKER = 'practice';
/** Simulated days between the sandbox's start and the first notice, so people see it go out. */
export const NOTICE_LEAD_DAYS = 3;

/** The practice task queue beside the configured one. */
export function practiceTaskQueue(queue: string): string {
  return `${queue}-${PRACTICE_MARKER}`;
}

/** `<code>-practice-<stamp>`, within the plan's 40-character code rule. */
export function practiceBureauCode(code: string, nowMs = Date.now()): string {
  const suffix = `-${PRACTICE_MARKER}-${nowMs.toString(36)}`;
  return `${code.slice(0, 40 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** The practice copy of a plan: own bureau code, no SMTP, every mail subject marked 【演练】. */
export function practicePlan(plan: Plan, code: string): Plan {
  const { smtp: _smtp, ...rest } = plan;
  const mail = Object.fromEntries(
    Object.entries(plan.wording.mail).map(([kind, text]) => [kind, { ...text, subject: `【演练】${text.subject}` }]),
  ) as Plan['wording']['mail'];
  return { ...rest, bureau: { ...plan.bureau, code }, wording: { ...plan.wording, mail } };
}

/**
 * Where the practice's receipt links point: the given address, else where the practice dashboard
 * listens; a wildcard listen address (0.0.0.0, ::) is no address to open, so loopback then.
 */
export function practicePublicUrl(dashboardUrl: string, explicit?: string): string {
  if (explicit) return explicit;
  const url = new URL(dashboardUrl);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  return url.origin;
}

export interface FirstNotice {
  county: string;
  countyName: string;
  visitDate: string;
  noticeDate: string;
}

/**
 * The first visit and the day its notice goes out, for a programme started on `today`: the same
 * scheduler the programme runs, with the published calendar (the programme uses its snapshot of it).
 */
export function firstNotice(plan: Plan, today: string, cal: WorkingDayCalendar = chinaCalendar): FirstNotice {
  let schedule;
  try {
    schedule = computeSchedule(
      {
        year: plan.year,
        today,
        counties: plan.counties.map((c) => ({ code: c.code, name: c.name, date: c.date })),
        preferredDay: plan.visit.preferredDay,
        noticeWorkingDays: plan.visit.noticeWorkingDays,
      },
      cal,
    );
  } catch (err) {
    if (err instanceof ScheduleError)
      throw new UserError(`演练开始日期 ${today} 不可用：${err.message}`, EXIT.badInput);
    throw err;
  }
  const first = [...schedule.visits].sort((a, b) => a.date.localeCompare(b.date))[0]!;
  const county = plan.counties.find((c) => c.code === first.county)!;
  return {
    county: first.county,
    countyName: county.name,
    visitDate: first.date,
    noticeDate: subtractWorkingDays(first.date, plan.visit.noticeWorkingDays, cal),
  };
}

/** A start date NOTICE_LEAD_DAYS before the first notice (the schedule depends on the start date once it is in the year, hence the loop). */
export function defaultStartDate(plan: Plan, cal: WorkingDayCalendar = chinaCalendar): string {
  let start = `${plan.year - 1}-12-01`;
  for (let i = 0; i < 5; i++) {
    const next = addDays(firstNotice(plan, start, cal).noticeDate, -NOTICE_LEAD_DAYS);
    if (next === start) break;
    start = next;
  }
  return start;
}
