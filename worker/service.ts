/**
 * The embedded Temporal service: the official CLI's dev server (server + Web UI) with its SQLite
 * database under the data directory, so workflows survive restarts of everything.
 *
 * Retention: the dev server creates its namespaces keeping a closed workflow 24 hours, and
 * `temporal server start-dev` has no flag for it (nor a dynamic-config key). So on every start the
 * namespace is updated to GUIDANCE_RETENTION_DAYS (default 400) through the frontend, the same call
 * as `temporal operator namespace update --retention 400d`. A workflow keeps the retention that
 * held when it closed. Past it, the case's archive is the record (activities/archive.ts).
 */
import { Connection } from '@temporalio/client';
import type { google } from '@temporalio/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findTemporalCli } from './temporal-tools';
import { devServerSearchAttributeFlags, ensureSearchAttributes } from './search-attributes';
import { config as envConfig } from '../config/env';
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
    if (child && child.exitCode !== null)
      throw new Error(`Temporal 开发服务器启动失败（退出码 ${child.exitCode}），见 data/temporal-server.log`);
    if (await isListening(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Temporal 开发服务器在 ${timeoutMs / 1000} 秒内没有在端口 ${port} 上启动`);
}

const DAY_S = 86_400;
/** protobufjs encodes a plain number into an int64 field; the generated type names only Long. */
type Int64 = NonNullable<google.protobuf.IDuration['seconds']>;

/** Days `namespace` keeps a closed workflow. */
export async function retentionDays(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
): Promise<number> {
  const d = await connection.workflowService.describeNamespace({ namespace });
  const seconds = d.config?.workflowExecutionRetentionTtl?.seconds;
  return Number(seconds?.toString() ?? 0) / DAY_S;
}

/** Sets how many days `namespace` keeps a closed workflow; true when it changed. */
export async function ensureRetention(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  days: number,
): Promise<boolean> {
  if ((await retentionDays(connection, namespace)) === days) return false;
  // Only the retention: the server leaves every field the request does not set as it was.
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: { seconds: (days * DAY_S) as unknown as Int64 } },
  });
  return true;
}

/**
 * Sets the embedded server's retention, retrying while its frontend comes up (the port opens a
 * moment before namespace calls are served). A failure is a loud warning, not a failed start:
 * reads fall back to the archive, but closed workflows then go after the server's 24 hours.
 */
async function applyRetention(
  address: string,
  namespace: string,
  days: number,
  connection?: Pick<Connection, 'workflowService' | 'operatorService'>,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const own = connection
      ? undefined
      : await Connection.connect({ address, connectTimeout: '5 seconds' }).catch(() => undefined);
    try {
      const c = connection ?? own;
      if (c) {
        if (await ensureRetention(c, namespace, days))
          process.stderr.write(
            `[service] namespace ${namespace}: closed workflows are kept ${days} days (GUIDANCE_RETENTION_DAYS)\n`,
          );
        // A server started by an older version of the engine lacks the search attributes added since.
        const added = await ensureSearchAttributes(c, namespace);
        if (added.length)
          process.stderr.write(`[service] namespace ${namespace}: search attributes added: ${added.join(', ')}\n`);
        return;
      }
    } catch (err) {
      if (Date.now() >= deadline) {
        process.stderr.write(
          `[service] WARNING: could not set the retention of namespace ${namespace} to ${days} days (${err instanceof Error ? err.message : String(err)}); closed workflows may be deleted after 24 hours — their archives remain the record\n`,
        );
        return;
      }
    } finally {
      await own?.close();
    }
    if (Date.now() >= deadline) {
      process.stderr.write(
        `[service] WARNING: could not reach ${address} to set the retention of namespace ${namespace}\n`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Starts the dev server unless one already listens on the configured port, and sets its
 * namespace's retention (`retentionDays`, default GUIDANCE_RETENTION_DAYS) either way.
 */
export async function ensureDevServer(
  config: TemporalConfig,
  opts: { retentionDays?: number } = {},
): Promise<RunningService> {
  const uiUrl = `http://localhost:${config.uiPort}`;
  const days = opts.retentionDays ?? envConfig().retentionDays;
  const address = `127.0.0.1:${config.devServerPort}`;
  if (await isListening(config.devServerPort)) {
    process.stderr.write(`[service] Temporal already listening on ${address}; using it\n`);
    await applyRetention(address, config.namespace, days);
    return { uiUrl, stop: async () => {} };
  }
  const cli = findTemporalCli();
  if (!cli.path) {
    // No CLI and no Go to build one: on a machine with internet, the SDK downloads and caches the
    // same dev server itself. (On this project's registry-only machines the Go build is the route.)
    process.stderr.write(
      "[service] no Temporal CLI here: using the Temporal SDK's cached download of the dev server\n",
    );
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
    await applyRetention(address, config.namespace, days, env.connection);
    return { uiUrl, stop: () => env.teardown() };
  }
  process.stderr.write(`[service] Temporal dev server from ${cli.how}\n`);
  mkdirSync(config.dataDir, { recursive: true });
  const logFd = openSync(path.join(config.dataDir, 'temporal-server.log'), 'a');
  const child = spawn(
    cli.path,
    [
      'server',
      'start-dev',
      '--db-filename',
      path.join(config.dataDir, 'temporal.sqlite'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(config.devServerPort),
      '--ui-port',
      String(config.uiPort),
      '--namespace',
      config.namespace,
      '--log-level',
      'warn',
      // The engine's search attributes, registered on every start (idempotent on the same database).
      ...devServerSearchAttributeFlags(),
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  await waitForPort(config.devServerPort, 60_000, child);
  await applyRetention(address, config.namespace, days);
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
