/**
 * The yearly programme (年度执法指导计划): one county a month, January to November, each visit a
 * child workflow started on its date. Supervisors and administrators reschedule, add and cancel
 * through validated Updates; anyone may read the schedule through a Query.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { GuidanceBureau, GuidanceStage, GuidanceYear } from './shared/search-attributes';
import type { createDocNumberActivities } from '../activities/docnumber';
import type { DocumentActivities } from '../activities/documents';
import type { createProgrammeActivities } from '../activities/programme';
import { deliverLetter } from './lib/delivery';
import { Clock, addDays, dayNumber } from './shared/clock';
import {
  AddCountyArgs,
  CancelVisitArgs,
  RecordStatisticsArgs,
  recordStatisticsUpdate,
  visitProgressSignal,
  RescheduleArgs,
  addCountyUpdate,
  cancelVisitUpdate,
  rescheduleUpdate,
  scheduleQuery,
  visitWorkflowId,
  type Actor,
  type AuditEntry,
  type ProgrammeInput,
  type ProgrammeState,
  type ScheduleEntry,
} from './shared/definitions';
import { FailureType } from './shared/errors';
import { CountySchema, explicitDateProblem, formatIssues, type County } from './shared/plan';
import { countyVisitWorkflow } from './visit';
import { ScheduleError, computeSchedule, onOrNextWorkingDay, placeAdditionalVisit, snapshotCalendar, subtractWorkingDays, type WorkingDayCalendar } from './shared/schedule';
import type { z } from 'zod';

/** Calendar look-ups: quick, local, safe to retry. */
const calendar = proxyActivities<ReturnType<typeof createProgrammeActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10 },
});
/** Rendering and numbering for the bulletin. */
const documents = proxyActivities<DocumentActivities & ReturnType<typeof createDocNumberActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [FailureType.TemplateError, FailureType.InvalidInput] },
});

const RUNG_NAME: Record<string, string> = { urge: '催办通知', supervise: '督办函', warning: '警示函', summons: '约谈通知书', bulletin: '通报' };

/** `YYYY-MM` plus `n` months. */
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const total = y! * 12 + (m! - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** Roles that may change the schedule. */
const SCHEDULERS: Actor['role'][] = ['admin', 'supervisor'];

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

/** Parses Update arguments with the shared schema; a bad call is refused before anything changes. */
function parseArgs<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw invalid(formatIssues(result.error).join('；'));
  return result.data;
}

