/**
 * The visit's Updates after its letters are out: the county's receipt of a letter (签收) and the
 * official calendar applied mid-year. State-only, like handlers.ts (the same lint rules apply):
 * the phase script and the receipts loop (receipts.ts) notice the change and do the I/O.
 */
import { onUpdate, refuse } from '../lib/updates';
import { CASE_LIMITS, overCount } from '../shared/case-limits';
import { addDays } from '../shared/clock';
import {
  ApplyCalendarArgs,
  applyCalendarUpdate,
  type CalendarApplied,
  type CalendarMove,
} from '../contracts/calendar-update';
import { FailureType } from '../shared/errors';
import { AcknowledgeArgs, RECEIPT_DEFAULTS, RECEIPT_VIA_LABEL, acknowledgeUpdate } from '../contracts/receipts';
import { addWorkingDays, onOrNextWorkingDay, snapshotCalendar } from '../shared/schedule';
import type { VisitContext } from './context';

export function registerLaterHandlers(
  ctx: VisitContext,
  helpers: { now: () => string; moveDueDate: (date: string) => void },
): void {
  const { plan, county, state } = ctx;
  const { now, moveDueDate } = helpers;

  // ---- receipt of letters (签收) -----------------------------------------------------------
  onUpdate(
    acknowledgeUpdate,
    AcknowledgeArgs,
    (args) => {
      const { actor } = args;
      const isCounty = actor.role === 'county' && actor.county === county.code;
      if (args.via !== 'staff' && !isCounty) throw refuse(FailureType.Forbidden, '只有本县区可以签收本县区的文书');
      if (
        args.via === 'staff' &&
        actor.role !== 'admin' &&
        !(actor.role === 'supervisor' && plan.supervisors.some((s) => s.id === actor.id))
      ) {
        throw refuse(FailureType.Forbidden, '只有指导组或管理员可以代为登记签收');
      }
      // Once closing, the archive is being written: a receipt then could not join it.
      if (state.stage === 'closed' || state.stage === 'cancelled' || state.rectification?.closedAt)
        throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再签收');
      const receipt = (state.receipts ?? []).find((r) => r.id === args.receipt);
      if (!receipt) throw refuse(FailureType.InvalidInput, `没有编号为 ${args.receipt} 的待签收文书`);
      if (receipt.acknowledged)
        throw refuse(
          FailureType.InvalidState,
          `该文书已于 ${receipt.acknowledged.date} 由 ${receipt.acknowledged.signer} 签收，不能重复签收`,
        );
    },
    (args) => {
      const receipt = state.receipts!.find((r) => r.id === args.receipt)!;
      receipt.acknowledged = { by: args.actor.id, signer: args.signer, at: now(), date: ctx.today(), via: args.via };
      ctx.receiptVersion++;
      ctx.audit(
        args.actor,
        'acknowledge',
        `${receipt.title}${receipt.docNumber ? ` ${receipt.docNumber}` : ''} 已签收（签收人 ${args.signer}，${RECEIPT_VIA_LABEL[args.via]}）`,
      );
      return receipt;
    },
  );

  // ---- the official calendar, applied mid-year --------------------------------------------
  onUpdate(
    applyCalendarUpdate,
    ApplyCalendarArgs,
    (args) => {
      if (args.actor.role !== 'admin') throw refuse(FailureType.Forbidden, '只有管理员可以应用节假日安排');
      if (state.stage === 'closed' || state.stage === 'cancelled')
        throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
      if (ctx.snapshots.length === 0) throw refuse(FailureType.InvalidState, '案件正在初始化，请稍后再试');
      if (!ctx.snapshots.some((s) => s.year === args.snapshot.year))
        throw refuse(
          FailureType.InvalidInput,
          `本案件只涉及 ${plan.year}、${plan.year + 1} 年的日历，不涉及 ${args.snapshot.year} 年`,
        );
      const full = overCount(state.calendars?.length ?? 0, CASE_LIMITS.calendars, '应用节假日安排');
      if (full) throw refuse(FailureType.InvalidInput, full);
    },
    (args) => {
      ctx.snapshots = ctx.snapshots.map((s) => (s.year === args.snapshot.year ? { ...args.snapshot } : s));
      ctx.cal = snapshotCalendar(ctx.snapshots);
      const today = ctx.today();
      const moves: CalendarMove[] = [];
      // Only what has not passed moves, by the same rule: a period ending on a non-working day ends on the next working day.
      const r = state.rectification;
      if (r && state.stage === 'rectification' && r.dueDate >= today) {
        const untouched = r.extensions.length === 0 && !r.reports.some((x) => x.review?.decision === 'return');
        const base =
          untouched && state.letter ? addDays(state.letter.issueDate, plan.rectification.periodDays) : r.dueDate;
        const due = onOrNextWorkingDay(base, ctx.calendar());
        if (due !== r.dueDate && due >= today) {
          moves.push({ what: '整改期限', from: r.dueDate, to: due });
          ctx.dueMoves.push({ what: '整改期限', from: r.dueDate, to: due, source: args.source });
          moveDueDate(due);
          ctx.rectVersion++;
        }
      }
      const days =
        (plan as { receipts?: { workingDays: number } }).receipts?.workingDays ?? RECEIPT_DEFAULTS.workingDays;
      for (const rc of state.receipts ?? []) {
        if (rc.acknowledged || rc.dueBy < today) continue;
        const dueBy = addWorkingDays(rc.sentAt, days, ctx.calendar());
        if (dueBy === rc.dueBy || dueBy < today) continue;
        moves.push({ what: `签收期限 ${rc.id}`, from: rc.dueBy, to: dueBy });
        rc.dueBy = dueBy;
        ctx.receiptVersion++;
      }
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
