/**
 * Placing the year's counties (排期): one a month by the workflow's own scheduler, on the calendar
 * snapshot; a plan that cannot be placed is an incident a person clears with `reschedule` and retry.
 */
import { log, patched } from '@temporalio/workflow';
import { refuse } from '../lib/updates';
import { visitWorkflowId } from '../contracts/common';
import { FailureType } from '../shared/errors';
import { ScheduleError, computeSchedule } from '../shared/schedule';
import type { ProgrammeContext } from './context';

/** Places the counties; false when the plan cannot be placed and the patch lets a person amend it. */
export function tryPlace(ctx: ProgrammeContext): boolean {
  try {
    place(ctx);
    return true;
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    // Before patch `schedule-incident` such a plan failed the programme.
    if (!patched('schedule-incident')) throw refuse(FailureType.InvalidInput, err.message);
    return false;
  }
}

/**
 * A plan that cannot be placed (a date on a holiday, or too late for its notice by the time the
 * programme runs) becomes an incident: an administrator amends the county's date with `reschedule`
 * and retries.
 */
export async function placeAfterIncident(ctx: ProgrammeContext): Promise<void> {
  await ctx.steps.run('schedule', '排定全年执法指导日期', async () => {
    try {
      place(ctx);
    } catch (err) {
      if (err instanceof ScheduleError)
        throw refuse(FailureType.InvalidInput, `${err.message}。请用“改期”修正该县区的指导日期后重试`);
      throw err;
    }
  });
}

/** Places the counties and records the rules the schedule had to bend; throws ScheduleError. */
export function place(ctx: ProgrammeContext): void {
  const { plan, state } = ctx;
  const counties = [...ctx.counties.values()];
  const schedule = computeSchedule(
    {
      year: plan.year,
      today: ctx.today(),
      counties: counties.map((c) => ({ code: c.code, name: c.name, date: c.date })),
      preferredDay: plan.visit.preferredDay,
      noticeWorkingDays: plan.visit.noticeWorkingDays,
    },
    ctx.cal!,
  );
  for (const v of schedule.visits) {
    const county = ctx.counties.get(v.county)!;
    state.entries.push({
      county: v.county,
      countyName: county.name,
      date: v.date,
      status: 'scheduled',
      visitWorkflowId: visitWorkflowId(plan.year, plan.bureau.code, v.county),
      origin: v.origin,
    });
  }
  state.bends.push(...schedule.bends, ...schedule.notes);
  ctx.audit(
    'system',
    'schedule',
    `排期 ${schedule.visits.length} 个县区：${schedule.visits.map((v) => `${ctx.counties.get(v.county)!.name} ${v.date}`).join('，')}`,
  );
  for (const bend of schedule.bends) log.warn('schedule bent a rule', { bend });
}
