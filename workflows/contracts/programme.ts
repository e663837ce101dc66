/**
 * The programme's contract (年度执法指导计划): its input, what it carries across continue-as-new, its
 * state as the `schedule` Query answers it, the schedule Updates (reschedule, addCounty,
 * cancelVisit) with their zod argument schemas, and the visits' progress signal. Shared by the
 * workflow, the CLI and the HTTP API, so a caller and the workflow never disagree on a name or a
 * shape. The statistics import is in statistics.ts. Pure: safe inside the workflow sandbox.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { AsOf } from '../shared/clock';
import {
  CountySchema,
  EnterpriseSchema,
  IsoDate,
  rosterSchema,
  type County,
  type EscalationRung,
  type Plan,
} from '../shared/plan';
import type { StoredFile } from '../shared/documents';
import type { CalendarSnapshot } from '../shared/schedule';
import { Line, Text } from '../shared/text';
import type { CalendarApplied } from './calendar-update';
import { ActorSchema, type AuditEntry, type TimeScale } from './common';
import type { Incident } from './incidents';
import type { StatisticsRow } from './statistics';
import type { VisitInput } from './visit';

const Reason = Text({ min: 2, max: 500, tooShort: '必须填写理由（至少 2 个字）', tooLong: '理由不能超过 500 字' });

// ---------------------------------------------------------------------------------------------
// The yearly programme (年度执法指导计划)

export interface ProgrammeInput {
  plan: Plan;
  /** Absent in production: dates are real dates in China Standard Time. */
  timeScale?: TimeScale;
  /** Epoch of the time scale; the workflow fills it from its start time, kept across continue-as-new. */
  timeScaleEpochMs?: number;
  /** Upsert search attributes on the programme and its visits (off on the time-skipping test server). */
  visibility?: boolean;
  /** Mail retry overrides passed to every visit (tests and demos); production keeps days. */
  mailRetry?: {
    initialIntervalMs?: number;
    maximumIntervalMs?: number;
    giveUpAfterMs?: number;
    attemptTimeoutMs?: number;
  };
  /** Set by the programme itself when it continues as new (at a month's end): where the year stands. */
  carried?: ProgrammeCarry;
}

/**
 * What a programme run hands the next when it continues as new, so its history stays bounded
 * however long a lingering case keeps the year open: the record so far and where each loop stands.
 */
export interface ProgrammeCarry {
  state: ProgrammeState;
  /** Every county by code, with dates amended and counties added during the year. */
  counties: County[];
  /** Draft findings from imported statistics for visits not started yet. */
  statsDrafts: Record<string, NonNullable<VisitInput['statsDrafts']>>;
  /** The working-day calendar in force (the start's snapshot or the last one applied). */
  calendar: CalendarSnapshot;
  /** The next bulletin's month (`YYYY-MM`); absent when the bulletins are over or off. */
  nextBulletinMonth?: string;
  /** The last digest date considered; the next is the following digest weekday. */
  lastDigestDate?: string;
  /** The weekly digest mails each person's inbox (decided at the year's start). */
  inboxDigest: boolean;
  /** Runs so far: 1 for the first continuation. */
  runs: number;
  /** Started visits whose accepted cancellation was not yet delivered. */
  toCancel?: string[];
}

export type VisitStatus = 'scheduled' | 'started' | 'completed' | 'cancelled' | 'failed';

export const VISIT_STATUS_LABEL: Record<VisitStatus, string> = {
  scheduled: '已排期',
  started: '进行中',
  completed: '已完成',
  cancelled: '已取消',
  failed: '失败',
};

export interface ScheduleEntry {
  county: string;
  countyName: string;
  /** Visit date, `YYYY-MM-DD`. */
  date: string;
  status: VisitStatus;
  visitWorkflowId: string;
  /** How the date was chosen: 'plan' (explicit), 'scheduler', 'rescheduled', 'added'. */
  origin: 'plan' | 'scheduler' | 'rescheduled' | 'added';
  startedAt?: string;
  endedAt?: string;
  note?: string;
}

