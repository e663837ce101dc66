/**
 * `npm run cluster`: the engine on a real self-hosted Temporal cluster on this machine —
 * PostgreSQL 15 and temporal-server v1.29.1 (worker/cluster), then `npm start`'s own process
 * (client/start.ts: one worker, the example plan's programme, the dashboard) pointed at the cluster
 * through TEMPORAL_ADDRESS, as on any cluster. Ctrl+C or SIGTERM stops the worker gracefully, then
 * the Temporal server, then PostgreSQL. Everything lives under `--dir` (default data/cluster):
 * postgres/ (the database), temporal/ (configuration, server log), data/ (archive, evidence, unless
 * GUIDANCE_DATA_DIR says otherwise). `npm start` is unchanged.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startCluster } from '../worker/cluster';
import { ROOT } from '../worker/temporal-tools';

function log(message: string): void {
  process.stderr.write(`[cluster] ${message}\n`);
}

async function run(): Promise<void> {
  const at = process.argv.indexOf('--dir');
  const dir = path.resolve(at > 0 && process.argv[at + 1] ? process.argv[at + 1]! : path.join(ROOT, 'data/cluster'));
  // A signal while the cluster comes up stops it once it is up (PostgreSQL outlives this process).
  let stopping: NodeJS.Signals | undefined;
  const early = (signal: NodeJS.Signals) => (stopping = signal);
  process.on('SIGINT', early).on('SIGTERM', early);
  const cluster = await startCluster({ dir, log });
  process.off('SIGINT', early).off('SIGTERM', early);
  if (stopping) {
    log(`${stopping}: stopping the Temporal server and PostgreSQL`);
    await cluster.stop();
    process.exit(1);
  }
  process.stdout.write(
    `Temporal 集群（自托管，PostgreSQL）：${cluster.address}，命名空间 ${cluster.namespace}\n` +
      `PostgreSQL：${cluster.postgres.url}\n` +
      `命令行：TEMPORAL_ADDRESS=${cluster.address} npx guidance programme status\n`,
  );
  // Its own process group: Ctrl+C reaches this process only, which stops things in order.
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'client/start.ts')], {
    cwd: ROOT,
    detached: true,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      GUIDANCE_DATA_DIR: process.env.GUIDANCE_DATA_DIR ?? path.join(dir, 'data'),
    },
  });
  const forward = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the worker, then the Temporal server and PostgreSQL`);
    child.kill('SIGTERM');
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  cluster.server.process.once('exit', (code) => {
    if (child.exitCode === null) log(`the Temporal server exited (${code}); see ${cluster.server.logFile}`);
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  await cluster.stop();
  log('stopped');
  process.exit(code);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
