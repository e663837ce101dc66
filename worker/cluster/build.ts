/**
 * The self-hosted Temporal server and its schema tool, built from the module the project's
 * Temporal CLI embeds (go.temporal.io/server v1.29.1), so the cluster runs the same server as the
 * dev server. `go install` into .tools/bin like the CLI (scripts/setup.ts), then renamed: the
 * module's binaries are called `server` and `sql`. Only `npm run cluster`, `npm run test:cluster`
 * and `tsx scripts/setup.ts --cluster` build them; the default set-up never does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { onPath, TOOLS_DIR } from '../temporal-tools';

/** Pinned at the server inside the project's Temporal CLI (v1.5.1). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER = path.join(TOOLS_DIR, 'bin', 'temporal-server');
export const TEMPORAL_SQL_TOOL = path.join(TOOLS_DIR, 'bin', 'temporal-sql-tool');

/** The directory of the module's source in Go's module cache (downloaded by the build). */
export function serverModuleDir(): string {
  const result = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error('无法读取 Go 模块缓存位置（go env GOMODCACHE）');
  const dir = path.join(result.stdout.trim(), `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`);
  if (!existsSync(dir)) {
    // Present after a build; a machine given prebuilt binaries still needs the schema files.
    const dl = spawnSync('go', ['mod', 'download', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (dl.status !== 0 || !existsSync(dir))
      throw new Error(`无法下载 ${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`);
  }
  return dir;
}

/** The versioned schema folders temporal-sql-tool applies for PostgreSQL (plugin postgres12). */
export function postgresSchemaDirs(): { temporal: string; visibility: string } {
  const base = path.join(serverModuleDir(), 'schema', 'postgresql', 'v12');
  return { temporal: path.join(base, 'temporal', 'versioned'), visibility: path.join(base, 'visibility', 'versioned') };
}

/**
 * Builds temporal-server and temporal-sql-tool into .tools/bin unless both are there; returns
 * their paths. `log` reports what happened (skipped, or the build and its time).
 */
export function ensureClusterBinaries(log: (message: string) => void = () => {}): {
  server: string;
  sqlTool: string;
} {
  if (existsSync(TEMPORAL_SERVER) && existsSync(TEMPORAL_SQL_TOOL)) {
    log('Temporal server and temporal-sql-tool: .tools/bin (already built)');
    return { server: TEMPORAL_SERVER, sqlTool: TEMPORAL_SQL_TOOL };
  }
  if (!onPath('go')) throw new Error('需要 Go 工具链来构建自托管 Temporal 服务器（go install）');
  log(`building ${TEMPORAL_SERVER_MODULE} ${TEMPORAL_SERVER_VERSION} cmd/server and cmd/tools/sql with go install…`);
  const started = Date.now();
  const bin = path.dirname(TEMPORAL_SERVER);
  mkdirSync(bin, { recursive: true });
  // A scratch GOBIN: the module's binary names (`server`, `sql`) say nothing in .tools/bin.
  const scratch = mkdtempSync(path.join(TOOLS_DIR, 'build-'));
  try {
    const at = `@${TEMPORAL_SERVER_VERSION}`;
    const result = spawnSync(
      'go',
      ['install', `${TEMPORAL_SERVER_MODULE}/cmd/server${at}`, `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql${at}`],
      { env: { ...process.env, GOBIN: scratch, CGO_ENABLED: '0' }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (result.status !== 0)
      throw new Error(`go install ${TEMPORAL_SERVER_MODULE}${at} 失败（退出码 ${result.status}）`);
    renameSync(path.join(scratch, 'server'), TEMPORAL_SERVER);
    renameSync(path.join(scratch, 'sql'), TEMPORAL_SQL_TOOL);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  log(
    `built in ${((Date.now() - started) / 1000).toFixed(0)} s → .tools/bin/temporal-server, .tools/bin/temporal-sql-tool`,
  );
  return { server: TEMPORAL_SERVER, sqlTool: TEMPORAL_SQL_TOOL };
}
