/**
 * The self-hosted Temporal server (temporal-server, built by ./build.ts) on a PostgreSQL of
 * ./postgres.ts: schemas by temporal-sql-tool, a configuration written at each start with
 * loopback ports chosen free, and `temporal-server start`. The YAML follows the module's own
 * config/development-postgres12.yaml, minus archival, metrics and pprof.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresSchemaDirs } from './build';

const run = promisify(execFile);

/** History shards: fixed for the life of a database; 4 suits one small machine. */
export const HISTORY_SHARDS = 4;
export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/** Runs temporal-sql-tool against one database of the loopback PostgreSQL (trust auth, user postgres). */
async function sqlTool(tool: string, port: number, database: string, args: string[]): Promise<string> {
  const common = [
    '--plugin',
    'postgres12',
    '--ep',
    '127.0.0.1',
    '-p',
    String(port),
    '-u',
    'postgres',
    '--db',
    database,
  ];
  try {
    const { stdout, stderr } = await run(tool, [...common, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new Error(`temporal-sql-tool ${args[0]} ${database} 失败：${(e.stderr || e.stdout || String(err)).trim()}`);
  }
}

/**
 * Creates the two databases with their schema on first use and brings both to the module's latest
 * schema version (update-schema applies only the versions a database lacks, so every start runs it).
 */
export async function ensureTemporalSchemas(tool: string, pgPort: number): Promise<void> {
  const dirs = postgresSchemaDirs();
  for (const [database, dir] of [
    [TEMPORAL_DATABASES.default, dirs.temporal],
    [TEMPORAL_DATABASES.visibility, dirs.visibility],
  ] as const) {
    const created = await sqlTool(tool, pgPort, database, ['create-database']).then(
      () => true,
      (err: Error) => {
        if (/already exists/.test(err.message)) return false;
        throw err;
      },
    );
    if (created) await sqlTool(tool, pgPort, database, ['setup-schema', '-v', '0.0']);
    await sqlTool(tool, pgPort, database, ['update-schema', '-d', dir]);
  }
}

export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** True when `port` can be bound on 127.0.0.1 now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Nine free loopback ports, or `frontend` as given (the one clients dial). Below 32768: the
 * cluster_membership table keeps a port as smallint, and the kernel's ephemeral ports start above.
 */
export async function choosePorts(frontend?: number): Promise<TemporalPorts> {
  const ports: number[] = [];
  while (ports.length < 9) {
    const p = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.includes(p) && p !== frontend && (await canBind(p))) ports.push(p);
  }
  const [f, fh, fm, h, hm, m, mm, w, wm] = ports as [number, ...number[]];
  return {
    frontend: frontend ?? f,
    frontendHttp: fh!,
    frontendMembership: fm!,
    history: h!,
    historyMembership: hm!,
    matching: m!,
    matchingMembership: mm!,
    worker: w!,
    workerMembership: wm!,
  };
}

function datastore(database: string, pgPort: number, maxConns: number): string {
  return `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "127.0.0.1:${pgPort}"
        connectProtocol: "tcp"
        user: "postgres"
        password: ""
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
}

function service(name: string, grpc: number, membership: number, http?: number): string {
  return `  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
}

/** The server's configuration for PostgreSQL on `pgPort` and the given ports. */
export function serverConfigYaml(pgPort: number, ports: TemporalPorts, dynamicConfigFile: string): string {
  return `# Written by worker/cluster/temporal.ts at each start; edits are overwritten.
log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    postgres-default:
${datastore(TEMPORAL_DATABASES.default, pgPort, 20)}
    postgres-visibility:
${datastore(TEMPORAL_DATABASES.visibility, pgPort, 10)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
${service('frontend', ports.frontend, ports.frontendMembership, ports.frontendHttp)}
${service('matching', ports.matching, ports.matchingMembership)}
${service('history', ports.history, ports.historyMembership)}
${service('worker', ports.worker, ports.workerMembership)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
}

/**
 * Dynamic configuration: search attributes added at start are seen at once (as on the dev server)
 * rather than after the cache's minute.
 */
const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`;

export interface RunningTemporalServer {
  address: string;
  ports: TemporalPorts;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/** Writes the configuration under `dir` and starts temporal-server; the caller waits for its frontend. */
export async function startTemporalServer(opts: {
  server: string;
  dir: string;
  pgPort: number;
  frontendPort?: number;
}): Promise<RunningTemporalServer> {
  // v1.29.1 reads <root>/<config dir>/<env>.yaml (no --config-file flag yet): config/cluster.yaml.
  mkdirSync(path.join(opts.dir, 'config'), { recursive: true });
  const ports = await choosePorts(opts.frontendPort);
  const dynamic = path.join(opts.dir, 'dynamicconfig.yaml');
  writeFileSync(dynamic, DYNAMIC_CONFIG);
  writeFileSync(path.join(opts.dir, 'config', 'cluster.yaml'), serverConfigYaml(opts.pgPort, ports, dynamic));
  const logFile = path.join(opts.dir, 'temporal-server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    opts.server,
    ['--root', opts.dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'],
    {
      stdio: ['ignore', logFd, logFd],
      // Its own process group: a terminal's Ctrl+C reaches the caller, which stops the workers first.
      detached: true,
    },
  );
  return {
    address: `127.0.0.1:${ports.frontend}`,
    ports,
    process: child,
    logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
