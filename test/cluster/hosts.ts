/**
 * "Hosts" of the cluster proof: each worker and dashboard is its own Node process (as on its own
 * machine) with its own empty data directory, started with the real entry points (`npm run worker`,
 * `npm run dashboard`). Plain `node --import tsx`, not the tsx launcher: the launcher runs the
 * program in a child process, and a SIGKILL to the launcher would leave that child running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = { worker: 'worker/index.ts', dashboard: 'client/dashboard-only.ts' } as const;

export interface Host {
  name: string;
  kind: keyof typeof ENTRY;
  /** Its own data directory (GUIDANCE_DATA_DIR), empty at start. */
  dataDir: string;
  /** The dashboard's address (dashboards only). */
  url?: string;
  /** Everything it printed, for the failure message. */
  output(): string;
  /** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
  cpuSeconds(): number;
  /** SIGKILL: no graceful shutdown, tasks in hand lost, as when a machine dies. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export interface HostOptions {
  name: string;
  kind: keyof typeof ENTRY;
  /** Under which the host's own directories go (`<root>/<name>/data`, …). */
  root: string;
  /** The environment every host shares (cluster address, bucket, database, SMTP…). */
  env: Record<string, string>;
}

/** utime + stime of a live process: fields 14 and 15 of /proc/<pid>/stat, in clock ticks (USER_HZ = 100). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts one host and waits until it is ready (a worker polling, a dashboard listening). */
export async function startHost(opts: HostOptions): Promise<Host> {
  const home = path.join(opts.root, opts.name);
  const dataDir = path.join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY[opts.kind]], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...opts.env,
      GUIDANCE_DATA_DIR: dataDir,
      GUIDANCE_OUTBOX_DIR: path.join(home, 'outbox'),
      GUIDANCE_SENT_LOG_DIR: path.join(home, 'sent-log'),
      GUIDANCE_HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const ready = new Promise<string | undefined>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      text += chunk.toString();
      const url = /\[dashboard\] listening at (\S+)/.exec(text)?.[1];
      if (opts.kind === 'dashboard' && url) resolve(url);
      if (opts.kind === 'worker' && text.includes('[worker] polling')) resolve(undefined);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code, signal) =>
      reject(new Error(`${opts.name} exited before it was ready (${code ?? signal}):\n${text.slice(-4000)}`)),
    );
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    const url = await ready;
    return {
      name: opts.name,
      kind: opts.kind,
      dataDir,
      url,
      output: () => text,
      cpuSeconds: () => cpuSecondsOf(child.pid!),
      async kill() {
        child.kill('SIGKILL');
        await exited(child);
      },
      async stop() {
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited(child);
        clearTimeout(hard);
      },
    };
  } finally {
    clearTimeout(timeout);
  }
}
