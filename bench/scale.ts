/**
 * `npm run bench:scale`: thirty programmes of eleven counties each (330 visits) at once on the
 * project's own dev server (createDevServerEnv: the CLI build, in memory, on a free port), with
 * compressed dates and simulated people acting through the same Updates as `guidance demo`, against
 * one worker process (`node -r tsx/cjs worker/index.ts`, temp dirs, its own task queue). Measures
 * visits completed per minute, the worker's peak RSS, and the latency from each reminder's or
 * escalation's due moment to its email; then the bare floor on the same server: as many empty
 * workflows doing as many no-op activities as an average visit did, and the ratio between the two.
 * A benchmark, not a test: it records its figures in bench/RESULTS.md under "Scale (dev server)".
 *
 *   npm run bench:scale [-- --programmes 30 --ms-per-day 1500]
 *
 * Over 300 lines because a benchmark reads as one measurement from top to bottom: the thirty
 * programmes, the latency probe, the bare floor and the report stay together.
 */
import { WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaseReads } from '../client/case-reads';
import { startProgramme } from '../client/programme';
import { loadConfig } from '../config/env';
import { isBenign, People } from '../client/simulation/people';
import { addDays, Clock, dayNumber } from '../workflows/shared/clock';
import { scheduleQuery, type ProgrammeState } from '../workflows/contracts/programme';
import { type TimeScale } from '../workflows/contracts/common';
import type { Plan } from '../workflows/shared/plan';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import { freePort } from '../test/email/helpers';
import { createDevServerEnv } from '../test/helpers/temporal';
import { writeWorkflowBundle } from '../scripts/bundle-workflows';
import { plan11, plan11Yaml } from './lib/plans';
import {
  activityRows,
  cpuProfileBuckets,
  diff,
  profileHistories,
  requestRows,
  requestsOf,
  requestsSince,
  threadCpu,
} from './lib/breakdown';
import {
  CLK_TCK,
  children,
  cpuOf,
  devServerPid,
  memOf,
  runBench,
  startWorker,
  WORKER_NODE_ARGS,
  type WorkerProcess,
} from './lib/procs';
import { filesUnder, fmtMs, loadAverage, machine, quantile, recordSection } from './lib/report';

const li = process.argv.indexOf('--label');
/** `--label X` records the run under its own heading, beside the default run's. */
const HEADING = `## Scale (dev server)${li >= 0 ? `, ${process.argv[li + 1]}` : ''}`;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const PROGRAMMES = arg('programmes', 30);
const MS_PER_DAY = arg('ms-per-day', 1500);
// People look at their cases once a simulated day, as an office does (the demo polls four times a day).
const POLL_MS = Math.max(100, MS_PER_DAY);
const TIMEOUT_MS = arg('timeout-min', 20) * 60_000;
const SAMPLE_PROGRAMMES = 3;
/** `--profile`: the engine's worker runs with V8's CPU profiler (slower: its figures are for the split, not the ratio). */
const PROFILE = process.argv.includes('--profile');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const closedNow = new Map<string, number>();
let updateTimeouts = 0;
/** How long the people's screens waited: a visit's case (its page) and a programme's schedule, answered queries only. */
const queryMs = { case: [] as number[], schedule: [] as number[], caseQuery: [] as number[] };
/**
 * The people's screens read cases as the dashboard does (client/case-reads.ts): a query answered
 * within the budget, else the last answer marked with its time; a case a person just acted on
 * waits for a current answer. `caseQuery` times the visit query behind each read.
 */
const reads = new CaseReads<VisitCase>();
let staleReads = 0;
async function timedQuery<T>(kind: keyof typeof queryMs, q: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await q();
  queryMs[kind].push(performance.now() - t);
  return r;
}
const OVERLOADED = /Workflow Task in failed state|DEADLINE_EXCEEDED/;
const simToday = new Map<string, string>();

interface Driven {
  plan: Plan;
  people: People;
  epochMs: number;
  state: ProgrammeState;
  workflowId: string;
  errors: number;
  /** Stopped at the time limit with visits still open: the engine fell behind the calendar. */
  stopped?: boolean;
}

