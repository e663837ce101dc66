/**
 * `npm run bench:cluster`: the same compressed year (the example plan's eleven counties, the demo's
 * simulated people, 250 ms a simulated day, mail to a loopback SMTP sink) run twice in one go on
 * this machine, each time with one worker process:
 * - on the embedded default: the Temporal CLI's dev server (SQLite), local files, local sent-log;
 * - on the cluster: temporal-server on PostgreSQL, letters/archive/evidence in S3 (moto), sent-log,
 *   sessions and throttling in PostgreSQL (the stack of the cluster proof, test/cluster/stack.ts).
 * It reports the wall time from the programme's start to its last visit closed, and the CPU of
 * the worker and of the service (dev server; or temporal-server + PostgreSQL + moto) per visit,
 * read from /proc. A benchmark, not a test: it records its figures in bench/RESULTS.md under
 * "Compressed year: cluster against dev server".
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../client/demo';
import { demoBureauCode, demoPlan } from '../client/demo-run';
import { loadPlanFile } from '../client/plan';
import { connectClient, loadTemporalConfig } from '../config/temporal';
import { ensureDevServer } from '../worker/service';
import type { Plan } from '../workflows/shared/plan';
import { freePort, startSmtpSink } from '../test/email/helpers';
import { EXAMPLE_PLAN_FILE } from '../test/helpers/plans';
import { startHost } from '../test/cluster/hosts';
import { startStack } from '../test/cluster/stack';
import { loadAverage, machine, recordSection } from './lib/report';

const HEADING = '## Compressed year: cluster against dev server';
const MS_PER_DAY = 250;

/** CPU seconds of a process and everything below it (live descendants, and children it has reaped). */
function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = stat(Number(name));
      const list = children.get(f.ppid) ?? [];
      list.push(Number(name));
      children.set(f.ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const walk = (p: number): number => {
    let s: number;
    try {
      s = stat(p).cpu;
    } catch {
      return 0;
    }
    return s + (children.get(p) ?? []).reduce((a, c) => a + walk(c), 0);
  };
  return walk(pid);
}

function stat(pid: number): { ppid: number; cpu: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14–17, in USER_HZ (100) ticks.
  return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 };
}

interface Run {
  name: string;
  visits: number;
  wallMs: number;
  workerCpu: number;
  serviceCpu: number;
  mails: number;
}

function yearPlan(smtpPort: number): Plan {
  const example = loadPlanFile(EXAMPLE_PLAN_FILE);
  return {
    ...demoPlan(example, demoBureauCode(example.bureau.code), new Date().getFullYear() + 1),
    smtp: { host: '127.0.0.1', port: smtpPort, security: 'none', passwordEnv: 'SMTP_PASSWORD' },
  };
}

/** One year with one worker host on `env`'s Temporal; `serviceCpu` reads the service's CPU so far. */
async function year(
  name: string,
  dir: string,
  plan: Plan,
  env: Record<string, string>,
  serviceCpu: () => number,
  mails: () => number,
): Promise<Run> {
  const worker = await startHost({ name: 'worker', kind: 'worker', root: path.join(dir, 'hosts'), env });
  const client = await connectClient(loadTemporalConfig({ ...process.env, ...env }));
  try {
    const cpu0 = { worker: worker.cpuSeconds(), service: serviceCpu() };
    const t = Date.now();
    const result = await runDemo({
      client,
      plan,
      taskQueue: env.GUIDANCE_TASK_QUEUE!,
      msPerDay: MS_PER_DAY,
      startDate: `${plan.year - 1}-12-20`,
      evidenceDir: path.join(dir, 'people', 'evidence'),
      timeoutMs: 30 * 60_000,
    });
    const wallMs = Date.now() - t;
    const open = result.outcomes.filter((o) => o.stage !== 'closed');
    if (open.length) throw new Error(`${name}: ${open.length} visits did not close`);
    return {
      name,
      visits: result.outcomes.length,
      wallMs,
      workerCpu: worker.cpuSeconds() - cpu0.worker,
      serviceCpu: serviceCpu() - cpu0.service,
      mails: mails(),
    };
  } finally {
    await client.connection.close();
    await worker.stop();
  }
}

async function devServerYear(dir: string): Promise<Run> {
  const sink = await startSmtpSink();
  const port = await freePort();
  const env = {
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    TEMPORAL_NAMESPACE: 'default',
    GUIDANCE_TASK_QUEUE: 'bench-dev',
    GUIDANCE_DATA_DIR: path.join(dir, 'service'),
    GUIDANCE_TEMPORAL_PORT: String(port),
    GUIDANCE_UI_PORT: String(await freePort()),
  };
  const temporal = { ...loadTemporalConfig({ ...process.env, ...env }), external: false };
  const service = await ensureDevServer(temporal);
  try {
    const pid = service.process!.pid!;
    return await year(
      'dev server (SQLite), local files',
      dir,
      yearPlan(sink.port),
      env,
      () => treeCpuSeconds(pid),
      () => sink.messages.length,
    );
  } finally {
    await service.stop();
    await sink.close();
  }
}

async function clusterYear(dir: string): Promise<Run> {
  const stack = await startStack(dir, () => {});
  try {
    const pg = Number(readFileSync(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const server = stack.cluster.server.process.pid!;
    const plan: Plan = { ...stack.plan, smtp: { ...stack.plan.smtp! } };
    return await year(
      'cluster: temporal-server on PostgreSQL, S3 (moto), shared state in PostgreSQL',
      dir,
      plan,
      stack.env,
      () => treeCpuSeconds(pg) + treeCpuSeconds(server) + treeCpuSeconds(stack.moto.pid),
      () => stack.sink.messages.length,
    );
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (const [name, fn] of [
    ['dev', devServerYear],
    ['cluster', clusterYear],
  ] as const) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
    chmodSync(dir, 0o755);
    try {
      runs.push(await fn(dir));
      process.stderr.write(`[bench] ${JSON.stringify(runs.at(-1))}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const row = (r: Run) =>
    `| ${r.name} | ${r.visits} | ${(r.wallMs / 1000).toFixed(1)} s | ${(r.workerCpu / r.visits).toFixed(2)} s | ${(r.serviceCpu / r.visits).toFixed(2)} s | ${r.mails} |`;
  const section = [
    HEADING,
    '',
    `\`npm run bench:cluster\`, ${new Date().toISOString().slice(0, 10)}; ${machine()}; load after: ${loadAverage()}.`,
    `The same year (example plan, ${runs[0]!.visits} counties, the demo's simulated people, ${MS_PER_DAY} ms a simulated day), one worker process each, one after the other in one run.`,
    'Wall time: programme start to the last visit closed. CPU from /proc (user + system, the process and its children).',
    '',
    '| Temporal and storage | visits | wall time | worker CPU per visit | service CPU per visit | mails at the sink |',
    '|---|---|---|---|---|---|',
    ...runs.map(row),
  ].join('\n');
  recordSection(HEADING, section);
  process.stdout.write(`${section}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
