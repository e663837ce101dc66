/**
 * The programme's Updates, Signal and Query: schedule changes by administrators and supervisors,
 * statistics imports, and the visits' progress notes. State only: a cancelled visit that has
 * already started is cancelled by the script (`toCancel`), not by the handler.
 */
import { setHandler } from '@temporalio/workflow';
import { onQuery, onUpdate, refuse } from '../lib/updates';
import {
  AddCountyArgs,
  CancelVisitArgs,
  RescheduleArgs,
  addCountyUpdate,
  cancelVisitUpdate,
  latestProgress,
  rescheduleUpdate,
  scheduleQuery,
  visitProgressSignal,
  VISIT_STATUS_LABEL,
  type ScheduleEntry,
} from '../contracts/programme';
import { RecordStatisticsArgs, recordStatisticsUpdate } from '../contracts/statistics';
import { visitWorkflowId, type Actor } from '../contracts/common';
import { queryNow } from '../shared/clock';
import { FailureType } from '../shared/errors';
import { explicitDateProblem } from '../shared/plan';
import { ScheduleError, onOrNextWorkingDay, placeAdditionalVisit, snapshotCalendar } from '../shared/schedule';
import {
  ApplyCalendarArgs,
  applyCalendarUpdate,
  type CalendarApplied,
  type CalendarMove,
} from '../contracts/calendar-update';
import type { ProgrammeContext } from './context';

/** Roles that may change the schedule. */
const SCHEDULERS: Actor['role'][] = ['admin', 'supervisor'];

