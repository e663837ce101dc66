/**
 * The official calendar applied mid-year (applyCalendar): the case's snapshot of that year is
 * replaced, and only dates not yet passed move by the same rules — the rectification's due date
 * (RectificationTracker, which queues the county's notice for the script) and the receipts' due
 * dates (ReceiptBook). Every move is listed in the answer and the audit log.
 */
import { onUpdate, refuse } from '../lib/updates';
import { CASE_LIMITS, overCount } from '../shared/case-limits';
import { ApplyCalendarArgs, applyCalendarUpdate, type CalendarApplied } from '../contracts/calendar-update';
import { FailureType } from '../shared/errors';
import type { VisitContext } from './context';
import { now, requireOpen } from './guards';

type Needs = Pick<VisitContext, 'plan' | 'state' | 'audit' | 'today' | 'workingDays' | 'rectifying' | 'receipts'>;

export function registerCalendarHandlers(ctx: Needs): void {
  const { plan, state, workingDays } = ctx;

  onUpdate(
    applyCalendarUpdate,
    ApplyCalendarArgs,
    (args) => {
      if (args.actor.role !== 'admin') throw refuse(FailureType.Forbidden, '只有管理员可以应用节假日安排');
      requireOpen(state);
      if (!workingDays.recorded) throw refuse(FailureType.InvalidState, '案件正在初始化，请稍后再试');
      if (!workingDays.holds(args.snapshot.year))
        throw refuse(
          FailureType.InvalidInput,
          `本案件只涉及 ${plan.year}、${plan.year + 1} 年的日历，不涉及 ${args.snapshot.year} 年`,
        );
      const full = overCount(state.calendars?.length ?? 0, CASE_LIMITS.calendars, '应用节假日安排');
      if (full) throw refuse(FailureType.InvalidInput, full);
    },
    (args) => {
      workingDays.apply(args.snapshot);
      const today = ctx.today();
      const moves = [...ctx.rectifying.recount(today, args.source), ...ctx.receipts.recount(today)];
      const applied: CalendarApplied = {
        year: args.snapshot.year,
        source: args.source,
        by: args.actor.id,
        at: now(),
        moves,
      };
      (state.calendars ??= []).push(applied);
      ctx.audit(
        args.actor,
        'applyCalendar',
        `应用 ${args.snapshot.year} 年节假日安排（${args.source}）${moves.length ? `：${moves.map((m) => `${m.what} ${m.from} → ${m.to}`).join('；')}` : '，无日期变动'}`,
      );
      return applied;
    },
  );
}
