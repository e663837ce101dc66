/**
 * Where a benchmark's CPU goes, from four sources that need no change to the engine:
 * - the dev server's Prometheus `/metrics` (`--metrics-port`): frontend requests by operation;
 * - `/proc/<pid>/task/*` of the worker: CPU seconds by thread name (JS main thread, the workflow
 *   thread, the SDK's Rust core, V8's GC helpers, libuv's pool);
 * - workflow histories: events by type and each activity type's count and timings;
 * - optionally V8 CPU profiles of the worker (`--cpu-prof`): JS self time by package.
 */
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import fs from 'node:fs';
import path from 'node:path';
import { cpuOf } from './procs';
import { quantile } from './report';

type History = temporal.api.history.v1.IHistory;

/**
 * Frontend requests so far, by operation (`service_requests{service_name="frontend"}`), in
 * `namespace`; with `metric: 'service_latency_sum'`, the seconds the frontend spent answering them.
 */
export async function frontendRequests(
  metricsPort: number,
  namespace: string,
  metric = 'service_requests',
): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    if (!labels.includes('service_name="frontend"') || !labels.includes(`namespace="${namespace}"`)) continue;
    const op = /operation="([^"]+)"/.exec(labels)?.[1];
    if (op) out.set(op, (out.get(op) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

export function diff(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) out.set(k, v - (before.get(k) ?? 0));
  return out;
}

/**
 * CPU seconds by thread group of a process. Names are the kernel's `comm` (15 characters): Node's
 * main thread is `node`, worker_threads are `WorkerThread` (the workflow sandbox), the SDK core's
 * Tokio runtime `tokio-runtime-w`, V8's helpers `V8 DefaultWorke`, libuv's pool `libuv-worker`.
 */
export function threadCpu(pid: number | undefined, clkTck: number): Map<string, number> {
  const out = new Map<string, number>();
  if (!pid) return out;
  // Threads that have exited count in the process's total only (e.g. the watchdog thread Node's
  // vm starts for every call with a timeout, which the SDK makes for every workflow activation).
  let live = 0;
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = tid === String(pid) ? 'node (main: activities, SDK JS)' : name;
      const cpu = (Number(f[11]) + Number(f[12])) / clkTck;
      live += cpu;
      out.set(group, (out.get(group) ?? 0) + cpu);
    } catch {
      /* thread gone */
    }
  }
  out.set('(threads that have exited)', Math.max(0, cpuOf(pid) - live));
  return out;
}

const EventType = temporal.api.enums.v1.EventType;

export interface HistoryProfile {
  workflows: number;
  events: Map<string, number>;
  activities: Map<string, { n: number; scheduleToStart: number[]; startToClose: number[]; scheduleToClose: number[] }>;
}

/** Events by type and, per activity type, scheduled → started (queueing), started → completed (running) and scheduled → completed. */
export function profileHistories(histories: History[]): HistoryProfile {
  const p: HistoryProfile = { workflows: histories.length, events: new Map(), activities: new Map() };
  for (const h of histories) {
    const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
    for (const e of h.events ?? []) {
      const type = EventType[e.eventType ?? 0] ?? String(e.eventType);
      const name = type.replace(/^EVENT_TYPE_/, '');
      p.events.set(name, (p.events.get(name) ?? 0) + 1);
      const at = tsToMs(e.eventTime);
      const s = e.activityTaskScheduledEventAttributes;
      if (s) {
        const t = s.activityType?.name ?? '?';
        scheduled.set(String(e.eventId), { type: t, at });
        const a = p.activities.get(t) ?? { n: 0, scheduleToStart: [], startToClose: [], scheduleToClose: [] };
        a.n++;
        p.activities.set(t, a);
      }
      const started = e.activityTaskStartedEventAttributes;
      if (started) {
        const from = scheduled.get(String(started.scheduledEventId));
        if (from) {
          from.startedAt = at;
          p.activities.get(from.type)!.scheduleToStart.push(at - from.at);
        }
      }
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const from = scheduled.get(String(done.scheduledEventId));
        if (from) p.activities.get(from.type)!.scheduleToClose.push(at - from.at);
        if (from?.startedAt !== undefined) p.activities.get(from.type)!.startToClose.push(at - from.startedAt);
      }
    }
  }
  return p;
}

const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '—');

const pq = (xs: number[]) => `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.99))}`;

