/**
 * What every part of a visit shares: the input, the case record (VisitCase), the clock, the
 * working-day calendar, the audit log and the publishing of the case's status (search attributes
 * for the board, a progress signal for the programme). Built once at the top of the workflow.
 */
import { getExternalWorkflowHandle, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CHECKLIST_KEYS } from '../shared/checklist';
import { Clock, dayNumber } from '../shared/clock';
import { visitProgressSignal, type VisitProgress } from '../contracts/programme';
import { type Actor, type AuditEntry } from '../contracts/common';
import type { MailAddress } from '../shared/email';
import { FailureType } from '../shared/errors';
import type { CalendarSnapshot, WorkingDayCalendar } from '../shared/schedule';
import type { CalendarMove } from '../contracts/calendar-update';
import { openIncident } from '../contracts/incidents';
import {
  GuidanceBureau,
  GuidanceCounty,
  GuidanceDueDate,
  GuidanceIncident,
  GuidanceOverdue,
  GuidanceRung,
  GuidanceStage,
  GuidanceWaitingOn,
  GuidanceYear,
  dueDateValue,
} from '../shared/search-attributes';
import { waitingOn } from '../shared/todo';
import type { VisitCase, VisitInput } from '../contracts/visit';
import { mailSettings } from '../lib/delivery';
import { incidentGuard, type StepRunner } from '../lib/incidents';
import { textActivities } from '../lib/proxies';
import { refuse } from '../lib/updates';
import { startLadder, type Ladder } from './ladder';

export interface VisitContext {
  input: VisitInput;
  plan: VisitInput['plan'];
  county: VisitInput['county'];
  caseId: string;
  state: VisitCase;
  clock: Clock;
  /** Today's date on the case's clock (real China time or the demo's compressed days). */
  today(): string;
  /** The working-day calendar, recorded once at the start; see `calendar()`. */
  cal?: WorkingDayCalendar;
  /** The calendar; an Update that arrives before it is recorded is refused, to be tried again. */
  calendar(): WorkingDayCalendar;
  /** Where the next rung of the escalation ladder falls due; moved by returns and extensions. */
  ladder: Ladder;
  /** Bumped by every rectification Update so the ladder's wait re-plans instead of sleeping on. */
  rectVersion: number;
  countyMail: MailAddress[];
  supervisorsMail: MailAddress[];
  /** Appends to the case's audit log (全过程记录) and republishes the status. */
  audit(by: Actor | 'system', action: string, detail: string): void;
  /** Numbers drawn by this case (series, request id, number; the mail step that sends its letter), to void those never used or sent. */
  allocated: { series: string; requestId: string; docNumber: string; mail?: { step: string; recipients: string[] } }[];
  /** Runs an activity step; a fault retries cannot fix becomes an incident waiting for `retry`. */
  steps: StepRunner;
  /**
   * Receipts of letters (签收) and the inbox's GuidanceWaitingOn: decided once at the start, so a
   * case recorded before them replays without (patch `receipts-and-inbox`).
   */
  receiptsOn: boolean;
  /** Bumped by every acknowledgement and every new receipt, so the receipts' wait re-plans. */
  receiptVersion: number;
  /** The calendar's yearly snapshots (this year and the next); applyCalendar replaces one. */
  snapshots: CalendarSnapshot[];
  /** Due dates moved by an applied calendar whose county has not been told yet (the script mails). */
  dueMoves: (CalendarMove & { source: string })[];
  /** `fillText` as this run fills texts (patch `text-as-activity`, decided at the start). */
  text: ReturnType<typeof textActivities>;
  /** Resolves once the last progress note has reached the programme (or failed to): await before the case ends. */
  published(): Promise<void>;
}

