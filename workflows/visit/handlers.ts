/**
 * The visit's Updates and its Query. Each goes through `onUpdate`: arguments parsed once by the
 * shared schema, the guard (who may, in which stage, against what the case holds) run in the
 * validator, and a state-only `apply`. Letters that follow a human step (acceptance, return,
 * re-inspection) are sent by the phase script, which notices the change.
 */
import { onQuery, onUpdate, refuse } from '../lib/updates';
import { CHECKLIST_ITEM_LABEL } from '../shared/checklist';
import { CASE_LIMITS, EDIT_BUDGET_BYTES, PROGRESS_BUDGET_BYTES, overBudget, overCount } from '../shared/case-limits';
import { addDays, dayNumber, queryNow } from '../shared/clock';
import { rollDate } from '../shared/dates';
import type { Actor } from '../contracts/common';
import { FailureType } from '../shared/errors';
import { STAGE_LABEL } from '../shared/labels';
import { onOrNextWorkingDay } from '../shared/schedule';
import { registerLaterHandlers } from './later-handlers';
import { caseTodos, todoQuery } from '../shared/todo';
import { visitCaseQuery, enterpriseChecks, type EnterpriseResult } from '../contracts/visit';
import {
  ActorOnlyArgs,
  AddEvidenceArgs,
  DecisionArgs,
  ReturnArgs,
  SetEnterpriseResultArgs,
  SetFindingArgs,
  addEvidenceUpdate,
  approveUpdate,
  returnUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
  type VisitUpdateResult,
} from '../contracts/visit-onsite';
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
import { type Stage } from '../shared/labels';
import { personName } from '../shared/people';
import type { VisitContext } from './context';
import { resetLadder } from './ladder';

