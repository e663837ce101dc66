/**
 * `guidance demo` kept away from production, as the practice year is (client/sandbox.ts). A demo
 * mails simulated 警示/约谈 letters within minutes, so on a production machine it must never reach a
 * county, a real worker or the real number series:
 *
 * - a bureau code of its own per run (`<code>-demo-<stamp>`): programme, visit and number-series
 *   ids, archive folders and outbox files all differ from the real ones;
 * - a task queue of its own (`<queue>-demo`), served only by the demo's in-process worker, so a
 *   running `npm start` worker never runs a demo step;
 * - no SMTP at all: the plan's `smtp` block is dropped and the worker is built with no SMTP_*
 *   override, so every mail is an `.eml` file in `<outbox>/demo`;
 * - every address rewritten to one under `demo.invalid` (RFC 2606: never resolves), so even an
 *   `.eml` forwarded by hand reaches nobody;
 * - marked where a reader cannot miss it: the document number's 机关代字 starts 演示
 *   (演示河洛应急指导〔2027〕3号), the bureau's name in every letterhead and signature ends （演示）,
 *   and every mail subject starts 【演示】;
 * - on a cluster (TEMPORAL_ADDRESS) only when asked explicitly (`--allow-cluster`).
 */
import type { Client } from '@temporalio/client';
import path from 'node:path';
import { config as envConfig, type Config } from '../config/env';
import { connectClient, type TemporalConfig } from '../config/temporal';
import { ensureDevServer, type RunningService } from '../worker/service';
import { createWorker, workerActivities } from '../worker/worker';
import type { ProgrammeState } from '../workflows/contracts/programme';
import type { Plan, Person } from '../workflows/shared/plan';
import { runDemo, type DemoOutcome, type DemoProgress } from './demo';
import { EXIT, UserError } from './programme';
import { endPracticeRuns } from './sandbox';

/** The word in every demo bureau code and so in every demo workflow id. */
export const DEMO_MARKER = 'demo';
/** The domain of every address in a demo plan: reserved, never resolves (RFC 2606). */
export const DEMO_MAIL_DOMAIN = 'demo.invalid';
/** Prefix of the 机关代字 in every demo document number. */
export const DEMO_SHORT_NAME_PREFIX = '演示';
/** Suffix of the bureau's name in every demo letterhead, signature and sender. */
export const DEMO_NAME_SUFFIX = '（演示）';
/** Prefix of every demo mail subject. */
export const DEMO_SUBJECT_PREFIX = '【演示】';
/**
 * Where the demo's receipt links point: the demo runs no dashboard, and a link to the real one
 * would only answer 签收链接无效 there. A reserved name that never resolves.
 */
export const DEMO_PUBLIC_URL = `http://${DEMO_MAIL_DOMAIN}`;

/** The demo task queue beside the configured one. */
export function demoTaskQueue(queue: string): string {
  return `${queue}-${DEMO_MARKER}`;
}

