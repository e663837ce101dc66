/**
 * A county's guidance visit (执法指导), from the advance notice to the opinion letter in the
 * county's mailbox: notice → (visit date) → random sampling (双随机) → evidence and findings →
 * submit → approval (法制审核 / 分管领导审批, reminders, deputy) → numbered letter → delivered.
 * Every human step is a validated Update; every step goes into the case's audit log (全过程记录).
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  GuidanceBureau,
  GuidanceCounty,
  GuidanceDueDate,
  GuidanceOverdue,
  GuidanceRung,
  GuidanceStage,
  GuidanceYear,
  dueDateValue,
} from './shared/search-attributes';
import type { createArchiveActivities } from '../activities/archive';
import type { createDocNumberActivities } from '../activities/docnumber';
import type { DocumentActivities } from '../activities/documents';
import type { createProgrammeActivities } from '../activities/programme';
import type { createSamplingActivities } from '../activities/sampling';
import { deliverLetter } from './lib/delivery';
import { CHECKLIST, CHECKLIST_KEYS, CHECKLIST_ITEM_LABEL, checklistItem } from './shared/checklist';
import { Clock, addDays, dayNumber } from './shared/clock';
import { visitProgressSignal, type Actor, type AuditEntry, type VisitProgress } from './shared/definitions';
import { formatDateZh, formatDocNumber, DOCUMENT_KIND_NAMES, type RenderResult } from './shared/documents';
import type { MailAddress } from './shared/email';
import { FailureType } from './shared/errors';
import { formatIssues } from './shared/plan';
import { addWorkingDays, onOrNextWorkingDay, snapshotCalendar, subtractWorkingDays, type WorkingDayCalendar } from './shared/schedule';
import {
  ActorOnlyArgs,
  AddEvidenceArgs,
  ExtendDueArgs,
  RecordReinspectionArgs,
  recordReinspectionUpdate,
  ReviewReportArgs,
  SubmitReportArgs,
  extendDueUpdate,
  reviewReportUpdate,
  submitReportUpdate,
  type RectificationReport,
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
  visitCaseQuery,
  STAGE_LABEL,
  type Finding,
  type LetterSent,
  type Rectification,
  type VisitCase,
  type VisitInput,
} from './shared/visit';
import type { z } from 'zod';

/** Document-number series: [workflow key, the character in the number]. */
const SERIES = {
  notice: ['notice', '函'],
  warning: ['notice', '函'],
  opinion: ['opinion', '指导'],
  acceptance: ['opinion', '指导'],
  urge: ['urge', '催'],
  supervise: ['supervise', '督'],
  summons: ['summons', '约'],
} as const;

/** Rendering: CPU-bound and local; a bad template is permanent. */
const render = proxyActivities<DocumentActivities>({
  // A render takes milliseconds; a worker killed mid-render is retried after this.
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.TemplateError, FailureType.InvalidInput] },
});
/** Bookkeeping: calendar, sampling, numbers — quick and idempotent. */
const store = proxyActivities<
  ReturnType<typeof createProgrammeActivities> & ReturnType<typeof createSamplingActivities> & ReturnType<typeof createDocNumberActivities> & ReturnType<typeof createArchiveActivities>
>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 20, nonRetryableErrorTypes: [FailureType.InvalidInput] },
});

function failure(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw failure(FailureType.InvalidInput, formatIssues(r.error).join('；'));
  return r.data;
}

