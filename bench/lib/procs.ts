/** Shared by the benchmark scripts that run processes: their memory and CPU from /proc, worker processes. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** VmHWM / VmRSS of a process in MiB (undefined once it is gone). */
export function memOf(pid: number | undefined): { hwm: number; rss: number } | undefined {
  if (!pid) return undefined;
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s*(\\d+)`).exec(s)?.[1] ?? 0);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export function cpuOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The dev server started by the SDK's core for this process: our child named temporal. */
export function devServerPid(): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && Number(m[2]) === process.pid && /temporal/.test(m[1]!)) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/** The node flags of `npm run worker` (package.json): the heap limit docs/performance.md explains. */
export const WORKER_NODE_ARGS = '--max-old-space-size=768';

export interface WorkerProcess {
  child: ChildProcess;
  peak: { hwm: number; rss: number };
  stop(): Promise<void>;
}

export const children = new Set<ChildProcess>();

/** Starts a worker process and waits until it polls; samples its memory every 250 ms. */
export async function startWorker(
  script: string,
  env: Record<string, string>,
  logFile: string,
): Promise<WorkerProcess> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_WORKER_NODE_ARGS ?? WORKER_NODE_ARGS).split(' ').filter(Boolean), '-r', 'tsx/cjs', script],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, 'pipe'] },
  );
  children.add(child);
  const peak = { hwm: 0, rss: 0 };
  const sample = () => {
    const m = memOf(child.pid);
    if (m) {
      peak.hwm = Math.max(peak.hwm, m.hwm);
      peak.rss = Math.max(peak.rss, m.rss);
    }
  };
  const timer = setInterval(sample, 250);
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (b: Buffer) => {
      fs.appendFileSync(logFile, b);
      text += b.toString();
      if (text.includes('[worker] polling')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${script} exited (${code}); log ${logFile}`)));
    setTimeout(() => reject(new Error(`worker ${script} not polling after 120 s; log ${logFile}`)), 120_000);
  });
  return {
    child,
    peak,
    stop: async () => {
      sample();
      clearInterval(timer);
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
}

/**
 * Runs a benchmark's main and exits: 0 when it is done (the SDK's native connection would keep
 * the event loop alive; everything is cleaned up by then), 1 on an error, killing any process it left.
 */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      process.exit(1);
    },
  );
}
