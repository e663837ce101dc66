/**
 * A real self-hosted Temporal cluster on one machine: PostgreSQL 15 (./postgres.ts), the schemas,
 * temporal-server v1.29.1 (./temporal.ts), namespace `default` with the engine's search attributes
 * and retention. Used by `npm run cluster` (client/cluster.ts) and `npm run test:cluster`. Every
 * port is on loopback; everything it writes is under `dir` (postgres/ and temporal/).
 */
import { Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureClusterBinaries } from './build';
import { startPostgres, type RunningPostgres } from './postgres';
import { ensureTemporalSchemas, startTemporalServer, type RunningTemporalServer } from './temporal';
import { ensureRetention, isListening } from '../service';
import { ensureSearchAttributes } from '../search-attributes';
import { findTemporalCli } from '../temporal-tools';

const run = promisify(execFile);

export interface RunningCluster {
  /** The frontend, host:port, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  postgres: RunningPostgres;
  server: RunningTemporalServer;
  /** Stops the Temporal server, then PostgreSQL. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  dir: string;
  namespace?: string;
  /** The frontend's port; a free one when not given. */
  port?: number;
  retentionDays?: number;
  log?: (message: string) => void;
}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T>, alive: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive();
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() >= deadline)
        throw new Error(
          `${what}：${timeoutMs / 1000} 秒内未成功（${err instanceof Error ? err.message : String(err)}）`,
        );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Creates `namespace` with the project's Temporal CLI unless it exists. */
async function ensureNamespace(address: string, namespace: string, retentionDays: number): Promise<void> {
  const cli = findTemporalCli().path;
  if (!cli) throw new Error('需要 Temporal CLI（npx tsx scripts/setup.ts）来创建命名空间');
  try {
    await run(cli, [
      'operator',
      'namespace',
      'create',
      '--address',
      address,
      '--namespace',
      namespace,
      '--retention',
      `${retentionDays * 24}h`,
    ]);
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    const text = `${e.stderr ?? ''}${e.stdout ?? ''}`;
    if (!/already (exists|registered)/i.test(text)) throw new Error(text.trim() || String(err));
  }
}

/** Starts PostgreSQL and the Temporal server under `dir`, ready for workers on `namespace`. */
export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const log = opts.log ?? (() => {});
  const namespace = opts.namespace ?? 'default';
  const days = opts.retentionDays ?? 400;
  const { server: serverBin, sqlTool } = ensureClusterBinaries(log);
  const postgres = await startPostgres({ dir: path.join(opts.dir, 'postgres') });
  log(`PostgreSQL 15 on 127.0.0.1:${postgres.port}`);
  let server: RunningTemporalServer | undefined;
  try {
    await ensureTemporalSchemas(sqlTool, postgres.port);
    server = await startTemporalServer({
      server: serverBin,
      dir: path.join(opts.dir, 'temporal'),
      pgPort: postgres.port,
      frontendPort: opts.port,
    });
    const s = server;
    const alive = () => {
      if (s.process.exitCode !== null)
        throw new Error(`Temporal 服务器启动失败（退出码 ${s.process.exitCode}），见 ${s.logFile}`);
    };
    const frontend = s.ports.frontend;
    await until(
      'Temporal 服务器端口',
      90_000,
      async () => {
        if (!(await isListening(frontend))) throw new Error(`端口 ${frontend} 未监听`);
      },
      alive,
    );
    await until('创建命名空间', 90_000, () => ensureNamespace(s.address, namespace, days), alive);
    const connection = await Connection.connect({ address: s.address, connectTimeout: '10 seconds' });
    try {
      // A namespace just created reaches the frontend's cache within seconds: retry until it does.
      const added = await until('注册检索属性', 90_000, () => ensureSearchAttributes(connection, namespace), alive);
      if (added.length) log(`namespace ${namespace}: search attributes added: ${added.join(', ')}`);
      await ensureRetention(connection, namespace, days);
    } finally {
      await connection.close();
    }
    log(`Temporal server ${s.address} (namespace ${namespace}), log ${s.logFile}`);
  } catch (err) {
    await server?.stop();
    await postgres.stop();
    throw err;
  }
  const started = server;
  return {
    address: started.address,
    namespace,
    postgres,
    server: started,
    async stop() {
      await started.stop();
      await postgres.stop();
    },
  };
}