export async function countyVisitWorkflow(input: VisitInput): Promise<VisitCase> {
  const { plan, county } = input;
  const caseId = workflowInfo().workflowId;
  const epoch = input.timeScaleEpochMs ?? workflowInfo().startTime.getTime();
  const clock = input.timeScale ? Clock.compressed(input.timeScale, epoch) : Clock.real();
  const today = () => clock.today(Date.now());
  const supervisorsMail: MailAddress[] = plan.supervisors.filter((s) => s.email).map((s) => ({ name: s.name, address: s.email! }));
  const countyMail: MailAddress[] = county.emails.map((address) => ({ name: county.bureauName, address }));

  const state: VisitCase = {
    caseId,
    year: plan.year,
    bureau: plan.bureau.code,
    county: county.code,
    countyName: county.name,
    date: input.date,
    stage: 'notice',
    evidence: [],
    findings: CHECKLIST_KEYS.map((item) => ({ item, evidence: [] })),
    enterprises: [],
    approval: { approver: plan.approval.approver.id, rounds: [] },
    audit: [],
  };
  for (const d of input.statsDrafts ?? []) {
    const f = state.findings.find((x) => x.item === d.item)!;
    f.problem = f.problem ? `${f.problem}\n${d.problem}` : d.problem;
    f.opinion = f.opinion ? `${f.opinion}\n${d.opinion}` : d.opinion;
    f.prefilled = true;
  }

  const audit = (by: Actor | 'system', action: string, detail: string) => {
    const entry: AuditEntry = { at: new Date().toISOString(), by: by === 'system' ? 'system' : by.id, role: by === 'system' ? 'system' : by.role, action, detail };
    state.audit.push(entry);
    // Every step is audited, so this is where the visible status is kept current.
    publish();
  };
  const finding = (item: string) => state.findings.find((f) => f.item === item)!;
  /**
   * Publishes the case's stage, due date, rung and overdue flag as search attributes, so the board
   * and `guidance list` find it through Temporal visibility. Skipped where the service has no
   * visibility (the time-skipping test server).
   */
  let published = '';
  let reported = '';
  const publish = () => {
    const r = state.rectification;
    if (input.reportTo) {
      const progress: VisitProgress = {
        county: county.code,
        stage: state.stage,
        docNumber: state.letter?.docNumber,
        dueDate: r?.dueDate,
        rung: r?.rung,
        overdue: r?.overdue,
        daysOverdue: r ? Math.max(0, dayNumber(today()) - dayNumber(r.dueDate)) : undefined,
        listedInBulletin: r?.listedInBulletin,
        reportPending: r?.reports.some((x) => !x.review) ?? false,
        deductPoints: r?.deductions.reduce((a, b) => a + b.points, 0),
        openProblems: state.stage === 'rectification' ? r?.problems : [],
      };
      const key = JSON.stringify(progress);
      if (key !== reported) {
        reported = key;
        // The programme may have ended (its visits outlive it): a lost progress note harms nothing.
        void getExternalWorkflowHandle(input.reportTo).signal(visitProgressSignal, progress).catch(() => undefined);
      }
    }
    if (!input.visibility) return;
    const key = JSON.stringify([state.stage, r?.dueDate, r?.rung, r?.overdue]);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: GuidanceYear, value: plan.year },
      { key: GuidanceBureau, value: plan.bureau.code },
      { key: GuidanceCounty, value: county.code },
      { key: GuidanceStage, value: state.stage },
      { key: GuidanceRung, value: r?.rung ?? 'none' },
      { key: GuidanceOverdue, value: r?.overdue ?? false },
      ...(r ? [{ key: GuidanceDueDate, value: dueDateValue(r.dueDate) }] : []),
    ]);
  };
  /** Bumped by every rectification Update so the ladder loop re-plans instead of sleeping on. */
  let rectVersion = 0;
  /** Rung i falls due on `base + daysAfterDue[i] - shift`; reset by a return or an extension. */
  let ladder = { base: input.date, shift: 0 };

  // ---- who may do what ---------------------------------------------------------------------
  const requireSupervisor = (actor: Actor) => {
    if (actor.role !== 'supervisor' || !plan.supervisors.some((s) => s.id === actor.id)) {
      throw failure(FailureType.Forbidden, '只有本计划指导组的执法指导人员可以进行此操作');
    }
  };
  const currentApprover = () => state.approval.passedTo ?? state.approval.approver;
  const requireApprover = (actor: Actor) => {
    if (actor.role !== 'leader' || actor.id !== currentApprover()) {
      throw failure(FailureType.Forbidden, `只有审批人（${currentApprover()}）可以审批此意见书`);
    }
  };
  const requireStage = (stage: VisitCase['stage'], what: string) => {
    if (state.stage === 'issued' || state.stage === 'cancelled') throw failure(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
    if (state.stage !== stage) throw failure(FailureType.InvalidState, `当前阶段为“${stageName(state.stage)}”，不能${what}`);
  };

  // ---- reads ---------------------------------------------------------------------------------
  setHandler(visitCaseQuery, () => state);

  // ---- on-site Updates -----------------------------------------------------------------------
  setHandler(
    addEvidenceUpdate,
    (raw) => {
      const args = parse(AddEvidenceArgs, raw);
      const record = {
        id: `E${state.evidence.length + 1}`,
        sha256: args.sha256,
        size: args.size,
        mediaType: args.mediaType,
        filename: args.filename,
        item: args.item,
        enterprise: args.enterprise,
        note: args.note,
        by: args.actor.id,
        at: new Date().toISOString(),
      };
      state.evidence.push(record);
      audit(args.actor, 'addEvidence', `${record.id} ${args.filename}（${CHECKLIST_ITEM_LABEL[args.item]}）sha256 ${args.sha256.slice(0, 12)}…`);
      return record;
    },
    {
      validator: (raw) => {
        const args = parse(AddEvidenceArgs, raw);
        requireSupervisor(args.actor);
        requireStage('onsite', '添加证据材料');
        const same = state.evidence.find((e) => e.sha256 === args.sha256);
        if (same) throw failure(FailureType.InvalidInput, `同一文件已作为证据 ${same.id}（${same.filename}）登记，不重复登记`);
        if (args.enterprise && !state.sample?.enterprises.some((e) => e.id === args.enterprise)) {
          throw failure(FailureType.InvalidInput, `企业 ${args.enterprise} 不是本次抽查的企业`);
        }
      },
    },
  );

  setHandler(
    setFindingUpdate,
    (raw) => {
      const args = parse(SetFindingArgs, raw);
      const f = finding(args.item);
      Object.assign(f, { result: args.result, problem: args.problem || undefined, opinion: args.opinion || undefined, evidence: args.evidence, prefilled: false, by: args.actor.id, at: new Date().toISOString() });
      audit(args.actor, 'setFinding', `${CHECKLIST_ITEM_LABEL[args.item]}：${args.result}`);
      return { ...f };
    },
    {
      validator: (raw) => {
        const args = parse(SetFindingArgs, raw);
        requireSupervisor(args.actor);
        requireStage('onsite', '修改检查结论');
        const unknown = args.evidence.filter((id) => !state.evidence.some((e) => e.id === id));
        if (unknown.length) throw failure(FailureType.InvalidInput, `证据编号不存在：${unknown.join('、')}`);
      },
    },
  );

  setHandler(
    setEnterpriseResultUpdate,
    (raw) => {
      const args = parse(SetEnterpriseResultArgs, raw);
      const result = { enterprise: args.enterprise, findings: args.findings, by: args.actor.id, at: new Date().toISOString() };
      state.enterprises = [...state.enterprises.filter((e) => e.enterprise !== args.enterprise), result];
      audit(args.actor, 'setEnterpriseResult', `抽查企业 ${args.enterprise}：${args.findings.length} 条核查结果`);
      return result;
    },
    {
      validator: (raw) => {
        const args = parse(SetEnterpriseResultArgs, raw);
        requireSupervisor(args.actor);
        requireStage('onsite', '填写抽查企业核查结果');
        if (!state.sample?.enterprises.some((e) => e.id === args.enterprise)) throw failure(FailureType.InvalidInput, `企业 ${args.enterprise} 不是本次抽查的企业`);
      },
    },
  );

  setHandler(
    submitUpdate,
    (raw) => {
      const args = parse(ActorOnlyArgs, raw);
      state.stage = 'approval';
      audit(args.actor, 'submit', '现场指导结束，提交审批');
      return state;
    },
    {
      validator: (raw) => {
        const args = parse(ActorOnlyArgs, raw);
        requireSupervisor(args.actor);
        requireStage('onsite', '提交');
        const missing = incomplete();
        if (missing.length) throw failure(FailureType.InvalidInput, `检查结果不完整，不能提交：\n${missing.join('\n')}`);
      },
    },
  );

  // ---- approval Updates ----------------------------------------------------------------------
  const round = () => state.approval.rounds[state.approval.rounds.length - 1];
  setHandler(
    approveUpdate,
    (raw) => {
      const args = parse(DecisionArgs, raw);
      Object.assign(round()!, { decision: 'approved', by: args.actor.id, at: new Date().toISOString(), comment: args.comment });
      state.stage = 'issuing';
      audit(args.actor, 'approve', `审批通过${args.comment ? `：${args.comment}` : ''}`);
      return state;
    },
    { validator: (raw) => validateDecision(parse(DecisionArgs, raw).actor) },
  );
  setHandler(
    returnUpdate,
    (raw) => {
      const args = parse(ReturnArgs, raw);
      Object.assign(round()!, { decision: 'returned', by: args.actor.id, at: new Date().toISOString(), comment: args.comment });
      state.stage = 'onsite';
      audit(args.actor, 'return', `退回修改：${args.comment}`);
      return state;
    },
    { validator: (raw) => validateDecision(parse(ReturnArgs, raw).actor) },
  );
  function validateDecision(actor: Actor) {
    requireApprover(actor);
    requireStage('approval', '审批');
    if (!round() || round()!.decision) throw failure(FailureType.InvalidState, '审批稿尚未生成，请稍后再试');
  }

  // ---- rectification Updates -----------------------------------------------------------------
  const requireCountyOrSupervisor = (actor: Actor) => {
    if (actor.role === 'county') {
      if (actor.county !== county.code) throw failure(FailureType.Forbidden, '县区只能提交本县区的整改报告');
      return;
    }
    requireSupervisor(actor);
  };
  setHandler(
    submitReportUpdate,
    (raw) => {
      const args = parse(SubmitReportArgs, raw);
      const rect = state.rectification!;
      const overdueDays = Math.max(0, dayNumber(today()) - dayNumber(rect.dueDate));
      const report: RectificationReport = {
        no: rect.reports.length + 1,
        at: new Date().toISOString(),
        date: today(),
        by: args.actor.id,
        role: args.actor.role,
        late: overdueDays > 0,
        daysOverdue: overdueDays,
        files: args.files,
        items: args.items,
        note: args.note,
      };
      rect.reports.push(report);
      rectVersion++;
      audit(args.actor, 'submitReport', `提交第 ${report.no} 次整改报告${report.late ? `（逾期 ${overdueDays} 天）` : ''}，附件 ${args.files.length} 个`);
      return report;
    },
    {
      validator: (raw) => {
        const args = parse(SubmitReportArgs, raw);
        requireCountyOrSupervisor(args.actor);
        requireStage('rectification', '提交整改报告');
        const rect = state.rectification!;
        if (rect.reports.some((r) => !r.review)) throw failure(FailureType.InvalidState, '上一次整改报告尚在审核中，请等待审核结果');
        const problems: string[] = [];
        const seen = new Set<number>();
        for (const it of args.items) {
          if (it.index >= rect.problems.length) problems.push(`第 ${it.index + 1} 项：意见书中没有这一项问题`);
          if (seen.has(it.index)) problems.push(`第 ${it.index + 1} 项重复填写`);
          seen.add(it.index);
          if (it.status === '正在整改' && !it.date) problems.push(`第 ${it.index + 1} 项：正在整改须填写预计完成日期`);
          if (it.status === '无法整改' && !it.reason) problems.push(`第 ${it.index + 1} 项：无法整改须说明理由`);
        }
        rect.problems.forEach((p, i) => {
          if (!seen.has(i)) problems.push(`第 ${i + 1} 项（${p.slice(0, 20)}…）：未填写整改情况`);
        });
        if (problems.length) throw failure(FailureType.InvalidInput, `整改报告不完整：\n${problems.join('\n')}`);
      },
    },
  );

  setHandler(
    reviewReportUpdate,
    async (raw) => {
      const args = parse(ReviewReportArgs, raw);
      const rect = state.rectification!;
      const report = rect.reports.find((r) => !r.review)!;
      const reasons = args.reasons ?? [];
      report.review = { decision: args.decision, by: args.actor.id, at: new Date().toISOString(), reasons };
      const accepted = args.decision === 'accept';
      const resubmitBy = accepted ? undefined : onOrNextWorkingDay(addDays(today(), plan.rectification.resubmitDays), cal);
      audit(args.actor, 'reviewReport', accepted ? `第 ${report.no} 次整改报告验收通过` : `第 ${report.no} 次整改报告退回：${reasons.join('；')}，重新报送期限 ${resubmitBy}`);
      if (!accepted) {
        // A new due date; the ladder resumes from the rung where it stood.
        rect.dueDate = resubmitBy!;
        rect.overdue = false;
        resetLadder(rect);
      }
      // Accepted: the case leaves rectification now, so no reminder or rung can fire meanwhile;
      // with 复查 in the plan it waits for the follow-up check, else it closes.
      const reinspect = accepted && plan.rectification.reinspection;
      if (accepted) state.stage = reinspect ? 'reinspection' : 'closed';
      rectVersion++;
      report.review.letter = await sendAcceptance(report, accepted, reasons, resubmitBy);
      if (accepted && !reinspect) await closeCase();
      return report;
    },
    {
      validator: (raw) => {
        const args = parse(ReviewReportArgs, raw);
        requireSupervisor(args.actor);
        requireStage('rectification', '审核整改报告');
        if (!state.rectification!.reports.some((r) => !r.review)) throw failure(FailureType.InvalidState, '没有待审核的整改报告');
        if (args.decision === 'return' && !(args.reasons ?? []).length) throw failure(FailureType.InvalidInput, '退回整改报告必须写明理由');
      },
    },
  );

  setHandler(
    extendDueUpdate,
    (raw) => {
      const args = parse(ExtendDueArgs, raw);
      const rect = state.rectification!;
      rect.extensions.push({ by: args.actor.id, at: new Date().toISOString(), from: rect.dueDate, to: args.newDueDate, reason: args.reason });
      audit(args.actor, 'extendDue', `整改期限由 ${rect.dueDate} 延至 ${args.newDueDate}：${args.reason}`);
      rect.dueDate = args.newDueDate;
      rect.overdue = today() > rect.dueDate;
      resetLadder(rect);
      rectVersion++;
      return rect;
    },
    {
      validator: (raw) => {
        const args = parse(ExtendDueArgs, raw);
        requireSupervisor(args.actor);
        requireStage('rectification', '延长整改期限');
        const rect = state.rectification!;
        if (args.newDueDate <= rect.dueDate) throw failure(FailureType.InvalidInput, `新的期限应晚于现有期限 ${rect.dueDate}`);
        if (args.newDueDate < today()) throw failure(FailureType.InvalidInput, `新的期限 ${args.newDueDate} 已过`);
        if (!cal.isWorkingDay(args.newDueDate)) throw failure(FailureType.InvalidInput, `新的期限 ${args.newDueDate} 是休息日或法定节假日，请选择工作日`);
      },
    },
  );

  setHandler(
    recordReinspectionUpdate,
    async (raw) => {
      const args = parse(RecordReinspectionArgs, raw);
      const rect = state.rectification!;
      rect.reinspection = { by: args.actor.id, at: new Date().toISOString(), date: args.date, items: args.items };
      const failed = args.items.filter((i) => !i.passed).length;
      audit(args.actor, 'reinspection', `复查 ${args.items.length} 项问题，${failed ? `${failed} 项未整改到位` : '全部整改到位'}`);
      state.stage = 'closed';
      await closeCase();
      return rect;
    },
    {
      validator: (raw) => {
        const args = parse(RecordReinspectionArgs, raw);
        requireSupervisor(args.actor);
        requireStage('reinspection', '记录复查结果');
        const rect = state.rectification!;
        const seen = new Set(args.items.map((i) => i.index));
        const missing = rect.problems.map((p, i) => (seen.has(i) ? '' : `第 ${i + 1} 项（${p.slice(0, 20)}…）`)).filter(Boolean);
        const unknown = args.items.filter((i) => i.index >= rect.problems.length).map((i) => `第 ${i.index + 1} 项`);
        if (unknown.length) throw failure(FailureType.InvalidInput, `意见书中没有这些问题：${unknown.join('、')}`);
        if (missing.length) throw failure(FailureType.InvalidInput, `复查只查意见书中的问题，须逐项填写：缺 ${missing.join('、')}`);
      },
    },
  );

  /** After a return or an extension: the next rung falls due the day after the new due date. */
  function resetLadder(rect: Rectification) {
    const steps = plan.rectification.escalation;
    const next = steps[rect.rungIndex + 1];
    ladder = rect.rungIndex < 0 || !next ? { base: rect.dueDate, shift: 0 } : { base: rect.dueDate, shift: next.daysAfterDue - 1 };
  }

  /** Everything that keeps the findings from being submitted, one line each. */
  function incomplete(): string[] {
    const lines: string[] = [];
    for (const f of state.findings) {
      const label = CHECKLIST_ITEM_LABEL[f.item];
      if (!f.result) lines.push(`- ${label}：未填写检查结论`);
      else if (f.result === '不符合' && (!f.problem || !f.opinion)) lines.push(`- ${label}：结论为不符合，须填写存在问题和处理意见`);
    }
    for (const e of state.sample?.enterprises ?? []) {
      if (!state.enterprises.some((r) => r.enterprise === e.id)) lines.push(`- 抽查企业 ${e.name}：未填写核查结果`);
    }
    return lines;
  }

  // ================================================================================================
  // 0. The calendar of this year and the next (a due date can cross the year end), recorded once.
  const cal: WorkingDayCalendar = snapshotCalendar([await store.calendarSnapshot(plan.year), await store.calendarSnapshot(plan.year + 1)]);

  // 1. Advance notice (执法指导通知), a configured number of working days before the visit.
  const noticeDate = subtractWorkingDays(input.date, plan.visit.noticeWorkingDays, cal);
  await sleepUntil(noticeDate);
  const noticeSeq = await store.allocateDocNumber({ year: plan.year, bureau: plan.bureau.code, series: 'notice', requestId: `${caseId}:notice` });
  const noticeNumber = formatDocNumber(plan.bureau.shortName, plan.year, noticeSeq, '函');
  const noticeDoc = await render.renderDocument({
    kind: 'notice',
    caseId,
    key: 'notice',
    data: {
      bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
      issueDate: today(),
      recipient: county.bureauName,
      docNumber: noticeNumber,
      county: { name: county.name, bureauName: county.bureauName },
      programme: `《${plan.year}年度安全生产执法指导工作方案》`,
      visit: { date: input.date, time: '上午9:00', place: county.bureauName },
      team: {
        leader: { name: plan.supervisors[0]!.name, title: '组长' },
        members: plan.supervisors.slice(1).map((s) => ({ name: s.name, title: '组员' })),
      },
      sampleSize: plan.visit.sampleSize,
      checklist: CHECKLIST.map((s) => ({ title: s.title, items: s.items.map((i) => ({ title: i.title, materials: i.materials })) })),
    },
  });
  state.notice = { docNumber: noticeNumber, document: noticeDoc };
  audit('system', 'notice', `生成执法指导通知 ${noticeNumber}`);
  state.notice.delivery = await deliverLetter({
    step: 'notice',
    to: countyMail,
    content: {
      subject: `【执法指导通知】${noticeNumber} 关于对${county.bureauName}开展安全生产执法指导的通知`,
      paragraphs: [`${county.bureauName}：`, `我局定于 ${formatDateZh(input.date)} 对你局开展安全生产执法指导，请按附件通知准备相关材料。`],
      signature: [plan.bureau.name, formatDateZh(today())],
    },
    attachments: [attachment(noticeDoc, `${noticeNumber}-${DOCUMENT_KIND_NAMES.notice}.pdf`)],
    supervisors: supervisorsMail,
    retry: input.mailRetry,
  });
  audit('system', 'noticeDelivered', `通知送达：${state.notice.delivery.status}`);

  // 2. Wait for the visit date.
  state.stage = 'waiting';
  await sleepUntil(input.date);

  // 3. Random sampling (双随机): seeded with Temporal's deterministic randomness, recorded.
  // The draw comes first: on-site Updates are accepted only once the sampled enterprises are known.
  state.sample = await store.drawSample({ roster: county.enterprises, seed: uuid4(), size: plan.visit.sampleSize });
  state.stage = 'onsite';
  audit('system', 'sample', `随机抽取企业：${state.sample.enterprises.map((e) => e.name).join('、')}（种子 ${state.sample.seed}，名单 sha256 ${state.sample.rosterSha256.slice(0, 16)}…）`);

  // 4–6. Findings, submit, approval; a return goes back to findings.
  while (true) {
    await condition(() => state.stage === 'approval');
    const draft = await renderOpinion('draft', `draft-${state.approval.rounds.length + 1}`, undefined);
    const r: VisitCase['approval']['rounds'][number] = { draft, sentAt: new Date().toISOString(), reminders: [] };
    state.approval.rounds.push(r);
    await sendForApproval(draft, false);
    // Unanswered for the plan's period: remind; unanswered again: pass to the deputy.
    let waits = 0;
    while (!r.decision) {
      const deadline = addWorkingDays(addDays(today(), 1), plan.approval.periodDays - 1, cal);
      if (await condition(() => r.decision !== undefined, clock.msUntil(deadline, Date.now()))) break;
      waits++;
      if (waits === 1 || !plan.approval.deputy || state.approval.passedTo) {
        r.reminders.push(new Date().toISOString());
        audit('system', 'approvalReminder', `提醒审批人 ${currentApprover()}`);
        await sendForApproval(draft, true);
      } else {
        state.approval.passedTo = plan.approval.deputy.id;
        audit('system', 'approvalPassed', `审批人逾期未审批，转由 ${plan.approval.deputy.name} 审批`);
        await sendForApproval(draft, false);
      }
    }
    if (r.decision === 'approved') break;
  }

  // 7. Issue: number, due date, letter, delivery.
  const seq = await store.allocateDocNumber({ year: plan.year, bureau: plan.bureau.code, series: 'opinion', requestId: `${caseId}:opinion` });
  const docNumber = formatDocNumber(plan.bureau.shortName, plan.year, seq);
  const issueDate = today();
  // Rule for periods: a period ending on a holiday ends on the next working day.
  const dueDate = onOrNextWorkingDay(addDays(issueDate, plan.rectification.periodDays), cal);
  const letterDoc = await renderOpinion('final', 'final', { docNumber, issueDate, dueDate });
  state.letter = { docNumber, issueDate, dueDate, document: letterDoc };
  audit('system', 'issue', `出具意见书 ${docNumber}，整改期限 ${dueDate}`);
  state.letter.delivery = await deliverLetter({
    step: 'opinion',
    to: countyMail,
    content: {
      subject: `【安全生产执法指导意见书】${docNumber}`,
      paragraphs: [
        `${county.bureauName}：`,
        `我局于 ${formatDateZh(input.date)} 对你局执法工作进行了检查指导，现将《安全生产执法指导意见书》（${docNumber}）发给你们。`,
        `请认真研究，落实处理意见，并于 ${formatDateZh(dueDate)} 前将整改结果报告我局。`,
      ],
      signature: [plan.bureau.name, formatDateZh(issueDate)],
    },
    attachments: [attachment(letterDoc, `${docNumber}-${DOCUMENT_KIND_NAMES.opinion}.pdf`)],
    supervisors: supervisorsMail,
    retry: input.mailRetry,
  });
  state.stage = 'issued';
  audit('system', 'letterDelivered', `意见书送达：${state.letter.delivery.status}`);

  // 8. Rectification (整改): reminders, the escalation ladder, the county's report, review.
  const letter = state.letter;
  const rect: Rectification = {
    problems: letterProblems(),
    dueDate,
    rungIndex: -1,
    rung: 'none',
    overdue: false,
    reminders: [],
    escalations: [],
    reports: [],
    extensions: [],
    deductions: [],
    listedInBulletin: false,
  };
  state.rectification = rect;
  state.stage = 'rectification';
  ladder = { base: dueDate, shift: 0 };
  rectVersion++;
  while (state.stage === 'rectification') {
    const pending = rect.reports.find((r) => !r.review);
    const seen = rectVersion;
    const changed = () => rectVersion !== seen || state.stage !== 'rectification';
    if (pending) {
      // The ladder stops the moment a report arrives; it waits for the supervisor's review.
      await condition(changed);
      continue;
    }
    const next = nextRectificationEvent();
    if (!next) {
      await condition(changed);
      continue;
    }
    if (await condition(changed, clock.msUntil(next.date, Date.now()))) continue;
    rect.overdue = today() > rect.dueDate;
    if (next.kind === 'reminder') await sendReminder(next.daysBefore);
    else await escalate(next.index);
  }
  // 复查 (when the plan asks for it): the supervisor records the follow-up check, which closes the case.
  await condition(() => state.stage !== 'reinspection');
  // The acceptance letter and the archive are written by the Update handlers.
  await condition(allHandlersFinished);
  return state;

  /** The next reminder or rung that falls due, or undefined when the ladder is exhausted. */
  function nextRectificationEvent(): { kind: 'reminder'; daysBefore: number; date: string } | { kind: 'rung'; index: number; date: string } | undefined {
    const events: ({ kind: 'reminder'; daysBefore: number; date: string } | { kind: 'rung'; index: number; date: string })[] = [];
    for (const d of plan.rectification.reminderDaysBefore) {
      const date = addDays(rect.dueDate, -d);
      // Only reminders still ahead, and each once per due date (an extension brings new ones).
      if (date >= today() && !rect.reminders.some((r) => r.daysBefore === d && r.dueDate === rect.dueDate)) {
        events.push({ kind: 'reminder', daysBefore: d, date });
      }
    }
    const ladderSteps = plan.rectification.escalation;
    const i = rect.rungIndex + 1;
    if (i < ladderSteps.length) events.push({ kind: 'rung', index: i, date: addDays(ladder.base, ladderSteps[i]!.daysAfterDue - ladder.shift) });
    events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    return events[0];
  }

  async function sendReminder(daysBefore: number) {
    const doc = await render.renderDocument({
      kind: 'reminder',
      caseId,
      key: `reminder-${rect.dueDate}-${daysBefore}`,
      data: { ...letterCommon(), opinion: { docNumber: letter.docNumber, issueDate: letter.issueDate }, dueDate: rect.dueDate, daysLeft: daysBefore } as never,
    });
    const sent: LetterSent & { daysBefore: number } = { kind: 'reminder', date: today(), document: doc, daysBefore, dueDate: rect.dueDate };
    rect.reminders.push(sent);
    audit('system', 'reminder', `整改到期提醒（距期限 ${daysBefore} 天，期限 ${rect.dueDate}）`);
    sent.delivery = await deliverLetter({
      step: `reminder-${rect.dueDate}-${daysBefore}`,
      to: countyMail,
      content: {
        subject: `【整改到期提醒】${letter.docNumber} 整改结果请于 ${formatDateZh(rect.dueDate)} 前报告`,
        paragraphs: [`${county.bureauName}：`, `根据《安全生产执法指导意见书》（${letter.docNumber}），你局整改结果应于 ${formatDateZh(rect.dueDate)} 前报告我局，距期限还有 ${daysBefore} 天。`],
        signature: [plan.bureau.name, formatDateZh(today())],
      },
      attachments: [attachment(doc, `${letter.docNumber}-${DOCUMENT_KIND_NAMES.reminder}.pdf`)],
      supervisors: supervisorsMail,
      retry: input.mailRetry,
    });
  }

  async function escalate(index: number) {
    const step = plan.rectification.escalation[index]!;
    const daysOverdue = dayNumber(today()) - dayNumber(rect.dueDate);
    rect.rungIndex = index;
    rect.rung = step.rung;
    if (step.deductPoints > 0) rect.deductions.push({ rung: step.rung, points: step.deductPoints, date: today() });
    if (step.rung === 'bulletin') {
      // Listed in the next 通报 and 考核扣分 recorded; the bulletin itself is the programme's.
      rect.listedInBulletin = true;
      audit('system', 'escalate', `逾期 ${daysOverdue} 天：列入通报${step.deductPoints ? `，考核扣 ${step.deductPoints} 分` : ''}`);
      return;
    }
    const kind = step.rung;
    const [seriesKey, seriesName] = SERIES[kind];
    const seq = await store.allocateDocNumber({ year: plan.year, bureau: plan.bureau.code, series: seriesKey, requestId: `${caseId}:${kind}:${rect.escalations.length + 1}` });
    const docNumber = formatDocNumber(plan.bureau.shortName, plan.year, seq, seriesName);
    const replyBy = onOrNextWorkingDay(addDays(today(), 5), cal);
    const previous = rect.escalations.map((e) => ({ name: DOCUMENT_KIND_NAMES[e.kind as 'urge'], docNumber: e.docNumber, issueDate: e.date }));
    const leaderCc = step.ccLeader ? [`市应急管理局分管负责人${plan.approval.approver.name}`] : [];
    const base = { ...letterCommon(), docNumber, opinion: { docNumber: letter.docNumber, issueDate: letter.issueDate }, dueDate: rect.dueDate, daysOverdue, record: { cc: leaderCc } };
    const data =
      kind === 'urge'
        ? { ...base, replyBy }
        : kind === 'supervise'
          ? { ...base, replyBy, previous, requirements: ['逐项对照意见书提出的处理意见，明确整改责任人、整改措施和完成时限。', '立即报送整改结果报告。'] }
          : kind === 'warning'
            ? { ...base, replyBy, previous, consequences: ['约谈你局主要负责人；', '在全市安全生产执法指导情况通报中予以通报；', '在县级政府年度安全生产考核中扣分。'] }
            : {
                ...base,
                previous,
                summoned: '你局主要负责人',
                meeting: { date: onOrNextWorkingDay(addDays(today(), 3), cal), time: '下午3:00', place: `${plan.bureau.name}会议室` },
                interviewer: `市应急管理局分管负责人${plan.approval.approver.name}`,
                bring: ['执法指导整改情况报告', '未完成整改事项的原因说明及时间计划'],
              };
    const doc = await render.renderDocument({ kind, caseId, key: `${kind}-${rect.escalations.length + 1}`, data: data as never });
    const sent: LetterSent & { rung: string; daysOverdue: number } = { kind, docNumber, date: today(), dueDate: rect.dueDate, document: doc, rung: step.rung, daysOverdue };
    rect.escalations.push(sent);
    audit('system', 'escalate', `逾期 ${daysOverdue} 天：${DOCUMENT_KIND_NAMES[kind]} ${docNumber}${step.deductPoints ? `，考核扣 ${step.deductPoints} 分` : ''}`);
    const leader = plan.approval.approver;
    sent.delivery = await deliverLetter({
      step: `escalation-${kind}-${rect.escalations.length}`,
      to: countyMail,
      cc: step.ccLeader && leader.email ? [{ name: leader.name, address: leader.email }] : [],
      content: {
        subject: `【${DOCUMENT_KIND_NAMES[kind]}】${docNumber} 关于${letter.docNumber}整改逾期`,
        paragraphs: [`${county.bureauName}：`, `你局整改结果报告已逾期 ${daysOverdue} 天（期限 ${formatDateZh(rect.dueDate)}），现发出${DOCUMENT_KIND_NAMES[kind]}，见附件。`],
        signature: [plan.bureau.name, formatDateZh(today())],
      },
      attachments: [attachment(doc, `${docNumber}-${DOCUMENT_KIND_NAMES[kind]}.pdf`)],
      supervisors: supervisorsMail,
      retry: input.mailRetry,
    });
  }

  /** Problems of the letter, one line each, as the county answers them. */
  function letterProblems(): string[] {
    const out: string[] = [];
    for (const f of state.findings) if (f.problem && (f.result === '不符合' || f.result === '基本符合')) out.push(...f.problem.split('\n').filter(Boolean));
    for (const r of state.enterprises) out.push(...r.findings.map((x) => `${state.sample?.enterprises.find((e) => e.id === r.enterprise)?.name ?? r.enterprise}：${x}`));
    return out.length ? out : ['本次执法指导未发现突出问题，请巩固提升。'];
  }

  async function sendAcceptance(report: RectificationReport, accepted: boolean, reasons: string[], resubmitBy: string | undefined): Promise<LetterSent> {
    const rect = state.rectification!;
    const seq = await store.allocateDocNumber({ year: plan.year, bureau: plan.bureau.code, series: SERIES.acceptance[0], requestId: `${caseId}:acceptance:${report.no}` });
    const docNumber = formatDocNumber(plan.bureau.shortName, plan.year, seq, SERIES.acceptance[1]);
    const items = report.items.map((it) => ({
      problem: rect.problems[it.index]!,
      measure: it.status === '整改完成' ? '已整改完成' : it.status === '正在整改' ? `正在整改，预计 ${it.date} 完成` : `无法整改：${it.reason ?? ''}`,
      passed: accepted || it.status === '整改完成',
    }));
    const doc = await render.renderDocument({
      kind: 'acceptance',
      caseId,
      key: `acceptance-${report.no}`,
      data: {
        ...letterCommon(),
        docNumber,
        opinion: { docNumber: state.letter!.docNumber, issueDate: state.letter!.issueDate },
        report: { title: `${county.bureauName}关于安全生产执法指导问题整改情况的报告`, receivedOn: report.date },
        decision: accepted ? 'accepted' : 'returned',
        items,
        reasons,
        ...(resubmitBy ? { resubmitBy } : {}),
      } as never,
    });
    const sent: LetterSent = { kind: 'acceptance', docNumber, date: today(), document: doc };
    sent.delivery = await deliverLetter({
      step: `acceptance-${report.no}`,
      to: countyMail,
      content: {
        subject: `【整改验收意见】${docNumber} ${accepted ? '验收通过' : '退回重新整改'}`,
        paragraphs: [`${county.bureauName}：`, accepted ? `你局报送的整改报告经审核，验收通过。` : `你局报送的整改报告经审核，退回重新整改，请于 ${formatDateZh(resubmitBy!)} 前重新报送。`],
        signature: [plan.bureau.name, formatDateZh(today())],
      },
      attachments: [attachment(doc, `${docNumber}-${DOCUMENT_KIND_NAMES.acceptance}.pdf`)],
      supervisors: supervisorsMail,
      retry: input.mailRetry,
    });
    return sent;
  }

  /** Closes the case and writes its archive folder (归档备查). */
  async function closeCase() {
    const rect = state.rectification!;
    rect.closedAt = new Date().toISOString();
    audit('system', 'close', '整改验收通过，案件办结归档');
    rect.archive = await store.archiveCase({ caseId, state });
    audit('system', 'archive', `归档 ${rect.archive.files} 个文件，清单 sha256 ${rect.archive.manifestSha256.slice(0, 16)}…`);
  }

  function letterCommon() {
    return {
      bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
      issueDate: today(),
      recipient: county.bureauName,
      county: { name: county.name, bureauName: county.bureauName },
    };
  }

  // ---- helpers -------------------------------------------------------------------------------
  async function sleepUntil(date: string) {
    const ms = clock.msUntil(date, Date.now());
    if (ms > 0) await sleep(ms);
  }

  function attachment(doc: RenderResult, filename: string) {
    return { path: doc.path, sha256: doc.sha256, filename, contentType: 'application/pdf' };
  }

  async function sendForApproval(draft: RenderResult, reminder: boolean) {
    const approver = state.approval.passedTo ? plan.approval.deputy! : plan.approval.approver;
    if (!approver.email) return;
    await deliverLetter({
      step: `approval-${state.approval.rounds.length}-${approver.id}-${reminder ? `reminder-${round()!.reminders.length}` : 'request'}`,
      to: [{ name: approver.name, address: approver.email }],
      content: {
        subject: `${reminder ? '【审批提醒】' : '【待审批】'}${county.bureauName}安全生产执法指导意见书（审批稿）`,
        paragraphs: [`${approver.name}：`, `${county.name}执法指导意见书审批稿见附件，请审批（批准或退回修改）。`],
        signature: [plan.bureau.name],
      },
      attachments: [attachment(draft, `${county.name}-执法指导意见书-审批稿.pdf`)],
      supervisors: supervisorsMail,
      retry: input.mailRetry,
    });
  }

  async function renderOpinion(mode: 'draft' | 'final', key: string, issued: { docNumber: string; issueDate: string; dueDate: string } | undefined) {
    const draftIssue = today();
    const draftDue = onOrNextWorkingDay(addDays(draftIssue, plan.rectification.periodDays), cal);
    const sections = CHECKLIST.map((s) => ({
      title: s.title,
      items: s.items
        .map((i) => finding(i.key))
        .filter((f): f is Finding & { problem: string } => Boolean(f.problem) && (f.result === '不符合' || f.result === '基本符合'))
        .map((f) => ({ title: checklistItem(f.item).item.title, problems: f.problem.split('\n').filter(Boolean), opinion: f.opinion ?? '请对照要求整改。' })),
    })).filter((s) => s.items.length > 0);
    const enterprises = (state.sample?.enterprises ?? []).map((e, idx) => ({
      name: e.name,
      industry: e.industry,
      findings: [
        ...(state.enterprises.find((r) => r.enterprise === e.id)?.findings ?? ['未填写核查结果']),
        ...(idx === 0 && state.sample ? [`（随机抽取：种子 ${state.sample.seed}，企业名单 sha256 ${state.sample.rosterSha256.slice(0, 16)}…）`] : []),
      ],
    }));
    return render.renderDocument({
      kind: 'opinion',
      caseId,
      key,
      data: {
        bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
        issueDate: issued?.issueDate ?? draftIssue,
        recipient: county.bureauName,
        // A draft has no number yet: numbers are given only to letters that go out (gapless).
        docNumber: issued?.docNumber ?? formatDocNumber(plan.bureau.shortName, plan.year, 1, '指导（审批稿）'),
        draft: mode === 'draft',
        county: { name: county.name, bureauName: county.bureauName },
        visitDate: input.date,
        sections: sections.length ? sections : [{ title: '总体情况', items: [{ title: '检查指导结论', problems: ['本次执法指导未发现突出问题。'], opinion: '继续保持，巩固提升执法规范化水平。' }] }],
        enterprises,
        dueDate: issued?.dueDate ?? draftDue,
        cityContact: { name: plan.supervisors[0]!.name, phone: plan.supervisors[0]!.phone ?? plan.bureau.contact.phone },
      } as never,
    });
  }
}

function stageName(stage: VisitCase['stage']): string {
  return STAGE_LABEL[stage];
}
