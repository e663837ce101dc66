/**
 * Programme operations shared by the CLI and the HTTP API: start, read, reschedule, add, cancel.
 * Errors come back as UserError with the workflow's Chinese message, never as a stack trace.
 */
import { retryUpdate, type Incident, type RetryArgs } from '../workflows/contracts/incidents';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  addCountyUpdate,
  cancelVisitUpdate,
  rescheduleUpdate,
  scheduleQuery,
  type AddCountyArgs,
  type CancelVisitArgs,
  type ProgrammeState,
  type RescheduleArgs,
  type ScheduleEntry,
} from '../workflows/contracts/programme';
import { programmeWorkflowId, type TimeScale } from '../workflows/contracts/common';
import {
  recordStatisticsUpdate,
  type RecordStatisticsArgs,
  type StatisticsRow,
} from '../workflows/contracts/statistics';
import type { Plan } from '../workflows/shared/plan';
import { GuidanceBureau, GuidanceStage, GuidanceYear } from '../workflows/shared/search-attributes';
import type { programmeWorkflow } from '../workflows/programme';
import { scheduleProblems, startDay } from './plan-check';

/** A refusal meant for a person: the message is shown as it is; `exitCode` tells scripts what kind. */
export class UserError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number,
    public readonly type?: string,
  ) {
    super(message);
  }
}

/** Exit codes of the CLI, documented in the README. */
export const EXIT = { ok: 0, refused: 1, badInput: 2, notFound: 3, unavailable: 4 } as const;

/** Starts the year's programme; a second start of the same year is refused. */
export async function startProgramme(
  client: Client,
  plan: Plan,
  opts: {
    taskQueue: string;
    timeScale?: TimeScale;
    /** When the compressed clock's start date begins (real ms); default the workflow's start. The sandbox fixes it so its dashboard shows the same simulated date. */
    timeScaleEpochMs?: number;
    visibility?: boolean;
    mailRetry?: {
      initialIntervalMs?: number;
      maximumIntervalMs?: number;
      giveUpAfterMs?: number;
      attemptTimeoutMs?: number;
    };
  },
) {
  const workflowId = programmeWorkflowId(plan.year, plan.bureau.code);
  // The workflow places the counties with the same code; a plan it cannot place never starts.
  const problems = scheduleProblems(plan, startDay(opts.timeScale));
  if (problems.length > 0)
    throw new UserError(`计划无法排期，未启动：\n${problems.join('\n')}`, EXIT.badInput, 'InvalidInput');
  try {
    return await client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
      workflowId,
      taskQueue: opts.taskQueue,
      args: [
        {
          plan,
          timeScale: opts.timeScale,
          timeScaleEpochMs: opts.timeScaleEpochMs,
          visibility: opts.visibility ?? true,
          mailRetry: opts.mailRetry,
        },
      ],
      // Visible from the first moment (the workflow upserts the same values when it runs).
      typedSearchAttributes:
        opts.visibility === false
          ? undefined
          : [
              { key: GuidanceYear, value: plan.year },
              { key: GuidanceBureau, value: plan.bureau.code },
              { key: GuidanceStage, value: 'running' },
            ],
      // One programme per bureau and year: a running or finished year is not started again. A run
      // that failed (only a person's decision, or a version before schedule incidents) or was
      // terminated never burns the year: it can be started afresh.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UserError(
        `${plan.bureau.name} ${plan.year} 年度执法指导计划已经启动过（工作流 ${workflowId}），不能重复启动`,
        EXIT.refused,
        'AlreadyExists',
      );
    }
    throw err;
  }
}

function handle(client: Client, year: number, bureau: string) {
  return client.workflow.getHandle<typeof programmeWorkflow>(programmeWorkflowId(year, bureau));
}

/** The programme's schedule and status. */
export async function getProgramme(client: Client, year: number, bureau: string): Promise<ProgrammeState> {
  try {
    // As of now: the programme's own time is its last event (AsOf, workflows/shared/clock.ts).
    return await handle(client, year, bureau).query(scheduleQuery, { nowMs: Date.now() });
  } catch (err) {
    throw translate(err, year, bureau);
  }
}

export async function reschedule(
  client: Client,
  year: number,
  bureau: string,
  args: RescheduleArgs,
): Promise<ScheduleEntry> {
  try {
    return await handle(client, year, bureau).executeUpdate(rescheduleUpdate, { args: [args] });
  } catch (err) {
    throw translate(err, year, bureau);
  }
}

export async function addCounty(
  client: Client,
  year: number,
  bureau: string,
  args: AddCountyArgs,
): Promise<ScheduleEntry> {
  try {
    return await handle(client, year, bureau).executeUpdate(addCountyUpdate, { args: [args] });
  } catch (err) {
    throw translate(err, year, bureau);
  }
}

export async function cancelVisit(
  client: Client,
  year: number,
  bureau: string,
  args: CancelVisitArgs,
): Promise<ScheduleEntry> {
  try {
    return await handle(client, year, bureau).executeUpdate(cancelVisitUpdate, { args: [args] });
  } catch (err) {
    throw translate(err, year, bureau);
  }
}

/** After the cause of a programme incident (bulletin, digest, calendar) is fixed: the step runs again. */
export async function retryProgramme(client: Client, year: number, bureau: string, args: RetryArgs): Promise<Incident> {
  try {
    return await handle(client, year, bureau).executeUpdate(retryUpdate, { args: [args] });
  } catch (err) {
    throw translate(err, year, bureau);
  }
}

/** Turns Temporal's errors into a person's message and an exit code. */
export function translate(err: unknown, year: number, bureau: string): unknown {
  if (err instanceof WorkflowNotFoundError) {
    return new UserError(
      `没有找到 ${year} 年度的执法指导计划（${programmeWorkflowId(year, bureau)}）`,
      EXIT.notFound,
      'NotFound',
    );
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return new UserError(err.cause.message, EXIT.refused, err.cause.type ?? undefined);
  }
  return err;
}

/** The bulletin's rows from an imported statistics table (the 合计 row is not a county). */
type Figure = number | null | undefined;
export function statisticsRows(
  units: {
    name: string;
    inspections?: Figure;
    inspectorVisits?: Figure;
    docSubtotal?: Figure;
    cases?: Figure;
    fineAmount?: Figure;
    fineSubtotal?: Figure;
    hazards?: Figure;
    hazardsRectified?: Figure;
  }[],
): StatisticsRow[] {
  return units.map((u) => ({
    county: u.name,
    inspections: u.inspections ?? 0,
    inspectors: u.inspectorVisits ?? 0,
    documents: u.docSubtotal ?? 0,
    cases: u.cases ?? 0,
    fines: u.fineAmount ?? u.fineSubtotal ?? 0,
    hazardsFound: u.hazards ?? 0,
    hazardsFixed: u.hazardsRectified ?? 0,
  }));
}

/** Records imported statistics with the programme: the bulletin's table and the visits' draft findings. */
export async function recordStatistics(
  client: Client,
  year: number,
  bureau: string,
  args: RecordStatisticsArgs,
): Promise<{ period: string; rows: number }> {
  try {
    return await handle(client, year, bureau).executeUpdate(recordStatisticsUpdate, { args: [args] });
  } catch (err) {
    throw translate(err, year, bureau);
  }
}