/** One programme driven to its end (or the time limit): runDemo's people, polling once per simulated day. */
async function drive(
  client: Client,
  plan: Plan,
  taskQueue: string,
  scale: TimeScale,
  evidenceDir: string,
  deadline: number,
): Promise<Driven> {
  const people = new People(client, plan, evidenceDir, { poll: 'progress' });
  const handle = await startProgramme(client, plan, { taskQueue, timeScale: scale, visibility: true });
  const epochMs = (await handle.describe()).startTime.getTime();
  let state: ProgrammeState | undefined;
  let errors = 0;
  while (Date.now() < deadline) {
    try {
      state = await timedQuery('schedule', () => handle.query(scheduleQuery));
    } catch {
      errors++;
      await sleep(500);
      continue;
    }
    // Each visit's people act on their own (as in an office), so one slow Update holds up only its case.
    const s = state;
    // Bounded by the time limit: an Update whose visit keeps failing its workflow task never
    // answers, and the client waits for it without end.
    const acting = Promise.all(
      s.entries.map(async (e) => {
        if (!people.wantsToRead(e, s.progress[e.county])) return;
        let c: VisitCase;
        try {
          const query = () => {
            const t = performance.now();
            return client.workflow
              .getHandle(e.visitWorkflowId)
              .query(visitCaseQuery)
              .then((v) => (queryMs.caseQuery.push(performance.now() - t), v));
          };
          const r = await timedQuery('case', () => reads.read(e.visitWorkflowId, query));
          if (r.asOf) staleReads++;
          c = r.value;
        } catch {
          return; // just started: not yet answering
        }
        try {
          if (await people.act(e.county, c)) reads.changed(e.visitWorkflowId);
        } catch (err) {
          reads.changed(e.visitWorkflowId);
          // An overloaded engine may not answer an Update within the client's deadline, or the
          // server refuses it while the visit's workflow task is being retried after a timeout:
          // the person tries again at the next look (counted), as someone whose click failed would.
          if (
            err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
            OVERLOADED.test(String((err as { cause?: unknown }).cause ?? err))
          )
            updateTimeouts++;
          else if (!isBenign(err)) throw err;
        }
      }),
    );
    await Promise.race([acting, sleep(Math.max(0, deadline - Date.now()))]);
    const closed = state.entries.filter((e) => e.status === 'completed' || e.status === 'cancelled').length;
    closedNow.set(plan.bureau.code, closed);
    simToday.set(plan.bureau.code, state.today);
    if (state.finished || (state.entries.length > 0 && closed === state.entries.length))
      return { plan, people, epochMs, state, errors, workflowId: handle.workflowId };
    await sleep(POLL_MS);
  }
  // Behind the calendar at the limit: report what was measured rather than nothing.
  if (!state) throw new Error(`programme ${plan.bureau.code} never answered within ${TIMEOUT_MS / 60_000} min`);
  return { plan, people, epochMs, state, errors, workflowId: handle.workflowId, stopped: true };
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

async function main() {
  const loadBefore = loadAverage();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const dirs = {
    data: path.join(root, 'data'),
    outbox: path.join(root, 'outbox'),
    sentLog: path.join(root, 'sent-log'),
  };
  let env: TestWorkflowEnvironment | undefined;
  const workers: WorkerProcess[] = [];
  const cleanup = async () => {
    for (const w of workers) await w.stop().catch(() => {});
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env?.teardown().catch(() => {});
    // BENCH_KEEP_DIR=1 keeps the worker's log and the outbox for a post-mortem.
    if (process.env.BENCH_KEEP_DIR) process.stderr.write(`[bench:scale] kept ${root}\n`);
    else fs.rmSync(root, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const metricsPort = await freePort();
    env = await createDevServerEnv(['--metrics-port', String(metricsPort)]);
    const namespace = env.namespace ?? 'default';
    const serverPid = devServerPid();
    const client = env.client;
    const year = new Date().getFullYear() + 1;
    const scale: TimeScale = { msPerDay: MS_PER_DAY, startDate: `${year - 1}-12-20` };
    const taskQueue = `bench-scale-${process.pid}-${Date.now().toString(36)}`;
    const planFile = path.join(root, 'plan.yaml');
    fs.writeFileSync(planFile, plan11Yaml(year, 'benchscale'));
    // As in production (docs/operations.md): the worker loads a prebuilt bundle, no webpack.
    const bundle = path.join(root, 'workflow-bundle.js');
    await writeWorkflowBundle(bundle);
    const workerEnv = {
      GUIDANCE_WORKFLOW_BUNDLE: bundle,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      GUIDANCE_TASK_QUEUE: taskQueue,
      GUIDANCE_PLAN: planFile,
      GUIDANCE_OUTBOX_DIR: dirs.outbox,
      GUIDANCE_SENT_LOG_DIR: dirs.sentLog,
      GUIDANCE_DATA_DIR: dirs.data,
    };
    const profDir = path.join(root, 'prof');
    if (PROFILE) process.env.BENCH_WORKER_NODE_ARGS = `${WORKER_NODE_ARGS} --cpu-prof --cpu-prof-dir=${profDir}`;
    const engine = await startWorker('worker/index.ts', workerEnv, path.join(root, 'worker.log'));
    delete process.env.BENCH_WORKER_NODE_ARGS;
    workers.push(engine);
    const startupHwm = memOf(engine.child.pid)?.hwm ?? 0;
    process.stderr.write(
      `[bench:scale] server ${env.address}, worker pid ${engine.child.pid} (${startupHwm.toFixed(0)} MiB), ${PROGRAMMES} × 11 counties, ${MS_PER_DAY} ms per simulated day\n`,
    );

    const plans = Array.from({ length: PROGRAMMES }, (_, i) =>
      plan11(year, `sc${String(i).padStart(2, '0')}${Math.random().toString(36).slice(2, 6)}`),
    );
    const t0 = Date.now();
    const cpu0 = { worker: cpuOf(engine.child.pid), server: cpuOf(serverPid), driver: cpuOf(process.pid) };
    const threads0 = threadCpu(engine.child.pid, CLK_TCK);
    const requests0 = await requestsOf(metricsPort, namespace);
    const deadline = t0 + TIMEOUT_MS;
    const progress = setInterval(() => {
      const m = memOf(engine.child.pid);
      const calendar = addDays(scale.startDate, Math.floor((Date.now() - t0) / MS_PER_DAY));
      const closedSum = [...closedNow.values()].reduce((a, b) => a + b, 0);
      const oldest = [...simToday.values()].sort()[0];
      process.stderr.write(
        `[bench:scale] ${((Date.now() - t0) / 1000).toFixed(0)} s, calendar ${calendar}, slowest programme at ${oldest}, ${closedSum} visits closed, worker RSS ${m?.rss.toFixed(0)} MiB (peak ${m?.hwm.toFixed(0)}), load ${loadAverage()}\n`,
      );
    }, 15_000);
    const driven = await Promise.all(
      plans.map((p) => drive(client, p, taskQueue, scale, path.join(dirs.data, 'evidence'), deadline)),
    ).finally(() => clearInterval(progress));
    const engineCpu = { worker: cpuOf(engine.child.pid) - cpu0.worker, server: cpuOf(serverPid) - cpu0.server };
    const driverCpu = cpuOf(process.pid) - cpu0.driver;
    const threads = diff(threadCpu(engine.child.pid, CLK_TCK), threads0);
    const engineRequests = requestsSince(await requestsOf(metricsPort, namespace), requests0);
    const engineMem = { ...engine.peak };
    const stopped = driven.some((d) => d.stopped);
    const stoppedAt = {
      wallS: (Date.now() - t0) / 1000,
      calendar: addDays(scale.startDate, Math.floor((Date.now() - t0) / MS_PER_DAY)),
      slowest: driven.map((d) => d.state.today).sort()[0],
    };
    const serverMem = memOf(serverPid);

    // Every visit's case: reminders and escalations with their delivery records.
    const visits = driven.flatMap((d) => d.state.entries.map((e) => ({ d, e })));
    // A visit whose workflow task keeps timing out (an overloaded worker) cannot answer: counted, not read.
    let unreadable = 0;
    // A run stopped behind the calendar reads only its closed visits: open ones answer slowly, if at all.
    const toRead = stopped ? visits.filter(({ e }) => e.status === 'completed') : visits;
    const read = await pool(toRead, 6, async ({ d, e }) => {
      try {
        return { d, e, c: await client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery) };
      } catch {
        unreadable++;
        return undefined;
      }
    });
    const cases = read.filter((x) => x !== undefined);
    const ends = visits.map(({ e }) => Date.parse(e.endedAt ?? '')).filter(Number.isFinite);
    const closed = visits.filter(({ e }) => e.status === 'completed').length;
    const lastEnd = ends.length ? Math.max(...ends) : t0 + stoppedAt.wallS * 1000;
    const visitsPerMin = closed / ((lastEnd - t0) / 60_000);

    const latency = { reminder: [] as number[], escalation: [] as number[] };
    let undelivered = 0;
    for (const { d, c } of cases) {
      const clock = Clock.compressed(scale, d.epochMs);
      const r = c.rectification;
      if (!r) continue;
      const events = [
        ...r.reminders.map((x) => ({
          kind: 'reminder' as const,
          due: addDays(x.dueDate!, -x.daysBefore),
          delivery: x.delivery,
        })),
        ...r.escalations.map((x) => {
          const step = d.plan.rectification.escalation.find((s) => s.rung === x.rung)!;
          return {
            kind: 'escalation' as const,
            due: addDays(addDays(x.date, -x.daysOverdue), step.daysAfterDue),
            delivery: x.delivery,
          };
        }),
      ];
      for (const ev of events) {
        const accepted = (ev.delivery?.recipients ?? [])
          .filter((x) => x.status === 'accepted')
          .map((x) => Date.parse(x.at));
        if (!accepted.length) {
          undelivered++;
          continue;
        }
        latency[ev.kind].push(Math.max(...accepted) - clock.instantOf(ev.due));
      }
    }
    const allLat = [...latency.reminder, ...latency.escalation];
    const deputy = cases.filter(({ c }) => c.approval.rounds.some((x) => x.by && x.by !== c.approval.approver)).length;
    const approvalReminders = cases.reduce(
      (a, { c }) => a + c.approval.rounds.reduce((b, x) => b + x.reminders.length, 0),
      0,
    );

    // Activities per visit, from the histories of a sample (every county of the first programmes):
    // open visits too, for the breakdown (a history is read from the server, not the worker).
    const sampled = driven.slice(0, SAMPLE_PROGRAMMES);
    // A visit not started yet (a run stopped early, or cancelled before its date) has no history.
    const fetched = await pool(
      visits.filter(({ d, e }) => sampled.includes(d) && e.status !== 'scheduled'),
      4,
      async ({ e }) => {
        try {
          return { e, h: await client.workflow.getHandle(e.visitWorkflowId).fetchHistory() };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        }
      },
    );
    const histories = fetched.filter((x) => x !== undefined);
    const closedHistories = histories.filter(({ e }) => e.status === 'completed').map(({ h }) => h);
    const counts = closedHistories.map((h) => ({
      activities: (h.events ?? []).filter((x) => x.activityTaskScheduledEventAttributes).length,
      events: h.events?.length ?? 0,
    }));
    const visitProfile = profileHistories(histories.map(({ h }) => h));
    const programmeProfile = profileHistories(
      await Promise.all(sampled.map((d) => client.workflow.getHandle(d.workflowId).fetchHistory())),
    );
    const avgActivities = counts.reduce((a, b) => a + b.activities, 0) / counts.length;
    const avgEvents = counts.reduce((a, b) => a + b.events, 0) / counts.length;
    // A fixed floor (issue 25): 40 no-op activities, what a visit averaged in the one-city run of
    // 2026-12-01, so a visit that does less work shows as less work, not as a lower floor.
    // --floor-activities sample: the sampled visits' average instead, as before issue 25.
    const floorSampled = process.argv[process.argv.indexOf('--floor-activities') + 1] === 'sample';
    const perWorkflow = floorSampled ? (counts.length ? Math.round(avgActivities) : 40) : arg('floor-activities', 40);
    const pdfs = filesUnder(path.join(dirs.data, 'archive'), '.pdf').length;
    const emls = filesUnder(dirs.outbox, '.eml').length;
    const updates: Record<string, number> = {};
    for (const d of driven) for (const [k, v] of Object.entries(d.people.updates)) updates[k] = (updates[k] ?? 0) + v;
    const updatesTotal = Object.values(updates).reduce((a, b) => a + b, 0);
    const replies: Record<string, number[]> = {};
    for (const d of driven) for (const [k, v] of Object.entries(d.people.latencies)) (replies[k] ??= []).push(...v);
    const allReplies = Object.values(replies).flat();
    await engine.stop();

    // The bare floor: the same number of workflows, each doing the average visit's activities as no-ops.
    const floorQueue = `${taskQueue}-floor`;
    const floorWorker = await startWorker(
      'bench/lib/noop-worker.ts',
      { ...workerEnv, GUIDANCE_TASK_QUEUE: floorQueue },
      path.join(root, 'floor-worker.log'),
    );
    workers.push(floorWorker);
    const n = visits.length;
    const floorCpu0 = { worker: cpuOf(floorWorker.child.pid), server: cpuOf(serverPid) };
    const floorThreads0 = threadCpu(floorWorker.child.pid, CLK_TCK);
    const floorRequests0 = await requestsOf(metricsPort, namespace);
    const f0 = Date.now();
    const handles = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.workflow.start('noopWorkflow', {
          workflowId: `${floorQueue}-${i}`,
          taskQueue: floorQueue,
          args: [perWorkflow],
        }),
      ),
    );
    await Promise.all(handles.map((h) => h.result()));
    const floorMs = Date.now() - f0;
    const floorCpu = {
      worker: cpuOf(floorWorker.child.pid) - floorCpu0.worker,
      server: cpuOf(serverPid) - floorCpu0.server,
    };
    const floorThreads = diff(threadCpu(floorWorker.child.pid, CLK_TCK), floorThreads0);
    const floorRequests = requestsSince(await requestsOf(metricsPort, namespace), floorRequests0);
    const floorProfile = profileHistories(await Promise.all(handles.slice(0, 20).map((h) => h.fetchHistory())));
    await floorWorker.stop();

    const f = (x: number) => (Number.isFinite(x) ? fmtMs(x) : '—');
    const buckets = cpuProfileBuckets(profDir);
    const busy = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const share = (m: Map<string, number>, k: string) =>
      m.has(k) ? `${((100 * m.get(k)!) / busy(m)).toFixed(1)} %` : '';
    const top = [...new Set([...buckets.main.keys(), ...buckets.workflow.keys()])]
      .sort(
        (a, b) =>
          Math.max(buckets.main.get(b) ?? 0, buckets.workflow.get(b) ?? 0) -
          Math.max(buckets.main.get(a) ?? 0, buckets.workflow.get(a) ?? 0),
      )
      .slice(0, 18);
    const profileSection = PROFILE
      ? `
JS time in the worker by code, per thread (V8 CPU profiles, \`--profile\`: the worker ran with
\`--cpu-prof\`, which slows it, so read the shares, not the seconds; the main thread was busy
${busy(buckets.main).toFixed(0)} s, the workflow thread ${busy(buckets.workflow).toFixed(0)} s. V8 samples a thread also while it waits inside
a native call: \`native runInContext\` is the SDK's every call into the workflow sandbox, which also
waits for the watchdog thread Node starts for the call's execution timeout):

| code | main thread (activities) | workflow thread |
|---|---:|---:|
${top.map((k) => `| ${k} | ${share(buckets.main, k)} | ${share(buckets.workflow, k)} |`).join('\n')}
`
      : '';
    const sizing = loadConfig({}).worker;
    const cpuEngine = (engineCpu.worker + engineCpu.server) / closed;
    const cpuFloor = (floorCpu.worker + floorCpu.server) / n;
    const yearWallS = (365 * MS_PER_DAY) / 1000;
    const simDays =
      dayNumber(
        driven
          .map((d) => d.state.today)
          .sort()
          .at(-1)!,
      ) - dayNumber(scale.startDate);
    const section = `${HEADING}

${PROGRAMMES} programmes × 11 counties (${n} visits) started at once on one dev server — the project's
own Temporal CLI build through \`createDevServerEnv\` (in memory, free port, search attributes
registered) — and one worker process, \`node -r tsx/cjs worker/index.ts\`, on its own task queue with
its plan, outbox, sent-log and data directory in a temp dir, loading a prebuilt workflow bundle as in
production, with the default sizing: ${sizing.maxCachedWorkflows} cached workflows, ${sizing.maxConcurrentActivities} activities at once. Each programme is the example plan
extended to eleven counties with its own bureau code, compressed to **${MS_PER_DAY} ms per simulated
day** from ${scale.startDate}. Simulated people act through the same Updates and with the same
decisions as \`runDemo\` (both use client/simulation/people.ts), one
driver per programme polling once per simulated day (every ${POLL_MS} ms), each visit's people
acting concurrently. Unlike \`runDemo\`, a driver
queries only the visits that the programme's progress notes say may need someone, never closed
ones: runDemo's loop queries every started visit every msPerDay/4 (and each closed one once more),
which at 330 visits and these day lengths means well over a thousand queries a second — that would
measure the demo's polling, not the engine.

Command: \`npm run bench:scale -- --programmes ${PROGRAMMES} --ms-per-day ${MS_PER_DAY}${process.argv.includes('--timeout-min') ? ` --timeout-min ${arg('timeout-min', 20)}` : ''}${PROFILE ? ' --profile' : ''}${li >= 0 ? ` --label '${process.argv[li + 1]}'` : ''}\`

Machine: ${machine()}. Load average before the run ${loadBefore} (other work shares this machine). Run on ${new Date().toISOString().slice(0, 10)}.

| figure | value |
|---|---:|
${stopped ? `| **stopped at the time limit (engine behind the calendar)** | after ${stoppedAt.wallS.toFixed(0)} s: calendar at ${stoppedAt.calendar}, slowest programme at ${stoppedAt.slowest} |\n` : ''}| visits closed (accepted and archived) | ${closed} / ${n}${unreadable ? ` (${unreadable} open visits did not answer a query at the end: workflow task timing out)` : ''} |
| wall time, first start → last visit closed | ${f(lastEnd - t0)} (≈ ${simDays} simulated days) |
| **visits completed per minute** | **${visitsPerMin.toFixed(1)}** |
| worker peak RSS (VmHWM of the worker process) | **${engineMem.hwm.toFixed(0)} MiB** (${startupHwm.toFixed(0)} MiB once polling) |
| dev server peak RSS (VmHWM) | ${serverMem ? `${serverMem.hwm.toFixed(0)} MiB` : 'not found'} |
| due moment → email, reminders + escalations (n = ${allLat.length}) | **p50 ${f(quantile(allLat, 0.5))}, p99 ${f(quantile(allLat, 0.99))}**, max ${f(Math.max(...allLat))} |
| — reminders only (n = ${latency.reminder.length}) | p50 ${f(quantile(latency.reminder, 0.5))}, p99 ${f(quantile(latency.reminder, 0.99))} |
| — escalation letters only (n = ${latency.escalation.length}) | p50 ${f(quantile(latency.escalation, 0.5))}, p99 ${f(quantile(latency.escalation, 0.99))} |
| reminders / escalations without an accepted delivery | ${undelivered} |
| letters rendered (PDFs in the archive) / emails (\`.eml\` copies in the outbox) | ${pdfs} / ${emls} |
| Updates sent by the simulated people | ${updatesTotal}${updateTimeouts ? `, and ${updateTimeouts} that got no answer in time or were refused while the visit's workflow task was retried (tried again)` : ''} (${Object.entries(
      updates,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) |