export interface ProgrammeState {
  year: number;
  bureau: string;
  bureauName: string;
  /** Simulated or real date of today, as the workflow sees it. */
  today: string;
  entries: ScheduleEntry[];
  /** Rules the scheduler had to bend (a programme started mid-year), in Chinese. */
  bends: string[];
  audit: AuditEntry[];
  finished: boolean;
  /** The latest imported statistics (for the bulletin's table). */
  statistics?: { period: string; sourceSha256: string; rows: StatisticsRow[]; at: string };
  /** Each visit's latest progress, by county code. */
  progress: Record<string, VisitProgress>;
  /** 执法指导情况通报 sent, and weekly digests. */
  bulletins: {
    month: string;
    docNumber: string;
    documentPath: string;
    sha256: string;
    /** The OFD beside the PDF, when the plan's formats include OFD. */
    ofd?: StoredFile;
    overdue: string[];
    at: string;
  }[];
  /** Weekly digests; `skipped` says why one was not sent (no supervisor has an email address). */
  digests: { week: string; open: number; at: string; skipped?: string }[];
  /** Faults of the programme's own steps (bulletin, digest, calendar), each waiting for an administrator's retry. */
  incidents: Incident[];
  /** Official calendars applied after the start, with the visit dates each moved. */
  calendars?: CalendarApplied[];
}

export const RescheduleArgs = z.object({
  actor: ActorSchema,
  county: z.string().min(1, '必须指定县区'),
  date: IsoDate,
  reason: Reason,
});
export type RescheduleArgs = z.infer<typeof RescheduleArgs>;

/**
 * A county added during the year: the plan's county schema, its names normalised like every text a
 * person types, since they are printed on each of the county's letters.
 */
const AddedCounty = CountySchema.extend({
  name: Line({ min: 1, max: 50, label: '县区名称' }),
  bureauName: Line({ min: 1, max: 100, label: '县区应急管理局名称' }),
  contact: CountySchema.shape.contact.extend({ name: Line({ min: 1, max: 50, label: '联系人' }) }),
  // Checked like a plan county's roster: an empty or duplicated roster would wedge the visit's draw.
  enterprises: rosterSchema(
    EnterpriseSchema.extend({
      name: Line({ min: 1, max: 100, label: '企业名称' }),
      industry: Line({ min: 1, max: 50, label: '行业' }),
    }),
  ).prefault([]),
});

export const AddCountyArgs = z.object({
  actor: ActorSchema,
  county: AddedCounty,
  /** Optional: without it the scheduler places the county in the least-loaded remaining month. */
  date: IsoDate.optional(),
  reason: Reason,
});
export type AddCountyArgs = z.input<typeof AddCountyArgs>;

export const CancelVisitArgs = z.object({
  actor: ActorSchema,
  county: z.string().min(1, '必须指定县区'),
  reason: Reason,
});
export type CancelVisitArgs = z.infer<typeof CancelVisitArgs>;

export const rescheduleUpdate = defineUpdate<ScheduleEntry, [RescheduleArgs]>('reschedule');
export const addCountyUpdate = defineUpdate<ScheduleEntry, [AddCountyArgs]>('addCounty');
export const cancelVisitUpdate = defineUpdate<ScheduleEntry, [CancelVisitArgs]>('cancelVisit');
/** Asked with the caller's instant (`AsOf`), its `today` is the caller's on the programme's clock. */
export const scheduleQuery = defineQuery<ProgrammeState, [AsOf?]>('schedule');

// ---------------------------------------------------------------------------------------------
// Progress the programme keeps for its bulletin (通报) and digest (周交办).

/** What a visit reports to its programme whenever it moves (for the bulletin and the digest). */
export interface VisitProgress {
  county: string;
  stage: string;
  docNumber?: string;
  dueDate?: string;
  rung?: EscalationRung | 'none';
  overdue?: boolean;
  daysOverdue?: number;
  listedInBulletin?: boolean;
  /** A report is in and awaits review: not overdue, whatever the date. */
  reportPending?: boolean;
  deductPoints?: number;
  openProblems?: string[];
  /**
   * The note's place among its visit run's notes (1, 2, …) and that run: notes sent in one
   * workflow task are delivered in no guaranteed order, so the programme keeps the latest by
   * number, not by arrival. Absent on notes sent before this was added.
   */
  seq?: number;
  run?: string;
}

/**
 * The programme's record of a county after a progress note: the note, unless it is older than
 * the one already kept from the same visit run (it arrived out of order).
 */
export function latestProgress(kept: VisitProgress | undefined, note: VisitProgress): VisitProgress {
  if (kept && note.seq !== undefined && kept.seq !== undefined && note.run === kept.run && note.seq < kept.seq)
    return kept;
  return note;
}

export const visitProgressSignal = defineSignal<[VisitProgress]>('visitProgress');