export async function programmeWorkflow(input: ProgrammeInput): Promise<ProgrammeState> {
  const { plan } = input;
  const epoch = input.timeScaleEpochMs ?? workflowInfo().startTime.getTime();
  const clock = input.timeScale ? Clock.compressed(input.timeScale, epoch) : Clock.real();
  const today = () => clock.today(Date.now());
  const counties = new Map<string, County>(plan.counties.map((c) => [c.code, c]));

  const state: ProgrammeState = {
    year: plan.year,
    bureau: plan.bureau.code,
    bureauName: plan.bureau.name,
    today: today(),
    entries: [],
    bends: [],
    audit: [],
    finished: false,
    progress: {},
    bulletins: [],
    digests: [],
  };
  /** Bumped on every change so the main loop re-reads the schedule instead of sleeping on. */
  let version = 0;
  /** Draft findings from imported statistics, by county code, handed to visits as they start. */
  const statsDrafts = new Map<string, { item: string; problem: string; opinion: string }[]>();

  const audit = (by: Actor | 'system', action: string, detail: string) => {
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      by: by === 'system' ? 'system' : by.id,
      role: by === 'system' ? 'system' : by.role,
      action,
      detail,
    };
    state.audit.push(entry);
  };
  const find = (code: string) => state.entries.find((e) => e.county === code);
  const requireRole = (actor: Actor) => {
    if (!SCHEDULERS.includes(actor.role)) {
      throw ApplicationFailure.create({ type: FailureType.Forbidden, message: '只有管理员或执法指导人员可以调整年度计划', nonRetryable: true });
    }
  };
  // Filled from the calendar snapshot before any Update is accepted (handlers run after the first await).
  let cal: WorkingDayCalendar | undefined;
  const checkDate = (date: string) => {
    const problem = explicitDateProblem(date, plan.year);
    if (problem) throw invalid(problem);
    if (date < today()) throw invalid(`指导日期 ${date} 已过（今天是 ${today()}）`);
    if (cal && !cal.isWorkingDay(date)) throw invalid(`指导日期 ${date} 是休息日或法定节假日，请选择工作日`);
  };

  setHandler(scheduleQuery, () => ({ ...state, today: today() }));
  setHandler(visitProgressSignal, (p) => {
    state.progress[p.county] = p;
  });
  setHandler(
    recordStatisticsUpdate,
    (raw) => {
      const args = parseArgs(RecordStatisticsArgs, raw);
      state.statistics = { period: args.period, sourceSha256: args.sourceSha256, rows: args.rows, at: new Date().toISOString() };
      for (const [code, drafts] of Object.entries(args.drafts)) statsDrafts.set(code, drafts);
      audit(args.actor, 'recordStatistics', `导入执法统计（${args.period}，${args.rows.length} 个单位，sha256 ${args.sourceSha256.slice(0, 12)}…）`);
      return { period: args.period, rows: args.rows.length };
    },
    {
      validator: (raw) => {
        const args = parseArgs(RecordStatisticsArgs, raw);
        requireRole(args.actor);
      },
    },
  );
  if (input.visibility) {
    upsertSearchAttributes([
      { key: GuidanceYear, value: plan.year },
      { key: GuidanceBureau, value: plan.bureau.code },
      { key: GuidanceStage, value: 'running' },
    ]);
  }

  setHandler(
    rescheduleUpdate,
    (raw) => {
      const args = parseArgs(RescheduleArgs, raw);
      const entry = find(args.county)!;
      entry.date = args.date;
      entry.origin = 'rescheduled';
      entry.note = args.reason;
      audit(args.actor, 'reschedule', `${entry.countyName} 改期至 ${args.date}：${args.reason}`);
      version++;
      return { ...entry };
    },
    {
      validator: (raw) => {
        const args = parseArgs(RescheduleArgs, raw);
        requireRole(args.actor);
        const entry = find(args.county);
        if (!entry) throw invalid(`计划中没有县区 ${args.county}`);
        if (entry.status !== 'scheduled') throw ApplicationFailure.create({ type: FailureType.InvalidState, message: `县区 ${entry.countyName} 的执法指导已${statusWord(entry.status)}，不能改期`, nonRetryable: true });
        if (args.date === entry.date) throw invalid(`新日期与原日期相同（${args.date}）`);
        checkDate(args.date);
      },
    },
  );

  setHandler(
    addCountyUpdate,
    (raw) => {
      const args = parseArgs(AddCountyArgs, raw);
      const county = args.county;
      const date = args.date ?? placeNew();
      counties.set(county.code, county);
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
      audit(args.actor, 'addCounty', `增加县区 ${county.name}，安排于 ${date}：${args.reason}`);
      version++;
      return { ...entry };
    },
    {
      validator: (raw) => {
        const args = parseArgs(AddCountyArgs, raw);
        requireRole(args.actor);
        CountySchema.parse(args.county);
        if (find(args.county.code)) throw invalid(`县区 ${args.county.code} 已在计划中`);
        if (args.date) checkDate(args.date);
        else placeNew(); // throws when no date is left this year

      },
    },
  );

  setHandler(
    cancelVisitUpdate,
    async (raw) => {
      const args = parseArgs(CancelVisitArgs, raw);
      const entry = find(args.county)!;
      const wasStarted = entry.status === 'started';
      entry.status = 'cancelled';
      entry.endedAt = new Date().toISOString();
      entry.note = args.reason;
      audit(args.actor, 'cancelVisit', `取消 ${entry.countyName} 的执法指导：${args.reason}`);
      version++;
      if (wasStarted) await getExternalWorkflowHandle(entry.visitWorkflowId).cancel();
      return { ...entry };
    },
    {
      validator: (raw) => {
        const args = parseArgs(CancelVisitArgs, raw);
        requireRole(args.actor);
        const entry = find(args.county);
        if (!entry) throw invalid(`计划中没有县区 ${args.county}`);
        if (entry.status !== 'scheduled' && entry.status !== 'started') {
          throw ApplicationFailure.create({ type: FailureType.InvalidState, message: `县区 ${entry.countyName} 的执法指导已${statusWord(entry.status)}，不能取消`, nonRetryable: true });
        }
      },
    },
  );

  /** A date for a county added during the year: the least-loaded remaining month. */
  function placeNew(): string {
    if (!cal) throw ApplicationFailure.create({ type: FailureType.InvalidState, message: '计划尚未完成排期，请稍后再试', nonRetryable: true });
    try {
      return placeAdditionalVisit(
        {
          year: plan.year,
          today: today(),
          taken: state.entries.filter((e) => e.status !== 'cancelled').map((e) => e.date),
          preferredDay: plan.visit.preferredDay,
          noticeWorkingDays: plan.visit.noticeWorkingDays,
        },
        cal,
      );
    } catch (err) {
      if (err instanceof ScheduleError) throw invalid(err.message);
      throw err;
    }
  }

  // Place the year's visits. A plan that cannot be scheduled fails the start, with the reason.
  cal = snapshotCalendar([await calendar.calendarSnapshot(plan.year)]);
  let schedule;
  try {
    schedule = computeSchedule(
      {
        year: plan.year,
        today: today(),
        counties: plan.counties.map((c) => ({ code: c.code, date: c.date })),
        preferredDay: plan.visit.preferredDay,
        noticeWorkingDays: plan.visit.noticeWorkingDays,
      },
      cal,
    );
  } catch (err) {
    if (err instanceof ScheduleError) throw invalid(err.message);
    throw err;
  }
  for (const v of schedule.visits) {
    const county = counties.get(v.county)!;
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
  audit('system', 'schedule', `排期 ${schedule.visits.length} 个县区：${schedule.visits.map((v) => `${counties.get(v.county)!.name} ${v.date}`).join('，')}`);
  for (const bend of schedule.bends) log.warn('schedule bent a rule', { bend });

  // 月讲评 and 周交办 run beside the schedule until the programme ends.
  let stopPeriodic = false;
  const periodic = [bulletinLoop(), digestLoop()];

  while (true) {
    const next = state.entries
      .filter((e) => e.status === 'scheduled')
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))[0];
    const seen = version;
    if (!next) {
      // Nothing left to start: wait for the running visits, or for an Update that adds one.
      const allDone = () => state.entries.every((e) => e.status !== 'scheduled' && e.status !== 'started');
      await condition(() => version !== seen || allDone());
      if (allDone() && version === seen) break;
      continue;
    }
    // The visit workflow starts on the day its advance notice goes out, not on the visit date.
    const startOn = cal ? subtractWorkingDays(next.date, plan.visit.noticeWorkingDays, cal) : next.date;
    const wait = clock.msUntil(startOn, Date.now());
    if (wait > 0 && (await condition(() => version !== seen, wait))) continue; // schedule changed: re-plan
    // Followed in the background; the loop learns of its end through the entry's status.
    void startVisit(next, counties.get(next.county)!);
  }

  stopPeriodic = true;
  await Promise.all(periodic);
  await condition(allHandlersFinished);
  if (input.visibility) upsertSearchAttributes([{ key: GuidanceStage, value: 'finished' }]);
  state.finished = true;
  state.today = today();
  audit('system', 'finish', '年度执法指导计划全部结束');
  return state;

  /** Sleeps until `date` falls due; false when the programme stopped first. */
  async function until(date: string): Promise<boolean> {
    const ms = clock.msUntil(date, Date.now());
    return !(await condition(() => stopPeriodic, ms));
  }

  /** The monthly bulletin (执法指导情况通报): statistics table, overdue counties, text. */
  async function bulletinLoop(): Promise<void> {
    const day = plan.reporting.bulletinDay;
    if (!day) return;
    const firstVisit = () => state.entries.map((e) => e.date).sort()[0] ?? `${plan.year}-01-01`;
    // The first bulletin goes out the month after the first visit; the last covers the year.
    let month = addMonths(firstVisit().slice(0, 7), 1);
    while (!stopPeriodic && month <= `${plan.year + 1}-01`) {
      const date = onOrNextWorkingDay(`${month}-${String(day).padStart(2, '0')}`, cal!);
      if (!(await until(date))) return;
      await sendBulletin(month, date);
      month = addMonths(month, 1);
    }
  }

  async function sendBulletin(month: string, date: string): Promise<void> {
    // Overdue as of the bulletin's date: in rectification with the due date behind us.
    const overdue = Object.values(state.progress)
      .filter((p) => p.stage === 'rectification' && !p.reportPending && p.docNumber && p.dueDate && p.dueDate < date)
      .map((p) => ({ ...p, daysOverdue: dayNumber(date) - dayNumber(p.dueDate!) }));
    const started = state.entries.filter((e) => e.status !== 'scheduled' && e.status !== 'cancelled').length;
    const rows = state.statistics?.rows ?? state.entries.map((e) => ({ county: e.countyName, inspections: 0, inspectors: 0, documents: 0, cases: 0, fines: 0, hazardsFound: 0, hazardsFixed: 0 }));
    const seq = await documents.allocateDocNumber({ year: plan.year, bureau: plan.bureau.code, series: 'bulletin', requestId: `${workflowInfo().workflowId}:bulletin:${month}` });
    const docNumber = `${plan.bureau.shortName}〔${plan.year}〕${seq}号`;
    const [py, pm] = addMonths(month, -1).split('-').map(Number);
    const periodLabel = py! > plan.year || pm === 12 ? `${plan.year}年度` : `${plan.year}年1—${pm}月`;
    const doc = await documents.renderDocument({
      kind: 'bulletin',
      caseId: workflowInfo().workflowId,
      key: `bulletin-${month}`,
      data: {
        bureau: { name: plan.bureau.name, contact: plan.bureau.contact, address: plan.bureau.address },
        issueDate: date,
        recipient: '各县区应急管理局',
        docNumber,
        periodLabel,
        summary: [
          `按照《${plan.bureau.name}${plan.year}年度安全生产执法指导工作方案》，截至${periodLabel.replace(/^\d+年/, '')}已对 ${started} 个县区开展执法指导。${state.statistics ? `执法统计数据（${state.statistics.period}）见下表。` : '本期执法统计数据尚未导入，表中数字暂为 0。'}现将有关情况通报如下：`,
        ],
        rows,
        overdue: overdue.map((p) => ({
          county: state.entries.find((e) => e.county === p.county)?.countyName ?? p.county,
          docNumber: p.docNumber!,
          dueDate: p.dueDate!,
          daysOverdue: p.daysOverdue!,
          measure: `已发出${RUNG_NAME[p.rung ?? 'none'] ?? '催办'}${p.deductPoints ? `，年度考核扣 ${p.deductPoints} 分` : ''}`,
        })),
        requirements: ['按期报告执法指导整改结果，逾期未报的将按规定通报并考核扣分。'],
      } as never,
    });
    state.bulletins.push({ month, docNumber, documentPath: doc.path, sha256: doc.sha256, overdue: overdue.map((p) => p.county), at: new Date().toISOString() });
    audit('system', 'bulletin', `发出执法指导情况通报 ${docNumber}（${periodLabel}），通报逾期县区 ${overdue.length} 个`);
    const leaders = [plan.approval.approver, ...(plan.approval.deputy ? [plan.approval.deputy] : []), ...plan.admins].filter((p) => p.email).map((p) => ({ name: p.name, address: p.email! }));
    await deliverLetter({
      step: `bulletin-${month}`,
      to: state.entries.filter((e) => e.status !== 'cancelled').flatMap((e) => counties.get(e.county)!.emails.map((address) => ({ name: counties.get(e.county)!.bureauName, address }))),
      cc: leaders,
      content: { subject: `【执法指导情况通报】${docNumber}（${periodLabel}）`, paragraphs: ['各县区应急管理局：', `现将${periodLabel}全市安全生产执法指导情况通报如下，详见附件。`], signature: [plan.bureau.name, date] },
      attachments: [{ path: doc.path, sha256: doc.sha256, filename: `${docNumber}-执法指导情况通报.pdf`, contentType: 'application/pdf' }],
      supervisors: supervisorsMail(),
      retry: input.mailRetry,
    });
  }

  /** The weekly digest of open problems to the supervisors (周交办). */
  async function digestLoop(): Promise<void> {
    const weekday = plan.reporting.digestWeekday;
    if (!weekday) return;
    let date = today();
    while (!stopPeriodic) {
      do date = addDays(date, 1);
      while (new Date(`${date}T00:00:00Z`).getUTCDay() !== weekday % 7);
      if (!(await until(date))) return;
      const open = Object.values(state.progress).filter((p) => p.stage === 'rectification');
      if (open.length === 0) continue;
      state.digests.push({ week: date, open: open.length, at: new Date().toISOString() });
      await deliverLetter({
        step: `digest-${date}`,
        to: supervisorsMail(),
        content: {
          subject: `【周交办】${date} 待整改问题 ${open.reduce((n, p) => n + (p.openProblems?.length ?? 0), 0)} 项`,
          paragraphs: open.map(
            (p) =>
              `${state.entries.find((e) => e.county === p.county)?.countyName ?? p.county}：${p.docNumber ?? ''}，整改期限 ${p.dueDate ?? '—'}${p.overdue ? `，已逾期 ${p.daysOverdue} 天（${RUNG_NAME[p.rung ?? 'none'] ?? ''}）` : ''}；待整改：${(p.openProblems ?? []).join('；')}`,
          ),
          signature: [plan.bureau.name],
        },
        supervisors: [],
        retry: input.mailRetry,
      });
    }
  }

  function supervisorsMail() {
    return plan.supervisors.filter((p) => p.email).map((p) => ({ name: p.name, address: p.email! }));
  }

  /** Starts the visit child and follows it to its end, keeping the entry's status current. */
  async function startVisit(entry: ScheduleEntry, county: County): Promise<void> {
    entry.status = 'started';
    entry.startedAt = new Date().toISOString();
    audit('system', 'startVisit', `启动 ${entry.countyName} 执法指导（${entry.date}）`);
    version++;
    try {
      const child = await startChild(countyVisitWorkflow, {
        workflowId: entry.visitWorkflowId,
        args: [
          {
            programmeWorkflowId: workflowInfo().workflowId,
            plan: { ...plan, counties: [county] },
            county,
            date: entry.date,
            timeScale: input.timeScale,
            timeScaleEpochMs: epoch,
            mailRetry: input.mailRetry,
            visibility: input.visibility,
            reportTo: workflowInfo().workflowId,
            statsDrafts: statsDrafts.get(county.code) as never,
          },
        ],
        // A visit's rectification outlives the programme's year; it must not die with it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      await child.result();
      if (entry.status === 'started') {
        entry.status = 'completed';
        audit('system', 'visitCompleted', `${entry.countyName} 执法指导完成`);
      }
    } catch (err) {
      // Read through a widened type: TypeScript cannot see that an Update changed the status meanwhile.
      const now = entry.status as ScheduleEntry['status'];
      if (now === 'cancelled' || isCancellation(err)) {
        entry.status = 'cancelled';
      } else {
        entry.status = 'failed';
        entry.note = err instanceof Error ? err.message : String(err);
        audit('system', 'visitFailed', `${entry.countyName} 执法指导失败：${entry.note}`);
      }
    }
    entry.endedAt = new Date().toISOString();
    version++;
  }
}

function statusWord(status: ScheduleEntry['status']): string {
  return { scheduled: '排期', started: '开始', completed: '完成', cancelled: '取消', failed: '失败' }[status];
}
