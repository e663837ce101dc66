/**
 * The embedded Temporal service: the official CLI's dev server (server + Web UI) with its SQLite
 * database under the data directory, so workflows survive restarts of everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findTemporalCli } from '../scripts/tools';
import { devServerSearchAttributeFlags } from './search-attributes';
import type { TemporalConfig } from '../config/temporal';

export interface RunningService {
  /** The child process when this call started the server; undefined when one was already listening. */
  process?: ChildProcess;
  uiUrl: string;
  stop(): Promise<void>;
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`Temporal 开发服务器启动失败（退出码 ${child.exitCode}），见 data/temporal-server.log`);
    if (await isListening(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Temporal 开发服务器在 ${timeoutMs / 1000} 秒内没有在端口 ${port} 上启动`);
}

/** Starts the dev server unless one already listens on the configured port. */
export async function ensureDevServer(config: TemporalConfig): Promise<RunningService> {
  const uiUrl = `http://localhost:${config.uiPort}`;
  if (await isListening(config.devServerPort)) {
    process.stderr.write(`[service] Temporal already listening on 127.0.0.1:${config.devServerPort}; using it\n`);
    return { uiUrl, stop: async () => {} };
  }
  const cli = findTemporalCli();
  if (!cli.path) {
    // No CLI and no Go to build one: on a machine with internet, the SDK downloads and caches the
    // same dev server itself. (On this project's registry-only machines the Go build is the route.)
    process.stderr.write('[service] no Temporal CLI here: using the Temporal SDK\'s cached download of the dev server\n');
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    mkdirSync(config.dataDir, { recursive: true });
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        dbFilename: path.join(config.dataDir, 'temporal.sqlite'),
        ip: '127.0.0.1',
        port: config.devServerPort,
        ui: true,
        uiPort: config.uiPort,
        namespace: config.namespace,
        extraArgs: devServerSearchAttributeFlags(),
      },
    });
    return { uiUrl, stop: () => env.teardown() };
  }
  process.stderr.write(`[service] Temporal dev server from ${cli.how}\n`);
  mkdirSync(config.dataDir, { recursive: true });
  const logFd = openSync(path.join(config.dataDir, 'temporal-server.log'), 'a');
  const child = spawn(
    cli.path,
    [
      'server', 'start-dev',
      '--db-filename', path.join(config.dataDir, 'temporal.sqlite'),
      '--ip', '127.0.0.1',
      '--port', String(config.devServerPort),
      '--ui-port', String(config.uiPort),
      '--namespace', config.namespace,
      '--log-level', 'warn',
      // The engine's search attributes, registered on every start (idempotent on the same database).
      ...devServerSearchAttributeFlags(),
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  await waitForPort(config.devServerPort, 60_000, child);
  return {
    process: child,
    uiUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
