/**
 * Rectification (整改): the county's report, its review (accept, or return with a new due date),
 * an extension of the due date, and the re-inspection (复查). State-only Updates: each changes the
 * case through the RectificationTracker, which wakes the script's timer; the script sends the
 * 整改验收意见 and re-plans the ladder.
 */
import { onUpdate, refuse } from '../lib/updates';
import { CASE_LIMITS, PROGRESS_BUDGET_BYTES, overBudget, overCount } from '../shared/case-limits';
import { daysBetween } from '../shared/clock';
import { rollDate } from '../shared/dates';
import { FailureType } from '../shared/errors';
import {
  ExtendDueArgs,
  RecordReinspectionArgs,
  ReviewReportArgs,
  SubmitReportArgs,
  extendDueUpdate,
  recordReinspectionUpdate,
  reviewReportUpdate,
  submitReportUpdate,
  type RectificationReport,
} from '../contracts/visit-rectification';
import type { VisitContext } from './context';
import { ack, now, requireCountyOrSupervisor, requireRoom, requireStage, requireSupervisor } from './guards';

type Needs = Pick<VisitContext, 'plan' | 'county' | 'state' | 'audit' | 'today' | 'calendar' | 'rectifying'>;

export function registerRectificationHandlers(ctx: Needs): void {
  const { plan, county, state, rectifying } = ctx;
  const rect = () => rectifying.record;
  /** Rectification Updates: in that stage, and not once a report has been accepted. */
  const requireOpenRectification = (what: string) => {
    requireStage(state, 'rectification', what);
    if (rect().reports.some((r) => r.review?.decision === 'accept'))
      throw refuse(FailureType.InvalidState, '整改报告已验收通过，不能再操作');
  };

  onUpdate(
    submitReportUpdate,
    SubmitReportArgs,
    (args) => {
      requireCountyOrSupervisor(plan, county, args.actor);
      requireOpenRectification('提交整改报告');
      if (rect().reports.some((r) => !r.review))
        throw refuse(FailureType.InvalidState, '上一次整改报告尚在审核中，请等待审核结果');
      const problems = reportProblems(rect().problems, args.items);
      if (problems.length) throw refuse(FailureType.InvalidInput, `整改报告不完整：\n${problems.join('\n')}`);
      requireRoom(
        overBudget(state, {}, JSON.stringify([args.files, args.items, args.note ?? '']), PROGRESS_BUDGET_BYTES),
      );
    },
    (args) => {
      const r = rect();
      const overdueDays = Math.max(0, daysBetween(r.dueDate, ctx.today()));
      // An item's date an earlier version accepted unchecked (2027-04-31) is kept as its real day.
      const items = args.items.map((it) => (it.date ? { ...it, date: rollDate(it.date) } : it));
      const report: RectificationReport = {
        no: r.reports.length + 1,
        at: now(),
        date: ctx.today(),
        by: args.actor.id,
        role: args.actor.role,
        late: overdueDays > 0,
        daysOverdue: overdueDays,
        files: args.files,
        items,
        note: args.note,
      };
      rectifying.submit(report);
      ctx.audit(
        args.actor,
        'submitReport',
        `提交第 ${report.no} 次整改报告${report.late ? `（逾期 ${overdueDays} 天）` : ''}，附件 ${args.files.length} 个`,
      );
      return { ...ack(state, report.at), no: report.no, daysOverdue: report.daysOverdue };
    },
  );

  onUpdate(
    reviewReportUpdate,
    ReviewReportArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireOpenRectification('审核整改报告');
      if (!rect().reports.some((r) => !r.review)) throw refuse(FailureType.InvalidState, '没有待审核的整改报告');
      if (args.decision === 'return' && !(args.reasons ?? []).length)
        throw refuse(FailureType.InvalidInput, '退回整改报告必须写明理由');
      if (args.decision === 'return')
        requireRoom(
          overCount(
            rect().reports.filter((r) => r.review?.decision === 'return').length,
            CASE_LIMITS.reportReturns,
            '退回整改报告',
          ),
        );
      // Reasons appear in the review, the audit and the return letter's record; an acceptance without reasons always fits.
      if (args.reasons?.length)
        requireRoom(overBudget(state, {}, args.reasons.join('').repeat(3), PROGRESS_BUDGET_BYTES));
    },
    (args) => {
      const r = rect();
      const report = r.reports.find((x) => !x.review)!;
      const reasons = args.reasons ?? [];
      const accepted = args.decision === 'accept';
      const resubmitBy = accepted ? undefined : rectifying.resubmitBy();
      report.review = {
        decision: args.decision,
        by: args.actor.id,
        at: now(),
        reasons,
        ...(resubmitBy ? { resubmitBy } : {}),
      };
      ctx.audit(
        args.actor,
        'reviewReport',
        accepted
          ? `第 ${report.no} 次整改报告验收通过`
          : `第 ${report.no} 次整改报告退回：${reasons.join('；')}，重新报送期限 ${resubmitBy}`,
      );
      // Returned: a new due date, the ladder resumes from the rung where it stood.
      rectifying.reviewed(resubmitBy);
      return { ...ack(state, report.review.at), no: report.no, decision: args.decision, dueDate: r.dueDate };
    },
  );

  onUpdate(
    extendDueUpdate,
    ExtendDueArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireOpenRectification('延长整改期限');
      if (args.newDueDate <= rect().dueDate)
        throw refuse(FailureType.InvalidInput, `新的期限应晚于现有期限 ${rect().dueDate}`);
      if (args.newDueDate < ctx.today()) throw refuse(FailureType.InvalidInput, `新的期限 ${args.newDueDate} 已过`);
      if (!ctx.calendar().isWorkingDay(args.newDueDate))
        throw refuse(FailureType.InvalidInput, `新的期限 ${args.newDueDate} 是休息日或法定节假日，请选择工作日`);
      requireRoom(overCount(rect().extensions.length, CASE_LIMITS.extensions, '延长整改期限'));
      requireRoom(overBudget(state, {}, args.reason + args.reason, PROGRESS_BUDGET_BYTES));
    },
    (args) => {
      const r = rect();
      const to = rollDate(args.newDueDate);
      const at = now();
      r.extensions.push({ by: args.actor.id, at, from: r.dueDate, to, reason: args.reason });
      ctx.audit(args.actor, 'extendDue', `整改期限由 ${r.dueDate} 延至 ${to}：${args.reason}`);
      rectifying.extendTo(to);
      return { ...ack(state, at), dueDate: r.dueDate };
    },
  );

  onUpdate(
    recordReinspectionUpdate,
    RecordReinspectionArgs,
    (args) => {
      requireSupervisor(plan, args.actor);
      requireStage(state, 'reinspection', '记录复查结果');
      if (rect().reinspection) throw refuse(FailureType.InvalidState, '复查结果已记录');
      requireReinspectionComplete(rect().problems, args.items);
      requireRoom(overBudget(state, {}, JSON.stringify(args.items), PROGRESS_BUDGET_BYTES));
    },
    (args) => {
      const r = rect();
      r.reinspection = { by: args.actor.id, at: now(), date: rollDate(args.date), items: args.items };
      const failed = args.items.filter((i) => !i.passed).length;
      ctx.audit(
        args.actor,
        'reinspection',
        `复查 ${args.items.length} 项问题，${failed ? `${failed} 项未整改到位` : '全部整改到位'}`,
      );
      return ack(state, r.reinspection.at);
    },
  );
}

