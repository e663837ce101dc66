/**
 * What the parts of a visit share, built once at the top of the workflow: the facts of the case
 * (input, the plan upgraded once, county, id, clock), the case record (VisitCase, what the
 * `visitCase` Query returns), and small objects that own the rest, each changed only through its
 * methods:
 * - `workingDays` the calendar (recorded by the script, replaced by applyCalendar);
 * - `rectifying` the rectification: ladder, due-date moves, the timer towards the next rung;
 * - `receipts` the receipts of letters (签收) and the timer of their loop;
 * - `mailboxes` the county's (correctable) and the supervisors' addresses;
 * - `numbers` the document numbers drawn, for voiding on cancel;
 * - `audit` the audit log (全过程记录), which also republishes the status (publisher.ts);
 * - `steps` the incident guard every activity step runs through (script only).
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import { CHECKLIST_KEYS } from '../shared/checklist';
import { Clock } from '../shared/clock';
import type { Actor, AuditEntry } from '../contracts/common';
import type { MailAddress } from '../shared/email';
import type { WorkingDayCalendar } from '../shared/schedule';
import type { VisitCase, VisitInput } from '../contracts/visit';
import { mailSettings } from '../lib/delivery';
import { incidentGuard, type StepRunner } from '../lib/incidents';
import { clockReading, textActivities } from '../lib/proxies';
import { Mailboxes } from './mailboxes';
import { NumberLog } from './number-log';
import { upgradePlan } from './plan-upgrade';
import { createPublisher } from './publisher';
import { ReceiptBook } from './receipt-book';
import { RectificationTracker } from './rectification-tracker';
import { WorkingDays } from './working-days';

export interface VisitContext {
  readonly input: VisitInput;
  /** The plan, with what older plans lack filled in once (plan-upgrade.ts). */
  readonly plan: VisitInput['plan'];
  readonly county: VisitInput['county'];
  readonly caseId: string;
  readonly state: VisitCase;
  readonly clock: Clock;
  /** Today's date on the case's clock (real China time or the demo's compressed days). */
  today(): string;
  /** The working-day calendar in force; an Update that arrives before it is recorded is refused, to be tried again. */
  calendar(): WorkingDayCalendar;
  readonly workingDays: WorkingDays;
  readonly rectifying: RectificationTracker;
  readonly receipts: ReceiptBook;
  readonly mailboxes: Mailboxes;
  /** The county's addresses in force (`mailboxes.countyMail`). */
  readonly countyMail: MailAddress[];
  readonly numbers: NumberLog;
  /** Appends to the case's audit log (全过程记录) and republishes the status. */
  audit(by: Actor | 'system', action: string, detail: string): void;
  /** Runs an activity step; a fault retries cannot fix becomes an incident waiting for `retry`. */
  readonly steps: StepRunner;
  /** `fillText` as this run fills texts (patch `text-as-activity`, decided at the start). */
  readonly text: ReturnType<typeof textActivities>;
  /** The mail activity fills the mail texts itself (patch `text-in-mail`, decided at the start). */
  readonly textInMail: boolean;
  /**
   * Whether the script reads "now" through `readClock` when it decides what is due (patch
   * `recorded-clock`, decided at the start); runs recorded before read the task's clock.
   */
  readonly recordedClock: boolean;
  /** The time as a recorded local activity: a replay reads the same answer the live run did. */
  readClock(): Promise<number>;
  /** Resolves once the last progress note has reached the programme (or failed to): await before the case ends. */
  published(): Promise<void>;
}

/**
 * `readClock`, one reading at a time: the ladder and the receipts loop may both ask in the same
 * workflow task, and they then share one local activity. Two local activities in flight from two
 * coroutines were seen to resume them in another order on replay (patch `text-as-activity`).
 * `last()` is the latest reading (0 before any), for `today()`.
 */
function sharedReading(): { read(): Promise<number>; last(): number } {
  let reading: Promise<number> | undefined;
  let last = 0;
  return {
    read() {
      if (!reading) {
        const r = clockReading.readClock();
        // Registered before any caller's await: a caller that resumes finds `last` set, and one
        // that asks again gets a new reading.
        r.then(
          (ms) => {
            last = Math.max(last, ms);
            reading = undefined;
          },
          () => (reading = undefined),
        );
        reading = r;
      }
      return reading;
    },
    last: () => last,
  };
}

/** The context of a new case, with its findings pre-filled from the statistics drafts. */
export function createContext(input: VisitInput): VisitContext {
  const { county } = input;
  const plan = upgradePlan(input.plan);
  const caseId = workflowInfo().workflowId;
  // Receipts of letters (签收) and the inbox's GuidanceWaitingOn: decided once at the start, so a
  // case recorded before them replays without.
  const receiptsOn = patched('receipts-and-inbox');
  const text = textActivities(patched('text-as-activity'));
  // The approver is published as soon as the findings are submitted (the draft's render audits nothing).
  const approverOnSubmit = receiptsOn && patched('inbox-approver-on-submit');
  // Mail texts filled by the mail activity (steps.ts mailLetter): decided after the others, so
  // runs recorded before replay unchanged up to here.
  const textInMail = patched('text-in-mail');
  // Fewer progress notes to the programme (publisher.ts): decided after the others.
  const leanNotes = patched('lean-progress-notes');
  // What is due now read from a recorded clock (index.ts, receipts.ts): decided after the others.
  const recordedClock = patched('recorded-clock');
  const epoch = input.timeScaleEpochMs ?? workflowInfo().startTime.getTime();
  const clock = input.timeScale ? Clock.compressed(input.timeScale, epoch) : Clock.real();
  // Never before the last recorded reading (patch recorded-clock): a letter the ladder sends because
  // the reading says it is due is dated and counted by that reading, not by the task's start,
  // which can be a day earlier on a compressed clock.
  const reader = sharedReading();
  const today = () => clock.today(Math.max(Date.now(), reader.last()));
  const state = newCase(input, caseId, receiptsOn);
  const publisher = createPublisher(input, receiptsOn, approverOnSubmit, leanNotes);
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
    publisher.publish(state, today());
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
  const workingDays = new WorkingDays();
  const calendar = () => workingDays.current();
  const mailboxes = new Mailboxes(county, plan);
  return {
    input,
    plan,
    county,
    caseId,
    state,
    clock,
    today,
    calendar,
    workingDays,
    rectifying: new RectificationTracker(state, plan.rectification, today, calendar, clock),
    receipts: new ReceiptBook(state, plan.receipts, today, calendar, clock, receiptsOn),
    mailboxes,
    get countyMail() {
      return mailboxes.countyMail;
    },
    numbers: new NumberLog(),
    audit,
    steps,
    text,
    textInMail,
    recordedClock,
    readClock: reader.read,
    published: () => publisher.lastSignal,
  };
}

/** The record of a case not begun: every checklist item open, findings pre-filled from the statistics drafts. */
function newCase(input: VisitInput, caseId: string, receiptsOn: boolean): VisitCase {
  const { plan, county } = input;
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
  return state;
}
