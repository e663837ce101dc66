/**
 * The yearly programme (年度执法指导计划), as a script: check the worker can serve the plan →
 * record the calendar → place the counties (one a month, January to November) → start each visit
 * on the day its notice goes out → finish when every visit has ended. At each month's end the
 * programme continues as new with the year's record, so its history stays bounded however long a
 * case lingers. The monthly bulletin and weekly digest run beside it (reporting.ts); schedule
 * changes are validated Updates (handlers.ts).
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { mailSettings } from '../lib/delivery';
import { archiving, render, bookkeeping } from '../lib/proxies';
import { type ProgrammeCarry, type ProgrammeInput, type ProgrammeState } from '../contracts/programme';
import { addMonths } from '../shared/clock';
import { renderFormats } from '../shared/plan';
import { snapshotCalendar, subtractWorkingDays } from '../shared/schedule';
import { GuidanceBureau, GuidanceStage, GuidanceYear } from '../shared/search-attributes';
import { createContext, type ProgrammeContext } from './context';
import { registerHandlers } from './handlers';
import { placeAfterIncident, tryPlace } from './placement';
import { reporting } from './reporting';
import { cancelNotDelivered, followVisit, watchVisit } from './visits';

export async function programmeWorkflow(input: ProgrammeInput): Promise<ProgrammeState> {
  const ctx = createContext(input);
  const { plan, state } = ctx;
  registerHandlers(ctx);
  if (input.visibility) {
    upsertSearchAttributes([
      { key: GuidanceYear, value: plan.year },
      { key: GuidanceBureau, value: plan.bureau.code },
      { key: GuidanceStage, value: 'running' },
    ]);
  }

  if (!input.carried) {
    // 1. This worker renders and mails with the plan's own templates and sender, or refuses it now.
    await ctx.steps.run('servable', '检查本工作进程能否执行该计划（模板、发件设置）', () =>
      render.checkPlanServable({ templatesDir: plan.templatesDir, ...renderFormats(plan), ...mailSettings(plan) }),
    );

    // 2. Place the year's visits. A plan that cannot be scheduled waits for a person to amend it.
    ctx.calSnapshot = await ctx.steps.run(`calendar:${plan.year}`, `读取${plan.year}年工作日历`, () =>
      bookkeeping.calendarSnapshot(plan.year),
    );
    ctx.cal = snapshotCalendar([ctx.calSnapshot]);
    // Synchronous when the plan places, so the commands that follow keep their recorded order.
    if (!tryPlace(ctx)) await placeAfterIncident(ctx);
    ctx.placed = true;
  } else {
    // Continued from the last run: visits it started are followed through their progress notes.
    for (const entry of state.entries) if (entry.status === 'started') void watchVisit(ctx, entry);
  }

  // 3. Start each visit on the day its notice goes out, until none is left; report meanwhile.
  let stop = false;
  const reports = reporting(ctx, () => stop);
  if ((await runSchedule(ctx)) === 'continue') {
    // The month's record is archived by then (runSchedule): whatever Temporal later forgets, the archive keeps.
    return await continueAsNew<typeof programmeWorkflow>({
      ...input,
      timeScaleEpochMs: ctx.epoch,
      carried: carry(ctx),
    });
  }

  // 4. Finish.
  stop = true;
  await reports;
  await condition(allHandlersFinished);
  if (input.visibility) upsertSearchAttributes([{ key: GuidanceStage, value: 'finished' }]);
  state.finished = true;
  state.today = ctx.today();
  ctx.audit('system', 'finish', '年度执法指导计划全部结束');
  if (ctx.archives) {
    // A month-end archive still under way finishes first: one writer of the folder at a time.
    await condition(() => ctx.busy === 0);
    await archiveFinal(ctx);
  }
  return state;
}

/**
 * The final archive holds the state the programme returns. A visit's last progress note (its
 * cancellation, say) can arrive while the archive reads the state; then the record is written
 * again, until a write saw the state as it ends (patch `final-archive-settled`; before it, once).
 */
async function archiveFinal(ctx: ProgrammeContext): Promise<void> {
  for (let round = 1; ; round++) {
    const before = JSON.stringify(ctx.state);
    await archiveYear(ctx, round === 1 ? 'final' : `final-${round}`);
    if (JSON.stringify(ctx.state) === before || !patched('final-archive-settled')) return;
  }
}