| **Update reply, sent → answered (n = ${allReplies.length})** | **p50 ${f(quantile(allReplies, 0.5))}, p99 ${f(quantile(allReplies, 0.99))}**, max ${f(Math.max(...allReplies))} |
${Object.entries(replies)
  .map(([k, v]) => `| — ${k} (n = ${v.length}) | p50 ${f(quantile(v, 0.5))}, p99 ${f(quantile(v, 0.99))} |`)
  .join('\n')}
| **A visit's case read for its page (read model, client/case-reads.ts; n = ${queryMs.case.length}, ${staleReads} of them the last answer)** | **p50 ${f(quantile(queryMs.case, 0.5))}, p99 ${f(quantile(queryMs.case, 0.99))}**, max ${f(Math.max(...queryMs.case))} |
| — the visit query behind the reads (n = ${queryMs.caseQuery.length}) | p50 ${f(quantile(queryMs.caseQuery, 0.5))}, p99 ${f(quantile(queryMs.caseQuery, 0.99))}, max ${f(Math.max(...queryMs.caseQuery))} |
| — a programme's schedule (its year page; n = ${queryMs.schedule.length}) | p50 ${f(quantile(queryMs.schedule, 0.5))}, p99 ${f(quantile(queryMs.schedule, 0.99))}, max ${f(Math.max(...queryMs.schedule))} |
| approval reminders / drafts decided by the deputy | ${approvalReminders} / ${deputy} |
| activities per visit (histories of ${counts.length} visits: programmes 1–${SAMPLE_PROGRAMMES}, all 11 counties) | ${counts.length ? `${avgActivities.toFixed(1)} (${avgEvents.toFixed(0)} history events)` : `no closed visit to sample: the floor uses ${perWorkflow} (--floor-activities)`} |

