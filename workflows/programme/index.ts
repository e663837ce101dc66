/**
 * The yearly programme (年度执法指导计划), as a script: check the worker can serve the plan →
 * record the calendar → place the counties (one a month, January to November) → start each visit
 * on the day its notice goes out → finish when every visit has ended. The monthly bulletin and
 * weekly digest run beside it (reporting.ts); schedule changes are validated Updates (handlers.ts).
 */
import { ParentClosePolicy, allHandlersFinished, condition, getExternalWorkflowHandle, isCancellation, log, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { mailSettings } from '../lib/delivery';
import { render, bookkeeping } from '../lib/proxies';
import { refuse } from '../lib/updates';
import { FailureType } from '../shared/errors';
import { visitWorkflowId, type ProgrammeInput, type ProgrammeState, type ScheduleEntry } from '../shared/definitions';
import { ScheduleError, computeSchedule, snapshotCalendar, subtractWorkingDays } from '../shared/schedule';
import { GuidanceBureau, GuidanceStage, GuidanceYear } from '../shared/search-attributes';
import { countyVisitWorkflow } from '../visit';
import { createContext, type ProgrammeContext } from './context';
import { registerHandlers } from './handlers';
import { reporting } from './reporting';

export async function programmeWorkflow(input: ProgrammeInput): Promise<ProgrammeState> {
  const ctx = createContext(input);
  const { plan, state } = ctx;
  registerHandlers(ctx);
  if (input.visibility) {
    upsertSearchAttributes([{ key: GuidanceYear, value: plan.year }, { key: GuidanceBureau, value: plan.bureau.code }, { key: GuidanceStage, value: 'running' }]);
  }

  // 1. This worker renders and mails with the plan's own templates and sender, or refuses it now.
  await ctx.steps.run('servable', '检查本工作进程能否执行该计划（模板、发件设置）', () => render.checkPlanServable({ templatesDir: plan.templatesDir, ...mailSettings(plan) }));

  // 2. Place the year's visits. A plan that cannot be scheduled fails the start, with the reason.
  ctx.cal = snapshotCalendar([await ctx.steps.run(`calendar:${plan.year}`, `读取${plan.year}年工作日历`, () => bookkeeping.calendarSnapshot(plan.year))]);
  placeVisits(ctx);

  // 3. Start each visit on the day its notice goes out, until none is left; report meanwhile.
  let stop = false;
  const reports = reporting(ctx, () => stop);
  while (true) {
    for (const id of ctx.toCancel.splice(0)) await getExternalWorkflowHandle(id).cancel();
    const next = state.entries.filter((e) => e.status === 'scheduled').sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))[0];
    const seen = ctx.version;
    if (!next) {
      // Nothing left to start: wait for the running visits, or for an Update that adds one.
      const allDone = () => state.entries.every((e) => e.status !== 'scheduled' && e.status !== 'started');
      await condition(() => ctx.version !== seen || allDone());
      if (allDone() && ctx.version === seen) break;
      continue;
    }
    const wait = ctx.clock.msUntil(subtractWorkingDays(next.date, plan.visit.noticeWorkingDays, ctx.cal), Date.now());
    if (wait > 0 && (await condition(() => ctx.version !== seen, wait))) continue; // schedule changed: re-plan
    // Followed in the background; the loop learns of its end through the entry's status.
    void followVisit(ctx, next);
  }

  // 4. Finish.
  stop = true;
  await reports;
  await condition(allHandlersFinished);
  if (input.visibility) upsertSearchAttributes([{ key: GuidanceStage, value: 'finished' }]);
  state.finished = true;
  state.today = ctx.today();
  ctx.audit('system', 'finish', '年度执法指导计划全部结束');
  return state;
}

/** Places the plan's counties on the calendar and records the rules the schedule had to bend. */
function placeVisits(ctx: ProgrammeContext): void {
  const { plan, state } = ctx;
  let schedule;
  try {
    schedule = computeSchedule(
      { year: plan.year, today: ctx.today(), counties: plan.counties.map((c) => ({ code: c.code, date: c.date })), preferredDay: plan.visit.preferredDay, noticeWorkingDays: plan.visit.noticeWorkingDays },
      ctx.cal!,
    );
  } catch (err) {
    if (err instanceof ScheduleError) throw refuse(FailureType.InvalidInput, err.message);
    throw err;
  }
  for (const v of schedule.visits) {
    const county = ctx.counties.get(v.county)!;
    state.entries.push({ county: v.county, countyName: county.name, date: v.date, status: 'scheduled', visitWorkflowId: visitWorkflowId(plan.year, plan.bureau.code, v.county), origin: v.origin });
  }
  state.bends.push(...schedule.bends, ...schedule.notes);
  ctx.audit('system', 'schedule', `排期 ${schedule.visits.length} 个县区：${schedule.visits.map((v) => `${ctx.counties.get(v.county)!.name} ${v.date}`).join('，')}`);
  for (const bend of schedule.bends) log.warn('schedule bent a rule', { bend });
}

/** Starts the visit child and follows it to its end, keeping the entry's status current. */
async function followVisit(ctx: ProgrammeContext, entry: ScheduleEntry): Promise<void> {
  const county = ctx.counties.get(entry.county)!;
  entry.status = 'started';
  entry.startedAt = new Date().toISOString();
  ctx.audit('system', 'startVisit', `启动 ${entry.countyName} 执法指导（${entry.date}）`);
  ctx.version++;
  try {
    const child = await startChild(countyVisitWorkflow, {
      workflowId: entry.visitWorkflowId,
      args: [
        {
          programmeWorkflowId: workflowInfo().workflowId,
          plan: { ...ctx.plan, counties: [county] },
          county,
          date: entry.date,
          timeScale: ctx.input.timeScale,
          timeScaleEpochMs: ctx.epoch,
          mailRetry: ctx.input.mailRetry,
          visibility: ctx.input.visibility,
          reportTo: workflowInfo().workflowId,
          statsDrafts: ctx.statsDrafts.get(county.code),
        },
      ],
      // A visit's rectification outlives the programme's year; it must not die with it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    await child.result();
    if (entry.status === 'started') {
      entry.status = 'completed';
      ctx.audit('system', 'visitCompleted', `${entry.countyName} 执法指导完成`);
    }
  } catch (err) {
    // Read through a widened type: TypeScript cannot see that an Update changed the status meanwhile.
    const now = entry.status as ScheduleEntry['status'];
    if (now === 'cancelled' || isCancellation(err)) {
      entry.status = 'cancelled';
    } else {
      entry.status = 'failed';
      entry.note = err instanceof Error ? err.message : String(err);
      ctx.audit('system', 'visitFailed', `${entry.countyName} 执法指导失败：${entry.note}`);
    }
  }
  entry.endedAt = new Date().toISOString();
  ctx.version++;
}