/** A re-inspection covers exactly the letter's problems, each once. */
function requireReinspectionComplete(problems: string[], items: RecordReinspectionArgs['items']): void {
  const seen = new Set(items.map((i) => i.index));
  const unknown = items.filter((i) => i.index >= problems.length).map((i) => `第 ${i.index + 1} 项`);
  const missing = problems.map((p, i) => (seen.has(i) ? '' : `第 ${i + 1} 项（${p.slice(0, 20)}…）`)).filter(Boolean);
  if (unknown.length) throw refuse(FailureType.InvalidInput, `意见书中没有这些问题：${unknown.join('、')}`);
  if (missing.length)
    throw refuse(FailureType.InvalidInput, `复查只查意见书中的问题，须逐项填写：缺 ${missing.join('、')}`);
}

/** What a rectification report lacks against the letter's problems, one line each. */
function reportProblems(letterProblems: string[], items: SubmitReportArgs['items']): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const it of items) {
    if (it.index >= letterProblems.length) problems.push(`第 ${it.index + 1} 项：意见书中没有这一项问题`);
    if (seen.has(it.index)) problems.push(`第 ${it.index + 1} 项重复填写`);
    seen.add(it.index);
    if (it.status === '正在整改' && !it.date) problems.push(`第 ${it.index + 1} 项：正在整改须填写预计完成日期`);
    if (it.status === '无法整改' && !it.reason) problems.push(`第 ${it.index + 1} 项：无法整改须说明理由`);
  }
  letterProblems.forEach((p, i) => {
    if (!seen.has(i)) problems.push(`第 ${i + 1} 项（${p.slice(0, 20)}…）：未填写整改情况`);
  });
  return problems;
}
