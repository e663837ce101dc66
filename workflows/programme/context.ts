/**
 * What the programme's script, its handlers and its reporting share: the plan, the schedule
 * (ProgrammeState), the clock and calendar, the audit log, and a version counter that every
 * schedule change bumps so the script re-plans instead of sleeping on.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import { addMonths } from '../shared/clock';
import { textActivities } from '../lib/proxies';
import { mailSettings } from '../lib/delivery';
import { incidentGuard, type StepRunner } from '../lib/incidents';
import { Clock } from '../shared/clock';
import type { ProgrammeInput, ProgrammeState } from '../contracts/programme';
import type { Actor, AuditEntry } from '../contracts/common';
import type { County } from '../shared/plan';
import { snapshotCalendar, type CalendarSnapshot, type WorkingDayCalendar } from '../shared/schedule';
import type { VisitInput } from '../contracts/visit';

export interface ProgrammeContext {
  input: ProgrammeInput;
  plan: ProgrammeInput['plan'];
  state: ProgrammeState;
  clock: Clock;
  epoch: number;
  today(): string;
  /** Recorded once before the schedule is placed; Updates that need it are refused before then. */
  cal?: WorkingDayCalendar;
  /** The snapshot behind `cal`, handed on when the programme continues as new. */
  calSnapshot?: CalendarSnapshot;
  /** True once the counties have their dates; before that a schedule incident may be open. */
  placed: boolean;
  /** Steps, starts, cancellations and mails under way: the programme continues as new only at 0. */
  busy: number;
  /** Where the reporting loops stand (carried across continue-as-new). */
  nextBulletinMonth?: string;
  lastDigestDate?: string;
  /**
   * Continue as new at month ends (patch `programme-continue-as-new`, decided at the start of the
   * run): `continueAt` is the first day of the next month by the programme's clock.
   */
  continuable: boolean;
  continueAt: string;
  /**
   * Which command comes next is decided by events (a timer fired, a note or an Update arrived) and
   * by dates, never by comparing the clock with a moment (patch `decide-by-events`, decided at the
   * start of each run). A worker may run a workflow task with a stale clock that replay later reads
   * fresh (seen after a worker died with a task on its sticky queue): the clock only sets how long a
   * timer lasts, and every wait is a timer of at least 1 ms.
   */
  eventDriven: boolean;
  /** The year's record is archived at month ends and at the finish (patch `programme-archive`). */
  archives: boolean;
  /** Counties by code, including those added during the year. */
  counties: Map<string, County>;
  /** Draft findings from imported statistics, by county code, handed to visits as they start. */
  statsDrafts: Map<string, NonNullable<VisitInput['statsDrafts']>>;
  /** Started visits whose cancellation the script still has to deliver. */
  toCancel: string[];
  /** Bumped on every change to the schedule. */
  version: number;
  audit(by: Actor | 'system', action: string, detail: string): void;
  /** Runs an activity step; a fault retries cannot fix becomes a programme incident waiting for `retry`. */
  steps: StepRunner;
  /** Counts `promise` in `busy` until it settles; returns the promise itself. */
  counted<T>(promise: Promise<T>): Promise<T>;
  /**
   * The weekly digest mails each person's inbox (visibility on, patch `digest-from-inbox`), decided
   * once at the start: a programme begun before keeps the supervisors' 周交办 for its whole year,
   * as its visits (begun before too) publish no GuidanceWaitingOn for an inbox to find.
   */
  inboxDigest: boolean;
  /** `fillText` as this run fills texts (patch `text-as-activity`, decided at the start). */
  text: ReturnType<typeof textActivities>;
  /** The mail activity fills the mail texts itself (patch `text-in-mail`, decided at the start of each run). */
  textInMail: boolean;
}

export function createContext(input: ProgrammeInput): ProgrammeContext {
  const { plan, carried } = input;
  const inboxDigest = carried ? carried.inboxDigest : Boolean(input.visibility) && patched('digest-from-inbox');
  const text = textActivities(patched('text-as-activity'));
  const epoch = input.timeScaleEpochMs ?? workflowInfo().startTime.getTime();
  const clock = input.timeScale ? Clock.compressed(input.timeScale, epoch) : Clock.real();
  const today = () => clock.today(Date.now());
  const continuable = patched('programme-continue-as-new');
  const eventDriven = patched('decide-by-events');
  // The run's month, by the start event's time (the same in every replay), or before the patch by the first task's.
  const runMonth = (eventDriven ? clock.today(workflowInfo().runStartTime.getTime()) : today()).slice(0, 7);
  const archives = Boolean(carried) || patched('programme-archive');
  // Mail texts filled by the mail activity (digest.ts, reporting.ts): decided after the others.
  const textInMail = patched('text-in-mail');
  const state: ProgrammeState = carried?.state ?? {
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
    incidents: [],
  };
  const audit: ProgrammeContext['audit'] = (by, action, detail) => {
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      by: by === 'system' ? 'system' : by.id,
      role: by === 'system' ? 'system' : by.role,
      action,
      detail,
    };
    state.audit.push(entry);
  };
  const people = [...plan.supervisors, ...plan.admins]
    .filter((p) => p.email)
    .map((p) => ({ name: p.name, address: p.email! }));
  const guard = incidentGuard({
    incidents: state.incidents,
    audit,
    notify: {
      to: people,
      mail: mailSettings(plan),
      retry: input.mailRetry,
      title: `${plan.year}年度执法指导计划`,
      bureau: plan.bureau.name,
    },
  });
  const ctx: ProgrammeContext = {
    input,
    plan,
    state,
    clock,
    epoch,
    today,
    counties: new Map((carried?.counties ?? plan.counties).map((c) => [c.code, c])),
    statsDrafts: new Map(Object.entries(carried?.statsDrafts ?? {})),
    toCancel: [...(carried?.toCancel ?? [])],
    version: 0,
    audit,
    // Counted, so the programme never continues as new with a step half done.
    steps: { run: (step, what, fn) => ctx.counted(guard.run(step, what, fn)) },
    counted: (promise) => {
      ctx.busy++;
      const done = () => {
        ctx.busy--;
      };
      promise.then(done, done);
      // The caller awaits the step's own promise: no extra turn, so concurrent loops keep the
      // order of their commands that recorded histories hold.
      return promise;
    },
    inboxDigest,
    text,
    textInMail,
    placed: Boolean(carried),
    busy: 0,
    nextBulletinMonth: carried?.nextBulletinMonth,
    lastDigestDate: carried?.lastDigestDate,
    continuable,
    archives,
    continueAt: `${addMonths(runMonth, 1)}-01`,
    eventDriven,
    ...(carried ? { cal: snapshotCalendar([carried.calendar]), calSnapshot: carried.calendar } : {}),
  };
  return ctx;
}