export function registerHandlers(ctx: ProgrammeContext): void {
  const { plan, state } = ctx;
  const find = (code: string) => state.entries.find((e) => e.county === code);
  const requireRole = (actor: Actor) => {
    if (!SCHEDULERS.includes(actor.role))
      throw refuse(FailureType.Forbidden, '只有管理员或执法指导人员可以调整年度计划');
  };
  const checkDate = (date: string) => {
    const problem = explicitDateProblem(date, plan.year);
    if (problem) throw refuse(FailureType.InvalidInput, problem);
    if (date < ctx.today()) throw refuse(FailureType.InvalidInput, `指导日期 ${date} 已过（今天是 ${ctx.today()}）`);
    if (ctx.cal && !ctx.cal.isWorkingDay(date))
      throw refuse(FailureType.InvalidInput, `指导日期 ${date} 是休息日或法定节假日，请选择工作日`);
  };
  const requireEntry = (code: string, allowed: ScheduleEntry['status'][], what: string) => {
    const entry = find(code);
    if (!entry) throw refuse(FailureType.InvalidInput, `计划中没有县区 ${code}`);
    if (!allowed.includes(entry.status))
      throw refuse(
        FailureType.InvalidState,
        `县区 ${entry.countyName} 的执法指导${VISIT_STATUS_LABEL[entry.status]}，不能${what}`,
      );
    return entry;
  };

  // Once finished, the state as returned (and archived), today included.
  // Today from the caller's instant too: the workflow's own time stands still between events.
  onQuery(scheduleQuery, (asOf?) =>
    state.finished ? state : { ...state, today: ctx.clock.today(queryNow(Date.now(), asOf)) },
  );
  setHandler(visitProgressSignal, (p) => {
    state.progress[p.county] = latestProgress(state.progress[p.county], p);
  });

  // The official calendar, applied mid-year: visits not yet started move off new holidays, by the
  // placement rule (the next working day); started visits keep their date and take the calendar themselves.
  onUpdate(
    applyCalendarUpdate,
    ApplyCalendarArgs,
    (args) => {
      if (args.actor.role !== 'admin') throw refuse(FailureType.Forbidden, '只有管理员可以应用节假日安排');
      if (!ctx.cal) throw refuse(FailureType.InvalidState, '年度计划正在初始化，请稍后再试');
      if (args.snapshot.year !== plan.year)
        throw refuse(FailureType.InvalidInput, `这是 ${plan.year} 年度的计划，不能应用 ${args.snapshot.year} 年的日历`);
    },
    (args) => {
      ctx.cal = snapshotCalendar([args.snapshot]);
      ctx.calSnapshot = args.snapshot;
      const today = ctx.today();
      const moves: CalendarMove[] = [];
      for (const e of state.entries) {
        if (e.status !== 'scheduled' || e.date < today || ctx.cal.isWorkingDay(e.date)) continue;
        const to = onOrNextWorkingDay(e.date, ctx.cal);
        moves.push({ what: `${e.countyName}指导日期`, from: e.date, to });
        Object.assign(e, { date: to, origin: 'rescheduled', note: `${args.source}：原定 ${e.date} 为法定节假日` });
      }
      const applied: CalendarApplied = {
        year: args.snapshot.year,
        source: args.source,
        by: args.actor.id,
        at: new Date().toISOString(),
        moves,
      };
      (state.calendars ??= []).push(applied);
      ctx.audit(
        args.actor,
        'applyCalendar',
        `应用 ${args.snapshot.year} 年节假日安排（${args.source}）${moves.length ? `：${moves.map((m) => `${m.what} ${m.from} → ${m.to}`).join('；')}` : '，无日期变动'}`,
      );
      ctx.version++;
      return applied;
    },
  );

  onUpdate(
    recordStatisticsUpdate,
    RecordStatisticsArgs,
    (args) => requireRole(args.actor),
    (args) => {
      state.statistics = {
        period: args.period,
        sourceSha256: args.sourceSha256,
        rows: args.rows,
        at: new Date().toISOString(),
      };
      for (const [code, drafts] of Object.entries(args.drafts)) ctx.statsDrafts.set(code, drafts);
      ctx.audit(
        args.actor,
        'recordStatistics',
        `导入执法统计（${args.period}，${args.rows.length} 个单位，sha256 ${args.sourceSha256.slice(0, 12)}…）`,
      );
      return { period: args.period, rows: args.rows.length };
    },
  );

  onUpdate(
    rescheduleUpdate,
    RescheduleArgs,
    (args) => {
      requireRole(args.actor);
      if (!ctx.placed) {
        // Before the year is placed (a schedule incident waiting): the plan's own date is amended.
        if (!ctx.cal) throw refuse(FailureType.InvalidState, '年度计划正在初始化，请稍后再试');
        if (!ctx.counties.has(args.county)) throw refuse(FailureType.InvalidInput, `计划中没有县区 ${args.county}`);
        checkDate(args.date);
        return;
      }
      const entry = requireEntry(args.county, ['scheduled'], '改期');
      if (args.date === entry.date) throw refuse(FailureType.InvalidInput, `新日期与原日期相同（${args.date}）`);
      checkDate(args.date);
    },
    (args) => {
      if (!ctx.placed) {
        const county = { ...ctx.counties.get(args.county)!, date: args.date };
        ctx.counties.set(county.code, county);
        ctx.audit(args.actor, 'reschedule', `${county.name} 的计划指导日期改为 ${args.date}：${args.reason}`);
        ctx.version++;
        return {
          county: county.code,
          countyName: county.name,
          date: args.date,
          status: 'scheduled' as const,
          visitWorkflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code),
          origin: 'rescheduled' as const,
          note: args.reason,
        };
      }
      const entry = find(args.county)!;
      Object.assign(entry, { date: args.date, origin: 'rescheduled', note: args.reason });
      ctx.audit(args.actor, 'reschedule', `${entry.countyName} 改期至 ${args.date}：${args.reason}`);
      ctx.version++;
      return { ...entry };
    },
  );

  onUpdate(
    addCountyUpdate,
    AddCountyArgs,
    (args) => {
      requireRole(args.actor);
      if (!ctx.placed) throw refuse(FailureType.InvalidState, '年度计划尚未完成排期，请稍后再试');
      const existing = find(args.county.code)?.countyName ?? ctx.counties.get(args.county.code)?.name;
      if (existing !== undefined)
        throw refuse(FailureType.InvalidInput, `${existing}已在计划中（县区代码相同），不能重复增加`);
      if (args.date) checkDate(args.date);
      else placeNew(ctx); // refuses when no date is left this year
    },
    (args) => {
      const county = args.county;
      const date = args.date ?? placeNew(ctx);
      ctx.counties.set(county.code, county);
      const entry: ScheduleEntry = {
        county: county.code,
        countyName: county.name,
        date,
        status: 'scheduled',
        visitWorkflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code),
        origin: 'added',
        note: args.reason,
      };
      state.entries.push(entry);
      ctx.audit(args.actor, 'addCounty', `增加县区 ${county.name}，安排于 ${date}：${args.reason}`);
      ctx.version++;
      return { ...entry };
    },
  );

  onUpdate(
    cancelVisitUpdate,
    CancelVisitArgs,
    (args) => {
      requireRole(args.actor);
      const entry = requireEntry(args.county, ['scheduled', 'started'], '取消');
      // The visit's own last note can arrive before the programme learns it has ended.
      const stage = state.progress[entry.county]?.stage;
      if (entry.status === 'started' && (stage === 'closed' || stage === 'cancelled')) {
        throw refuse(FailureType.InvalidState, `县区 ${entry.countyName} 的执法指导已经结束，不能取消`);
      }
    },
    (args) => {
      const entry = find(args.county)!;
      if (entry.status === 'started') ctx.toCancel.push(entry.visitWorkflowId);
      Object.assign(entry, { status: 'cancelled', endedAt: new Date().toISOString(), note: args.reason });
      ctx.audit(args.actor, 'cancelVisit', `取消 ${entry.countyName} 的执法指导：${args.reason}`);
      ctx.version++;
      return { ...entry };
    },
  );
}

/** A date for a county added during the year: the least-loaded remaining month. */
function placeNew(ctx: ProgrammeContext): string {
  if (!ctx.cal) throw refuse(FailureType.InvalidState, '计划尚未完成排期，请稍后再试');
  try {
    return placeAdditionalVisit(
      {
        year: ctx.plan.year,
        today: ctx.today(),
        taken: ctx.state.entries.filter((e) => e.status !== 'cancelled').map((e) => e.date),
        preferredDay: ctx.plan.visit.preferredDay,
        noticeWorkingDays: ctx.plan.visit.noticeWorkingDays,
      },
      ctx.cal,
    );
  } catch (err) {
    if (err instanceof ScheduleError) throw refuse(FailureType.InvalidInput, err.message);
    throw err;
  }
}
