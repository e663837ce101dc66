/**
 * The practice year (演练): the example plan (or any plan) on a compressed clock with no simulated
 * people, so new staff can act through the dashboard and the CLI today, although the real year's
 * first visit is months away. Kept apart from the real programme three ways:
 *
 * - a bureau code of its own per run (`<code>-practice-<stamp>`), so every workflow id
 *   (`guidance-…`, `visit-…`, `docnum-…`), archive folder and outbox file name differs from the real
 *   one, as the demo does;
 * - a task queue of its own (`<queue>-practice`), served only by the sandbox's worker: a real worker
 *   never runs a practice step, and the sandbox's worker (outbox only) never runs a real one;
 * - no SMTP at all: the plan's `smtp` block and the operator's SMTP_* override are dropped, so every
 *   mail is an `.eml` file in `<outbox>/practice`, its subject marked 【演练】.
 *
 * The plan's practice copy and its dates are in practice-plan.ts.
 *
 * A compressed year cannot be paused (its clock runs on real time), so a run is not resumed: stopping
 * the sandbox ends its workflows, and a new run first ends whatever an earlier one left running.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { config as envConfig, type Config } from '../config/env';
import { connectClient, type TemporalConfig } from '../config/temporal';
import { ensureDevServer, type RunningService } from '../worker/service';
import { createWorker, workerActivities } from '../worker/worker';
import { programmeWorkflowId, TimeScaleSchema, type TimeScale } from '../workflows/contracts/common';
import type { Plan } from '../workflows/shared/plan';
import type { PracticeMode } from './http/practice';
import { startDashboard } from './http/start';
import {
  defaultStartDate,
  firstNotice,
  PRACTICE_MARKER,
  practiceBureauCode,
  practicePlan,
  practicePublicUrl,
  practiceTaskQueue,
  type FirstNotice,
} from './practice-plan';
import { EXIT, UserError, startProgramme } from './programme';
import type { Users } from './users';

/** The example users' published password pattern (examples/users.yaml): `heluo-<id>`. */
const EXAMPLE_PASSWORD = (id: string) => `heluo-${id}`;

/** The example users whose password is the published example one (checked, not assumed). */
export async function exampleLogins(
  users: Users,
): Promise<{ id: string; name: string; role: string; county?: string; password?: string }[]> {
  return Promise.all(
    users.records.map(async (u) => ({
      id: u.id,
      name: u.name ?? u.id,
      role: u.role,
      county: u.county,
      password: u.password && (await users.login(u.id, EXAMPLE_PASSWORD(u.id))) ? EXAMPLE_PASSWORD(u.id) : undefined,
    })),
  );
}

/**
 * Ends every practice workflow still running on the practice task queue (an earlier run's, or this
 * one's at stop). Only ids carrying the marker (`-practice-`, or the demo's `-demo-`): the query
 * alone must never reach a real one.
 */
export async function endPracticeRuns(
  client: Client,
  taskQueue: string,
  reason: string,
  marker: string = PRACTICE_MARKER,
): Promise<string[]> {
  const ended: string[] = [];
  const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query })) {
    if (!wf.workflowId.includes(`-${marker}-`)) continue;
    // A visit ends with its programme; listing may still show it running: already gone is fine.
    const ok = await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .terminate(reason)
      .then(
        () => true,
        () => false,
      );
    if (ok) ended.push(wf.workflowId);
  }
  return ended;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  p.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export interface SandboxOptions {
  /** The plan as loaded; the sandbox runs its practice copy. */
  plan: Plan;
  /** The configured service: the embedded default is started when it is not running. */
  temporal: TemporalConfig;
  /** Real milliseconds per simulated day. */
  msPerDay: number;
  /** Simulated date the practice begins on; default NOTICE_LEAD_DAYS before the first notice. */
  startDate?: string;
  /** Where the dashboard listens (port 0: any free port). */
  http?: { host?: string; port?: number };
  /** The configuration (users file, outbox, sent-log); the process's own by default. */
  config?: Readonly<Config>;
  /** The practice dashboard's address as trainees reach it, for receipt links; default where it listens. */
  publicUrl?: string;
}

