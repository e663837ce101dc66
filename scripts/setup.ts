/**
 * One-time, idempotent set-up run by `npm start` and `npm test`: builds the pinned Temporal CLI
 * (dev server + Web UI) with Go into .tools/bin, and — for tests — resolves Temporal's Java
 * time-skipping test server from Maven and writes its launcher, and builds the dashboard (Vite)
 * into client/http/public/. Each step is skipped when its result is already there (the dashboard:
 * when no source is newer than the build), so the second run costs well under a second.
 *
 * Why build rather than download: this machine reaches only package registries, so the SDK's
 * automatic download of the dev server fails; the Go module proxy and Maven Central are reachable.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  LOCAL_TEMPORAL_CLI,
  ROOT,
  TEMPORAL_CLI_MODULE,
  TEST_SERVER_DIR,
  TEST_SERVER_LAUNCHER,
  findTemporalCli,
  onPath,
} from '../worker/temporal-tools';
import { ensureMoto } from '../worker/moto';
import { ensureDocumentTools, ensureFontTwins } from './setup-documents';
import { ensureClusterBinaries } from '../worker/cluster/build';
import { ensureOfdReader } from '../test/helpers/ofdrw';

function log(message: string): void {
  process.stderr.write(`[setup] ${message}\n`);
}

/** Makes sure a Temporal CLI exists; returns its path, or undefined when the SDK download is the fallback. */
export function ensureTemporalCli(): string | undefined {
  const found = findTemporalCli();
  if (found.path) {
    log(`Temporal CLI: ${found.how} (${path.relative(ROOT, found.path) || found.path})`);
    return found.path;
  }
  if (!onPath('go')) {
    // Without Go there is nothing to build with; a machine with internet can let the SDK fetch its own.
    log("Temporal CLI: no Go toolchain; falling back to the Temporal SDK's own cached download");
    return undefined;
  }
  log(`Temporal CLI: building ${TEMPORAL_CLI_MODULE} with go install (first time only, about 3 minutes)…`);
  const started = Date.now();
  mkdirSync(path.dirname(LOCAL_TEMPORAL_CLI), { recursive: true });
  const result = spawnSync('go', ['install', TEMPORAL_CLI_MODULE], {
    env: { ...process.env, GOBIN: path.dirname(LOCAL_TEMPORAL_CLI), CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(LOCAL_TEMPORAL_CLI)) {
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} 失败（退出码 ${result.status}）`);
  }
  log(`Temporal CLI: built in ${((Date.now() - started) / 1000).toFixed(0)} s → .tools/bin/temporal`);
  return LOCAL_TEMPORAL_CLI;
}

/** Resolves the Java test server's jars from Maven once and writes the launcher the SDK calls. */
export function ensureTestServer(): string {
  const lib = path.join(TEST_SERVER_DIR, 'lib');
  const haveJars = existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('temporal-test-server'));
  if (!haveJars) {
    if (!onPath('mvn') || !onPath('java')) throw new Error('需要 Java 17 和 Maven 来获取 Temporal 时间跳跃测试服务器');
    log('time-skipping test server: resolving io.temporal:temporal-test-server from Maven…');
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        path.join(ROOT, 'tools/test-server/pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${lib}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  }
  if (!existsSync(TEST_SERVER_LAUNCHER)) {
    // The SDK starts the executable with the port as its first argument; TestServer takes exactly that.
    writeFileSync(
      TEST_SERVER_LAUNCHER,
      '#!/bin/sh\n# Written by scripts/setup.ts: Temporal\'s Java time-skipping test server.\nDIR="$(cd "$(dirname "$0")" && pwd)"\nexec java -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"\n',
    );
    chmodSync(TEST_SERVER_LAUNCHER, 0o755);
  }
  log('time-skipping test server: .tools/test-server/test-server');
  return TEST_SERVER_LAUNCHER;
}

/** The newest modification time under `dir` (files only). */
function newestIn(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestIn(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the dashboard (client/dashboard, Vite) into client/http/public/ unless the build is newer than every source. */
export function ensureDashboard(): void {
  const source = path.join(ROOT, 'client/dashboard');
  const built = path.join(ROOT, 'client/http/public/index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= newestIn(source)) {
    log('dashboard: client/http/public (up to date)');
    return;
  }
  log('dashboard: building client/dashboard with Vite…');
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(source, 'vite.config.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`看板构建失败（vite build 退出码 ${result.status}）`);
  log('dashboard: built → client/http/public');
}

async function main(): Promise<void> {
  const forTests = process.argv.includes('--test');
  // The dashboard first: it takes seconds, and the server serves nothing without it.
  ensureDashboard();
  ensureTemporalCli();
  // FangSong/Kai fonts (and poppler-utils for the tests' pdftotext/pdffonts) from Debian.
  await ensureDocumentTools({ log });
  // The TrueType twins of the CFF faces, which the OFD backend embeds (seconds, first run only).
  ensureFontTwins(log);
  if (forTests) ensureTestServer();
  // The OFD tests' independent reader (ofdrw, test/ofd-reader), built with Maven when its sources changed.
  if (forTests) ensureOfdReader(log);
  // The S3-compatible server of the storage tests (PyPI), so no test reaches a registry itself.
  if (forTests) ensureMoto((line) => log(line));
  // Opt-in (`npm run cluster`, `npm run test:cluster`): the self-hosted server and its schema tool.
  if (process.argv.includes('--cluster')) ensureClusterBinaries((m) => log(`cluster: ${m}`));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`[setup] 失败：${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