/** `<code>-demo-<stamp>`, within the plan's 40-character code rule. */
export function demoBureauCode(code: string, nowMs = Date.now()): string {
  const suffix = `-${DEMO_MARKER}-${nowMs.toString(36)}`;
  return `${code.slice(0, 40 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

const safeAddress = (local: string) => `${local}@${DEMO_MAIL_DOMAIN}`;
const safePerson = (p: Person): Person => (p.email ? { ...p, email: safeAddress(p.id) } : p);

/**
 * The demo copy of a plan: own code and year, no SMTP, every address under demo.invalid, the
 * counties placed by the scheduler, and the marks above. The plan itself is untouched.
 */
export function demoPlan(plan: Plan, code: string, year: number): Plan {
  const { smtp: _smtp, ...rest } = plan;
  const mail = Object.fromEntries(
    Object.entries(plan.wording.mail).map(([kind, text]) => [
      kind,
      { ...text, subject: `${DEMO_SUBJECT_PREFIX}${text.subject}` },
    ]),
  ) as Plan['wording']['mail'];
  const { approver, deputy } = plan.approval;
  return {
    ...rest,
    year,
    bureau: {
      ...plan.bureau,
      code,
      name: `${plan.bureau.name}${DEMO_NAME_SUFFIX}`,
      shortName: `${DEMO_SHORT_NAME_PREFIX}${plan.bureau.shortName}`,
      email: safeAddress(code),
    },
    supervisors: plan.supervisors.map(safePerson),
    approval: { ...plan.approval, approver: safePerson(approver), ...(deputy ? { deputy: safePerson(deputy) } : {}) },
    admins: plan.admins.map(safePerson),
    // Explicit dates belong to the real year; the demo's year is placed by the scheduler.
    counties: plan.counties.map(({ date: _date, ...c }) => ({
      ...c,
      emails: c.emails.map((_, i) => safeAddress(i === 0 ? c.code : `${c.code}-${i + 1}`)),
    })),
    wording: { ...plan.wording, mail },
  };
}

/** Refuses a cluster unless `allowCluster`: the demo's home is the embedded default. */
export function assertDemoTarget(temporal: TemporalConfig, allowCluster: boolean): void {
  if (!temporal.external || allowCluster) return;
  const address = temporal.connection.address ?? '';
  throw new UserError(
    `已设置 TEMPORAL_ADDRESS（${address}），演示将在该集群上运行。演示只应在本机默认环境中运行，以免与正式工作混在一起；` +
      '请取消 TEMPORAL_ADDRESS 后再运行，确需在该集群上演示请加 --allow-cluster',
    EXIT.badInput,
  );
}

/** The mail settings of the demo's worker: the demo outbox, and no SMTP override of any kind. */
export function demoMail(c: Readonly<Config>): Config['mail'] {
  return { outboxDir: path.join(c.mail.outboxDir, DEMO_MARKER), sentLogDir: c.mail.sentLogDir, smtpOverride: {} };
}

export interface DemoSetup {
  /** The plan as loaded; the demo runs its demo copy. */
  plan: Plan;
  temporal: TemporalConfig;
  /** Real milliseconds per simulated day. */
  msPerDay: number;
  /** Run on the cluster of TEMPORAL_ADDRESS although it is one. */
  allowCluster?: boolean;
  /** The configuration (outbox, sent-log); the process's own by default. */
  config?: Readonly<Config>;
  /** The demo's year; default next year. */
  year?: number;
  onProgress?: (p: DemoProgress) => void;
  timeoutMs?: number;
}

export interface Demo {
  plan: Plan;
  taskQueue: string;
  outboxDir: string;
  archiveDir: string;
  uiUrl?: string;
  client: Client;
  /** Workflows of an earlier, interrupted demo ended at this start. */
  endedEarlier: string[];
  /** The year's outcome, once every visit has closed (or `stop` was called: rejects then). */
  result: Promise<{ programme: ProgrammeState; outcomes: DemoOutcome[] }>;
  /** Stops waiting, ends the demo's workflows still running, stops the worker and the dev server. */
  stop(): Promise<void>;
}

/** Starts a demo year: refuses a cluster unless allowed, then dev server, worker on the demo queue, programme. */
export async function startDemo(opts: DemoSetup): Promise<Demo> {
  assertDemoTarget(opts.temporal, opts.allowCluster ?? false);
  const c = opts.config ?? envConfig();
  const year = opts.year ?? new Date().getFullYear() + 1;
  const plan = demoPlan(opts.plan, demoBureauCode(opts.plan.bureau.code), year);
  const taskQueue = demoTaskQueue(opts.temporal.taskQueue);
  const temporal: TemporalConfig = { ...opts.temporal, taskQueue };
  const mail = demoMail(c);

  const service: RunningService | undefined = opts.temporal.external ? undefined : await ensureDevServer(opts.temporal);
  const cleanups: (() => Promise<unknown>)[] = [async () => service?.stop()];
  const cleanup = async () => {
    for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
  };
  try {
    const client = await connectClient(opts.temporal);
    cleanups.push(() => client.connection.close());
    // An interrupted demo leaves its year running on the demo queue; this worker would otherwise
    // serve it, its clock racing to catch up.
    const endedEarlier = await endPracticeRuns(client, taskQueue, '新的演示开始，上一次演示结束', DEMO_MARKER).catch(
      () => [],
    );
    const worker = await createWorker(temporal, {
      worker: {
        activities: workerActivities({
          dataDir: temporal.dataDir,
          taskQueue,
          client,
          mail,
          receipts: { ...c.receipts, publicUrl: DEMO_PUBLIC_URL },
        }),
      },
    });
    const running = worker.run();
    running.catch(() => undefined);
    const abort = new AbortController();
    // Ctrl+C stops the worker (the SDK's signal handling): stop waiting for the year then.
    void running.finally(() =>
      abort.abort(new UserError('演示已中断：工作进程已停止，未完成的演示工作流随之结束', EXIT.refused)),
    );
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    cleanups.push(() => endPracticeRuns(client, taskQueue, '演示结束', DEMO_MARKER));
    cleanups.push(async () => abort.abort(new UserError('演示已停止', EXIT.refused)));
    const result = runDemo({
      client,
      plan,
      taskQueue,
      msPerDay: opts.msPerDay,
      startDate: `${year - 1}-12-20`,
      evidenceDir: path.join(temporal.dataDir, 'evidence'),
      onProgress: opts.onProgress,
      timeoutMs: opts.timeoutMs,
      signal: abort.signal,
    });
    result.catch(() => undefined);
    return {
      plan,
      taskQueue,
      outboxDir: mail.outboxDir,
      archiveDir: path.join(temporal.dataDir, 'archive'),
      uiUrl: service?.uiUrl,
      client,
      endedEarlier,
      result,
      stop: async () => {
        abort.abort(new UserError('演示已停止', EXIT.refused));
        await result.catch(() => undefined);
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