export interface Sandbox {
  plan: Plan;
  programmeId: string;
  taskQueue: string;
  timeScale: TimeScale;
  epochMs: number;
  firstNotice: FirstNotice;
  /** Workflows of an earlier practice run that were ended at this start. */
  endedEarlier: string[];
  client: Client;
  url: string;
  app: FastifyInstance;
  uiUrl?: string;
  outboxDir: string;
  /** The letter archive (shared with the real programme; practice case folders carry the practice code). */
  archiveDir: string;
  /** Resolves when the worker has stopped (Ctrl+C, or `stop`). */
  done: Promise<void>;
  /** Ends the practice workflows, stops the worker, the dashboard and (if started here) the dev server. */
  stop(): Promise<void>;
}

/** Starts a practice year: dev server if needed, dashboard, worker on the practice queue, programme. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const c = opts.config ?? envConfig();
  const timeScaleCheck = TimeScaleSchema.safeParse({
    msPerDay: opts.msPerDay,
    startDate: opts.startDate ?? '2000-01-01',
  });
  if (!timeScaleCheck.success)
    throw new UserError(
      `模拟时钟设置不正确：每个模拟日 ${opts.msPerDay} 毫秒，开始日期 ${opts.startDate}`,
      EXIT.badInput,
    );
  const startDate = opts.startDate ?? defaultStartDate(opts.plan);
  const notice = firstNotice(opts.plan, startDate);
  const plan = practicePlan(opts.plan, practiceBureauCode(opts.plan.bureau.code));
  const taskQueue = practiceTaskQueue(opts.temporal.taskQueue);
  const temporal: TemporalConfig = { ...opts.temporal, taskQueue };
  const timeScale: TimeScale = { msPerDay: opts.msPerDay, startDate };
  // The clock starts with the programme, below; the dashboard reads this object at every request.
  const practice: PracticeMode = { timeScale, epochMs: Date.now() };
  const outboxDir = path.join(c.mail.outboxDir, PRACTICE_MARKER);

  const service: RunningService | undefined = opts.temporal.external ? undefined : await ensureDevServer(opts.temporal);
  const cleanups: (() => Promise<unknown>)[] = [async () => service?.stop()];
  const cleanup = async () => {
    for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
  };
  try {
    const client = await connectClient(opts.temporal);
    cleanups.push(() => client.connection.close());
    const dashboard = await startDashboard({
      client,
      temporal,
      plan,
      uiUrl: service?.uiUrl,
      practice,
      config: { ...c, http: { ...c.http, host: opts.http?.host ?? c.http.host, port: opts.http?.port ?? c.http.port } },
    });
    cleanups.push(() => dashboard.app.close());
    const endedEarlier = await endPracticeRuns(client, taskQueue, '新的演练开始，上一轮演练结束').catch(
      (err: unknown) => {
        process.stderr.write(
          `[sandbox] 未能结束上一轮演练的工作流：${err instanceof Error ? err.message : String(err)}\n`,
        );
        return [];
      },
    );
    const worker = await createWorker(temporal, {
      worker: {
        activities: workerActivities({
          dataDir: temporal.dataDir,
          taskQueue,
          client,
          mail: { outboxDir, sentLogDir: c.mail.sentLogDir, smtpOverride: {} },
          // Receipt links open the practice dashboard: the real one (GUIDANCE_PUBLIC_URL) knows no practice case.
          receipts: { ...c.receipts, publicUrl: practicePublicUrl(dashboard.url, opts.publicUrl) },
        }),
      },
    });
    const done = worker.run();
    done.catch(() => undefined); // its failure reaches whoever awaits `done`; never unhandled here
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    });
    practice.epochMs = Date.now();
    const handle = await startProgramme(client, plan, {
      taskQueue,
      timeScale,
      timeScaleEpochMs: practice.epochMs,
      visibility: true,
    });
    // Best effort: Ctrl+C in a terminal also stops the dev server; the next run ends what is left.
    cleanups.push(() => withTimeout(endPracticeRuns(client, taskQueue, '演练结束'), 5_000));
    cleanups.push(() => withTimeout(handle.terminate('演练结束'), 5_000));
    return {
      plan,
      programmeId: programmeWorkflowId(plan.year, plan.bureau.code),
      taskQueue,
      timeScale,
      epochMs: practice.epochMs,
      firstNotice: notice,
      endedEarlier,
      client,
      url: dashboard.url,
      app: dashboard.app,
      uiUrl: service?.uiUrl,
      outboxDir,
      archiveDir: path.join(temporal.dataDir, 'archive'),
      done,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