/** Markdown rows: activity types by count per workflow, with their queueing, running and total times. */
export function activityRows(p: HistoryProfile): string {
  return [...p.activities]
    .sort((a, b) => b[1].n - a[1].n)
    .map(
      ([t, a]) =>
        `| ${t} | ${(a.n / p.workflows).toFixed(2)} | ${pq(a.scheduleToStart)} | ${pq(a.startToClose)} | ${pq(a.scheduleToClose)} |`,
    )
    .join('\n');
}

export interface Requests {
  count: Map<string, number>;
  seconds: Map<string, number>;
}

/** Frontend requests so far: counts and seconds spent, by operation. */
export async function requestsOf(metricsPort: number, namespace: string): Promise<Requests> {
  return {
    count: await frontendRequests(metricsPort, namespace),
    seconds: await frontendRequests(metricsPort, namespace, 'service_latency_sum'),
  };
}

export function requestsSince(after: Requests, before: Requests): Requests {
  return { count: diff(after.count, before.count), seconds: diff(after.seconds, before.seconds) };
}

/**
 * Markdown rows: requests per workflow and the frontend's milliseconds answering them, engine
 * against floor, largest excess first. Long polls wait by design, so their time is not shown.
 */
export function requestRows(engine: Requests, engineN: number, floor: Requests, floorN: number, limit = 14): string {
  const keys = new Set([...engine.count.keys(), ...floor.count.keys()]);
  const msOf = (r: Requests, k: string, n: number) =>
    k.startsWith('Poll') ? '(long poll)' : `${((1000 * (r.seconds.get(k) ?? 0)) / n).toFixed(0)} ms`;
  return [...keys]
    .map((k) => ({ k, e: (engine.count.get(k) ?? 0) / engineN, f: (floor.count.get(k) ?? 0) / floorN }))
    .sort((a, b) => b.e - b.f - (a.e - a.f))
    .slice(0, limit)
    .map(
      ({ k, e, f }) =>
        `| ${k} | ${e.toFixed(1)} | ${msOf(engine, k, engineN)} | ${f.toFixed(1)} | ${msOf(floor, k, floorN)} |`,
    )
    .join('\n');
}

/**
 * JS self time by bucket from the \`.cpuprofile\` files V8 wrote, one per thread (Node's thread id
 * is the fifth field of the name: 0 the main thread, others the workflow threads). Buckets by the
 * script's path: the engine's own code, each dependency package, the workflow bundle, Node's
 * internals, GC. V8 samples a thread also while it waits inside a native call, so these are
 * shares of the thread's busy time, not of its CPU.
 */
export function cpuProfileBuckets(dir: string): { main: Map<string, number>; workflow: Map<string, number> } {
  const out = { main: new Map<string, number>(), workflow: new Map<string, number>() };
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const into = f.split('.')[4] === '0' ? out.main : out.workflow;
    const prof = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
      nodes: { id: number; callFrame: { url: string; functionName: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
    for (let i = 0; i < prof.samples.length; i++) {
      const cf = byId.get(prof.samples[i]!);
      const dt = (prof.timeDeltas[i + 1] ?? 0) / 1e6; // µs → s, the time until the next sample
      const b = bucketOf(cf?.url ?? '', cf?.functionName ?? '');
      into.set(b, (into.get(b) ?? 0) + dt);
    }
  }
  out.main.delete('native (idle)');
  out.workflow.delete('native (idle)');
  return out;
}

function bucketOf(url: string, fn: string): string {
  if (!url)
    return fn === '(garbage collector)'
      ? 'GC'
      : fn === '(program)'
        ? 'V8/native (program)'
        : fn.startsWith('RegExp:')
          ? 'native RegExp'
          : fn
            ? `native ${fn}`
            : '(unknown)';
  if (url.startsWith('evalmachine')) return '@temporalio/worker (sandbox entry script)';
  if (/workflow-bundle|webpack|\/workflows\//.test(url) && !url.includes('node_modules'))
    return 'workflow bundle (engine workflows, zod, SDK workflow library)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg?.startsWith('@temporalio/')) return pkg;
  if (pkg) return `dependency ${pkg}`;
  if (url.startsWith('node:')) return 'Node internals';
  const own = /\/(activities|client|config|worker|templates)\//.exec(url)?.[1];
  return own ? `engine ${own}/` : 'other';
}