Latency is measured from the real instant the simulated due moment corresponds to — the programme's
clock maps a date to epoch + days × msPerDay + 9/24 × msPerDay, the epoch being the programme's start
time from \`describe()\` — to the moment the last recipient's copy was accepted (the delivery record's
\`at\`, i.e. the outbox file written). It therefore includes the timer firing, the workflow task, rendering
the letter, allocating its number (escalations) and writing the mail. At ${MS_PER_DAY} ms per day, one
simulated day is ${MS_PER_DAY} ms of wall time.

**Bare floor**, same server, same run, after the programmes: ${n} workflows, each running ${perWorkflow}
no-op activities in sequence (${floorSampled ? "the sampled visits' average, rounded" : 'a fixed floor; the visits averaged ' + avgActivities.toFixed(1)}), all started at once against one
worker process of the same SDK with default options (bench/lib/noop-worker.ts).

| | engine (visits, paced by the calendar) | bare floor (no-op workflows) | engine ÷ floor |
|---|---:|---:|---:|
| workflows completed | ${closed} | ${n} | |
| worker CPU seconds | ${engineCpu.worker.toFixed(1)} | ${floorCpu.worker.toFixed(1)} | |
| server CPU seconds | ${engineCpu.server.toFixed(1)} | ${floorCpu.server.toFixed(1)} | |
| **CPU seconds per workflow (worker + server)**${stopped ? ' — per closed visit, while open visits also worked: overstated' : ''} | **${closed ? cpuEngine.toFixed(3) : '— (no visit closed)'}** | **${cpuFloor.toFixed(3)}** | **${closed ? `${(cpuEngine / cpuFloor).toFixed(2)}×` : '—'}** |
| wall time | ${f(lastEnd - t0)} | ${f(floorMs)} | |
| worker peak RSS | ${engineMem.hwm.toFixed(0)} MiB | ${floorWorker.peak.hwm.toFixed(0)} MiB | |

**Where the engine's CPU goes** (the "engine ÷ floor" above, taken apart; all per workflow: per
closed visit for the engine${stopped ? ', overstated as above' : ''}, per no-op workflow for the floor).

Worker CPU seconds by thread (\`/proc/<pid>/task/*/stat\`, grouped by thread name):

| thread | engine | floor |
|---|---:|---:|
${[...new Set([...threads.keys(), ...floorThreads.keys()])]
  .sort((a, b) => (threads.get(b) ?? 0) - (threads.get(a) ?? 0))
  .map(
    (k) =>
      `| ${k} | ${((threads.get(k) ?? 0) / Math.max(1, closed)).toFixed(3)} | ${((floorThreads.get(k) ?? 0) / n).toFixed(3)} |`,
  )
  .join('\n')}

Requests the server's frontend answered (its \`/metrics\`: \`service_requests\` and
\`service_latency_sum\` by operation), per workflow, largest excess over the floor first; the time is
the frontend's wall time answering, not CPU. The engine's include the simulated people's queries
and Updates and every programme's and numbering workflow's share:

| operation | engine | engine, time | floor | floor, time |
|---|---:|---:|---:|---:|
${requestRows(engineRequests, Math.max(1, closed), floorRequests, n)}

History events per workflow (${visitProfile.workflows} sampled visits, ${programmeProfile.workflows} of their programmes' histories
shared out over their ${programmeProfile.workflows * 11} visits; ${floorProfile.workflows} floor workflows):

| event | visit | programme, per visit | floor |
|---|---:|---:|---:|
${[...new Set([...visitProfile.events.keys(), ...programmeProfile.events.keys(), ...floorProfile.events.keys()])]
  .map((k) => ({
    k,
    v: (visitProfile.events.get(k) ?? 0) / visitProfile.workflows,
    p: (programmeProfile.events.get(k) ?? 0) / (programmeProfile.workflows * 11),
    f: (floorProfile.events.get(k) ?? 0) / floorProfile.workflows,
  }))
  .sort((a, b) => b.v + b.p - (a.v + a.p))
  .slice(0, 16)
  .map(({ k, v, p, f }) => `| ${k} | ${v.toFixed(1)} | ${p.toFixed(1)} | ${f.toFixed(1)} |`)
  .join('\n')}

The visits' activities by type: how many per visit; from scheduled to started (waiting for a free
slot in the worker), started to completed (running) and scheduled to completed, p50 / p99 of each.
\`allocateDocNumber\` is a visit's wait for a document number: one update-with-start request to the
series' numbering workflow, which answers after its own workflow task:

| activity | per visit | scheduled → started | started → completed | scheduled → completed |
|---|---:|---:|---:|---:|
${activityRows(visitProfile)}

The programmes' own activities (weekly inbox digest, monthly bulletin, calendar), shared out per visit:

| activity | per visit | scheduled → started | started → completed | scheduled → completed |
|---|---:|---:|---:|---:|
${activityRows({ ...programmeProfile, workflows: programmeProfile.workflows * 11 })}
${profileSection}

**What this pace asks of the machine.** At ${MS_PER_DAY} ms per simulated day a year of visits is
${yearWallS.toFixed(0)} s of wall time. ${
      closed
        ? `${n} visits at the engine's ${cpuEngine.toFixed(2)} CPU seconds each need