/** The context of a new case, with its findings pre-filled from the statistics drafts. */
export function createContext(input: VisitInput): VisitContext {
  const { plan, county } = input;
  const caseId = workflowInfo().workflowId;
  const receiptsOn = patched('receipts-and-inbox');
  const text = textActivities(patched('text-as-activity'));
  // The approver is published as soon as the findings are submitted (the draft's render audits nothing).
  const approverOnSubmit = receiptsOn && patched('inbox-approver-on-submit');
  const epoch = input.timeScaleEpochMs ?? workflowInfo().startTime.getTime();
  const clock = input.timeScale ? Clock.compressed(input.timeScale, epoch) : Clock.real();
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
    incidents: [],
    audit: [],
    ...(receiptsOn ? { receipts: [] } : {}),
  };
  for (const d of input.statsDrafts ?? []) {
    const f = state.findings.find((x) => x.item === d.item);
    if (!f) continue;
    f.problem = f.problem ? `${f.problem}\n${d.problem}` : d.problem;
    f.opinion = f.opinion ? `${f.opinion}\n${d.opinion}` : d.opinion;
    f.prefilled = true;
  }
  const publisher = createPublisher(input, receiptsOn, approverOnSubmit);
  const audit: VisitContext['audit'] = (by, action, detail) => {
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      by: by === 'system' ? 'system' : by.id,
      role: by === 'system' ? 'system' : by.role,
      action,
      detail,
    };
    state.audit.push(entry);
    // Every step is audited, so this is where the visible status is kept current.
    publisher.publish(state, clock.today(Date.now()));
  };
  const people = [...plan.supervisors, ...plan.admins]
    .filter((p) => p.email)
    .map((p) => ({ name: p.name, address: p.email! }));
  const steps = incidentGuard({
    incidents: state.incidents,
    audit,
    notify: {
      to: people,
      mail: mailSettings(plan),
      retry: input.mailRetry,
      title: `${county.name}${plan.year}年度执法指导`,
      bureau: plan.bureau.name,
    },
  });
  const ctx: VisitContext = {
    input,
    plan,
    county,
    caseId,
    state,
    clock,
    today: () => clock.today(Date.now()),
    calendar() {
      if (!ctx.cal) throw refuse(FailureType.InvalidState, '案件正在初始化，请稍后再试');
      return ctx.cal;
    },
    ladder: startLadder(input.date),
    rectVersion: 0,
    countyMail: county.emails.map((address) => ({ name: county.bureauName, address })),
    supervisorsMail: plan.supervisors.filter((s) => s.email).map((s) => ({ name: s.name, address: s.email! })),
    audit,
    steps,
    allocated: [],
    receiptsOn,
    text,
    receiptVersion: 0,
    snapshots: [],
    dueMoves: [],
    published: () => publisher.lastSignal,
  };
  return ctx;
}

/**
 * Publishes the case's stage, due date, rung and overdue flag: as search attributes (the board and
 * `guidance list` find it through Temporal visibility; skipped where the service has none, the
 * time-skipping test server) and as a progress signal to the programme (bulletin, digest).
 * Each is sent only when it changed.
 */
function createPublisher(
  input: VisitInput,
  inbox: boolean,
  approverOnSubmit: boolean,
): { publish(state: VisitCase, today: string): void; lastSignal: Promise<void> } {
  let published = '';
  let reported = '';
  let notes = 0;
  const self = {
    /** The last progress note in flight: a workflow that completes in the same task could drop it. */
    lastSignal: Promise.resolve(),
    publish,
  };
  return self;
  function publish(state: VisitCase, today: string): void {
    const r = state.rectification;
    if (input.reportTo) {
      const progress: VisitProgress = {
        county: input.county.code,
        stage: state.stage,
        docNumber: state.letter?.docNumber,
        dueDate: r?.dueDate,
        rung: r?.rung,
        overdue: r?.overdue,
        daysOverdue: r ? Math.max(0, dayNumber(today) - dayNumber(r.dueDate)) : undefined,
        listedInBulletin: r?.listedInBulletin,
        reportPending: r?.reports.some((x) => !x.review) ?? false,
        deductPoints: r?.deductions.reduce((a, b) => a + b.points, 0),
        openProblems: state.stage === 'rectification' ? r?.problems : [],
      };
      const key = JSON.stringify(progress);
      if (key !== reported) {
        reported = key;
        // Numbered: two notes sent in one task may arrive in either order (latestProgress).
        const note: VisitProgress = { ...progress, seq: ++notes, run: workflowInfo().runId };
        // The programme may have ended (its visits outlive it): a lost progress note harms nothing.
        self.lastSignal = getExternalWorkflowHandle(input.reportTo)
          .signal(visitProgressSignal, note)
          .catch(() => undefined);
      }
    }
    if (!input.visibility) return;
    const incident = openIncident(state.incidents) !== undefined;
    const waiting = inbox ? waitingOn(state, { approverFromStage: approverOnSubmit }) : undefined;
    const key = JSON.stringify([state.stage, r?.dueDate, r?.rung, r?.overdue, incident, ...(waiting ? [waiting] : [])]);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: GuidanceYear, value: input.plan.year },
      { key: GuidanceBureau, value: input.plan.bureau.code },
      { key: GuidanceCounty, value: input.county.code },
      { key: GuidanceStage, value: state.stage },
      { key: GuidanceRung, value: r?.rung ?? 'none' },
      { key: GuidanceOverdue, value: r?.overdue ?? false },
      { key: GuidanceIncident, value: incident },
      ...(r ? [{ key: GuidanceDueDate, value: dueDateValue(r.dueDate) }] : []),
      ...(waiting ? [{ key: GuidanceWaitingOn, value: waiting }] : []),
    ]);
  }
}