/** Writes the year's record (schedule, changes, bulletins, incidents, number register) to the archive. */
async function archiveYear(ctx: ProgrammeContext, key: string): Promise<void> {
  const { plan } = ctx;
  await ctx.steps.run(`archive:${key}`, '年度计划归档', () =>
    archiving.archiveProgramme({ workflowId: workflowInfo().workflowId, year: plan.year, bureau: plan.bureau.code }),
  );
}

/**
 * Starts each visit when its notice is due and delivers cancellations, until every visit has ended
 * ('finished') or a month has ended with nothing under way ('continue'). At a month's end the
 * year's record is archived beside the schedule, never in its way: visits keep starting on their
 * days while the archive runs, or waits as an incident for an administrator.
 * With `ctx.eventDriven`, what the loop does next follows from dates and fired timers only.
 */
async function runSchedule(ctx: ProgrammeContext): Promise<'finished' | 'continue'> {
  const { plan, state } = ctx;
  const allDone = () => state.entries.every((e) => e.status !== 'scheduled' && e.status !== 'started');
  // Nothing half done: no step, start, cancellation or mail under way, no Update running.
  const quiet = () => ctx.busy === 0 && ctx.toCancel.length === 0 && allHandlersFinished();
  const suggested = () => ctx.continuable && workflowInfo().continueAsNewSuggested;
  // Before patch `decide-by-events` the month's end was read off the clock.
  let monthEnded = false;
  const rollover = () =>
    suggested() || (ctx.continuable && (ctx.eventDriven ? monthEnded : ctx.today() >= ctx.continueAt));
  const timeout = (ms: number) => (ctx.eventDriven ? Math.max(ms, 1) : ms);
  let archived = false;
  while (true) {
    for (const id of ctx.toCancel.splice(0)) {
      ctx.busy++;
      try {
        await getExternalWorkflowHandle(id).cancel();
      } catch (err) {
        if (isCancellation(err)) throw err;
        cancelNotDelivered(ctx, id);
      } finally {
        ctx.busy--;
      }
    }
    const seen = ctx.version;
    const rolling = rollover() && !allDone();
    if (rolling) {
      if (ctx.archives && !archived) {
        archived = true;
        void archiveYear(ctx, addMonths(ctx.continueAt.slice(0, 7), -1));
      }
      if (quiet()) return 'continue';
    }
    // Woken by a schedule change; at a month's end also by the moment nothing is under way.
    const woken = () => ctx.version !== seen || (rolling ? quiet() : suggested());
    const next = state.entries
      .filter((e) => e.status === 'scheduled')
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))[0];
    const noticeDate = next && subtractWorkingDays(next.date, plan.visit.noticeWorkingDays, ctx.cal!);
    const untilRollover =
      ctx.continuable && !rolling ? Math.max(ctx.clock.msUntil(ctx.continueAt, Date.now()), 1) : undefined;
    const wait = noticeDate === undefined ? 0 : ctx.clock.msUntil(noticeDate, Date.now());
    // The month's end comes first: by date, or before the patch by the clock.
    const monthEndFirst =
      untilRollover !== undefined &&
      (!next || (ctx.eventDriven ? ctx.continueAt <= noticeDate! : untilRollover < wait));
    if (!next || monthEndFirst) {
      // Nothing to start before the month's end: wait for it, a schedule change, or (nothing left to start) the running visits.
      const changed = () => woken() || (!next && allDone());
      // Plain awaits, as before the patch: an extra turn would reorder the commands recorded histories hold.
      if (untilRollover === undefined) await condition(changed);
      else if (!(await condition(changed, untilRollover))) monthEnded = true;
      if (!next && allDone() && ctx.version === seen) return 'finished';
      continue;
    }
    if ((ctx.eventDriven || wait > 0) && (await condition(woken, timeout(wait)))) continue; // schedule changed: re-plan
    // Followed in the background; the loop learns of its end through the entry's status.
    void followVisit(ctx, next);
  }
}

/** What the next run needs to go on where this one stands. */
function carry(ctx: ProgrammeContext): ProgrammeCarry {
  ctx.state.today = ctx.today();
  return {
    state: ctx.state,
    counties: [...ctx.counties.values()],
    statsDrafts: Object.fromEntries(ctx.statsDrafts),
    calendar: ctx.calSnapshot!,
    nextBulletinMonth: ctx.nextBulletinMonth,
    lastDigestDate: ctx.lastDigestDate,
    inboxDigest: ctx.inboxDigest,
    runs: (ctx.input.carried?.runs ?? 0) + 1,
    toCancel: ctx.toCancel,
  };
}