export function registerHandlers(ctx: VisitContext): void {
  const { plan, county, state } = ctx;
  const now = () => new Date().toISOString();
  /** Every Update's short answer (VisitUpdateResult): the case is read by query, not copied into history. */
  const ack = (at: string): VisitUpdateResult => ({ caseId: state.caseId, stage: state.stage, at });

  // ---- who may do what, and when -----------------------------------------------------------
  const requireSupervisor = (actor: Actor) => {
    if (actor.role !== 'supervisor' || !plan.supervisors.some((s) => s.id === actor.id)) {
      throw refuse(FailureType.Forbidden, '只有本计划指导组的执法指导人员可以进行此操作');
    }
  };
  const requireCountyOrSupervisor = (actor: Actor) => {
    if (actor.role !== 'county') return requireSupervisor(actor);
    if (actor.county !== county.code) throw refuse(FailureType.Forbidden, '县区只能提交本县区的整改报告');
  };
  const currentApprover = () => state.approval.passedTo ?? state.approval.approver;
  const requireStage = (stage: Stage, what: string) => {
    if (state.stage === 'closed' || state.stage === 'cancelled')
      throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
    if (state.stage !== stage)
      throw refuse(FailureType.InvalidState, `当前阶段为“${STAGE_LABEL[state.stage]}”，不能${what}`);
  };
  const rect = () => state.rectification!;
  /** Rectification Updates: in that stage, and not once a report has been accepted. */
  const requireOpenRectification = (what: string) => {
    requireStage('rectification', what);
    if (rect().reports.some((r) => r.review?.decision === 'accept'))
      throw refuse(FailureType.InvalidState, '整改报告已验收通过，不能再操作');
  };
  /**
   * A return or an extension moves the due date; the ladder is re-planned from it (ladder.ts). A
   * date an earlier version accepted without checking it exists (2027-06-31) is kept as its real
   * day (rollDate), so the letters that print it can render.
   */
  const moveDueDate = (day: string) => {
    const date = rollDate(day);
    const r = rect();
    r.dueDate = date;
    r.overdue = ctx.today() > date;
    ctx.ladder = resetLadder(r.rungIndex, date, plan.rectification.escalation);
  };
  /** Per-case caps (case-limits.ts): a count reached, or the case's byte budget. */
  const requireRoom = (message: string | undefined) => {
    if (message) throw refuse(FailureType.InvalidInput, message);
  };
  const sampled = (id: string) => state.sample?.enterprises.some((e) => e.id === id) ?? false;
  const round = () => state.approval.rounds[state.approval.rounds.length - 1];

  onQuery(visitCaseQuery, () => state);
  // Today from the caller's instant too: the workflow's own time stands still while the case waits.
  onQuery(todoQuery, (asOf?) =>
    caseTodos(state, ctx.clock.today(queryNow(Date.now(), asOf)), (iso) => ctx.clock.today(Date.parse(iso))),
  );

  // ---- on site -----------------------------------------------------------------------------
  onUpdate(
    addEvidenceUpdate,
    AddEvidenceArgs,
    (args) => {
      requireSupervisor(args.actor);
      requireStage('onsite', '添加证据材料');
      const same = state.evidence.find((e) => e.sha256 === args.sha256);
      if (same)
        throw refuse(FailureType.InvalidInput, `同一文件已作为证据 ${same.id}（${same.filename}）登记，不重复登记`);
      if (args.enterprise && !sampled(args.enterprise))
        throw refuse(FailureType.InvalidInput, `企业 ${args.enterprise} 不是本次抽查的企业`);
      requireRoom(overCount(state.evidence.length, CASE_LIMITS.evidence, '证据材料', '件'));
      requireRoom(
        overBudget(
          state,
          { evidence: [...state.evidence, { ...args, id: 'E000000', by: args.actor.id, at: now() }] },
          args.filename,
          EDIT_BUDGET_BYTES,
        ),
      );
    },
    ({ actor, ...args }) => {
      const record = {
        id: `E${state.evidence.length + 1}`,
        sha256: args.sha256,
        size: args.size,
        mediaType: args.mediaType,
        filename: args.filename,
        item: args.item,
        enterprise: args.enterprise,
        note: args.note,
        by: actor.id,
        at: now(),
      };
      state.evidence.push(record);
      ctx.audit(
        actor,
        'addEvidence',
        `${record.id} ${args.filename}（${CHECKLIST_ITEM_LABEL[args.item]}）sha256 ${args.sha256.slice(0, 12)}…`,
      );
      return { ...ack(record.at), id: record.id };
    },
  );

  onUpdate(
    setFindingUpdate,
    SetFindingArgs,
    (args) => {
      requireSupervisor(args.actor);
      requireStage('onsite', '修改检查结论');
      const unknown = args.evidence.filter((id) => !state.evidence.some((e) => e.id === id));
      if (unknown.length) throw refuse(FailureType.InvalidInput, `证据编号不存在：${unknown.join('、')}`);
      const changed = {
        result: args.result,
        problem: args.problem,
        opinion: args.opinion,
        evidence: args.evidence,
        by: args.actor.id,
        at: now(),
      };
      requireRoom(
        overBudget(
          state,
          { findings: state.findings.map((f) => (f.item === args.item ? { ...f, ...changed } : f)) },
          '',
          EDIT_BUDGET_BYTES,
        ),
      );
    },
    (args) => {
      const f = state.findings.find((x) => x.item === args.item)!;
      Object.assign(f, {
        result: args.result,
        problem: args.problem || undefined,
        opinion: args.opinion || undefined,
        evidence: args.evidence,
        prefilled: false,
        by: args.actor.id,
        at: now(),
      });
      ctx.audit(args.actor, 'setFinding', `${CHECKLIST_ITEM_LABEL[args.item]}：${args.result}`);
      return ack(f.at!);
    },
  );

  onUpdate(
    setEnterpriseResultUpdate,
    SetEnterpriseResultArgs,
    (args) => {
      requireSupervisor(args.actor);
      requireStage('onsite', '填写抽查企业核查结果');
      if (!sampled(args.enterprise))
        throw refuse(FailureType.InvalidInput, `企业 ${args.enterprise} 不是本次抽查的企业`);
      const result = enterpriseResult(args, now());
      requireRoom(
        overBudget(
          state,
          { enterprises: [...state.enterprises.filter((e) => e.enterprise !== args.enterprise), result] },
          '',
          EDIT_BUDGET_BYTES,
        ),
      );
    },
    (args) => {
      const result = enterpriseResult(args, now());
      state.enterprises = [...state.enterprises.filter((e) => e.enterprise !== args.enterprise), result];
      const checks = enterpriseChecks(result);
      const problems = checks.filter((c) => c.result === '发现问题').length;
      const name = state.sample?.enterprises.find((e) => e.id === args.enterprise)?.name ?? args.enterprise;
      ctx.audit(
        args.actor,
        'setEnterpriseResult',
        `抽查企业 ${name}：发现问题 ${problems} 条，未发现问题 ${checks.length - problems} 条`,
      );
      return ack(result.at);
    },
  );

  onUpdate(
    submitUpdate,
    ActorOnlyArgs,
    (args) => {
      requireSupervisor(args.actor);
      requireStage('onsite', '提交');
      const missing = incomplete(ctx);
      if (missing.length) throw refuse(FailureType.InvalidInput, `检查结果不完整，不能提交：\n${missing.join('\n')}`);
    },
    (args) => {
      state.stage = 'approval';
      ctx.audit(args.actor, 'submit', '现场指导结束，提交审批');
      return ack(now());
    },
  );

  // ---- approval ----------------------------------------------------------------------------
  const validateDecision = (actor: Actor) => {
    if (actor.role !== 'leader' || actor.id !== currentApprover())
      throw refuse(FailureType.Forbidden, `只有审批人（${personName(plan, currentApprover())}）可以审批此意见书`);
    requireStage('approval', '审批');
    if (!round() || round()!.decision) throw refuse(FailureType.InvalidState, '审批稿尚未生成，请稍后再试');
  };
  // A comment counts against the budget; a bare approval never does, so a full case can still end.
  const roomForComment = (comment: string | undefined) => {
    if (comment) requireRoom(overBudget(state, {}, comment + comment, PROGRESS_BUDGET_BYTES));
  };
  onUpdate(
    approveUpdate,
    DecisionArgs,
    (args) => {
      validateDecision(args.actor);
      roomForComment(args.comment);
    },
    (args) => {
      Object.assign(round()!, { decision: 'approved', by: args.actor.id, at: now(), comment: args.comment });
      state.stage = 'issuing';
      ctx.audit(args.actor, 'approve', `审批通过${args.comment ? `：${args.comment}` : ''}`);
      return ack(round()!.at!);
    },
  );
  onUpdate(
    returnUpdate,
    ReturnArgs,
    (args) => {
      validateDecision(args.actor);
      requireRoom(
        overCount(
          state.approval.rounds.filter((r) => r.decision === 'returned').length,
          CASE_LIMITS.returns,
          '退回修改',
        ),
      );
      roomForComment(args.comment);
    },
    (args) => {
      Object.assign(round()!, { decision: 'returned', by: args.actor.id, at: now(), comment: args.comment });
      state.stage = 'onsite';
      ctx.audit(args.actor, 'return', `退回修改：${args.comment}`);
      return ack(round()!.at!);
    },
  );

  // ---- rectification -----------------------------------------------------------------------
  onUpdate(
    submitReportUpdate,
    SubmitReportArgs,
    (args) => {
      requireCountyOrSupervisor(args.actor);
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
      const overdueDays = Math.max(0, dayNumber(ctx.today()) - dayNumber(r.dueDate));
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
      r.reports.push(report);
      ctx.rectVersion++;
      ctx.audit(
        args.actor,
        'submitReport',
        `提交第 ${report.no} 次整改报告${report.late ? `（逾期 ${overdueDays} 天）` : ''}，附件 ${args.files.length} 个`,
      );
      return { ...ack(report.at), no: report.no, daysOverdue: report.daysOverdue };
    },
  );

  onUpdate(
    reviewReportUpdate,
    ReviewReportArgs,
    (args) => {
      requireSupervisor(args.actor);
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
      const resubmitBy = accepted
        ? undefined
        : onOrNextWorkingDay(addDays(ctx.today(), plan.rectification.resubmitDays), ctx.calendar());
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
      if (resubmitBy) moveDueDate(resubmitBy);
      ctx.rectVersion++;
      return { ...ack(report.review.at), no: report.no, decision: args.decision, dueDate: r.dueDate };
    },
  );

  onUpdate(
    extendDueUpdate,
    ExtendDueArgs,
    (args) => {
      requireSupervisor(args.actor);
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
      moveDueDate(to);
      ctx.rectVersion++;
      return { ...ack(at), dueDate: r.dueDate };
    },
  );

  onUpdate(
    recordReinspectionUpdate,
    RecordReinspectionArgs,
    (args) => {
      requireSupervisor(args.actor);
      requireStage('reinspection', '记录复查结果');
      if (rect().reinspection) throw refuse(FailureType.InvalidState, '复查结果已记录');
      const problems = rect().problems;
      const seen = new Set(args.items.map((i) => i.index));
      const unknown = args.items.filter((i) => i.index >= problems.length).map((i) => `第 ${i.index + 1} 项`);
      const missing = problems
        .map((p, i) => (seen.has(i) ? '' : `第 ${i + 1} 项（${p.slice(0, 20)}…）`))
        .filter(Boolean);
      if (unknown.length) throw refuse(FailureType.InvalidInput, `意见书中没有这些问题：${unknown.join('、')}`);
      if (missing.length)
        throw refuse(FailureType.InvalidInput, `复查只查意见书中的问题，须逐项填写：缺 ${missing.join('、')}`);
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
      return ack(r.reinspection.at);
    },
  );

  registerLaterHandlers(ctx, { now, moveDueDate });
}

/** Everything that keeps the findings from being submitted, one line each. */
export function incomplete(ctx: VisitContext): string[] {
  const { state } = ctx;
  const lines: string[] = [];
  for (const f of state.findings) {
    const label = CHECKLIST_ITEM_LABEL[f.item];
    if (!f.result) lines.push(`- ${label}：未填写检查结论`);
    else if (f.result === '不符合' && (!f.problem || !f.opinion))
      lines.push(`- ${label}：结论为不符合，须填写存在问题和处理意见`);
  }
  for (const e of state.sample?.enterprises ?? []) {
    if (!state.enterprises.some((r) => r.enterprise === e.id)) lines.push(`- 抽查企业 ${e.name}：未填写核查结果`);
  }
  return lines;
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

/** The case's record of an enterprise check; `findings` keeps the problems for readers from before `checks`. */
function enterpriseResult(args: SetEnterpriseResultArgs, at: string): EnterpriseResult {
  if (!args.checks) return { enterprise: args.enterprise, findings: args.findings ?? [], by: args.actor.id, at };
  const findings = args.checks.filter((c) => c.result === '发现问题').map((c) => c.text);
  return { enterprise: args.enterprise, findings, checks: args.checks, by: args.actor.id, at };
}