${(cpuEngine * n).toFixed(0)} CPU seconds of worker and server in that time, **${((cpuEngine * n) / yearWallS).toFixed(1)} cores on average** (peaks
around the month's visits are higher)`
        : `No visit closed, so the engine's cost per visit is not known from this run; over its ${stoppedAt.wallS.toFixed(0)} s the
worker used **${(engineCpu.worker / stoppedAt.wallS).toFixed(2)} cores** and the server ${(engineCpu.server / stoppedAt.wallS).toFixed(2)}`
    }; the bare floor's ${cpuFloor.toFixed(2)} per workflow alone needs
${((cpuFloor * n) / yearWallS).toFixed(1)} cores. This machine has ${os.cpus().length}, shared with the simulated people's driver
(the benchmark process: ${driverCpu.toFixed(0)} CPU seconds over the run).

CPU seconds are user + system time from \`/proc/<pid>/stat\` of the worker process and the dev server
process, taken just before the first start and just after the last visit closed (engine), and just
before the floor's first start and after its last workflow completed (floor). The floor's work is what
any workflow of that many activities costs in the SDK and the server; the ratio is what the engine adds
on top: its Updates and queries, timers, rendering, mail and the programme workflows.
`;
    process.stdout.write(`${section}\n`);
    recordSection(HEADING, section);
    process.stdout.write('Recorded in bench/RESULTS.md\n');
    const errs = driven.reduce((a, d) => a + d.errors, 0);
    if (errs) process.stderr.write(`[bench:scale] ${errs} schedule queries failed and were retried\n`);
  } finally {
    await cleanup();
  }
}

runBench(main);
