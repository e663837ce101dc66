/**
 * Where the project's own copies of the Temporal services live. Shared by the set-up script, the
 * worker's embedded mode and the tests, so all three agree on one location. It sits in worker/ (the
 * embedded mode needs it at run time); scripts/ imports it from here, and nothing imports scripts/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
/** Project-local, git-ignored directory for built tools. */
export const TOOLS_DIR = path.join(ROOT, '.tools');
export const LOCAL_TEMPORAL_CLI = path.join(TOOLS_DIR, 'bin', 'temporal');
export const TEST_SERVER_DIR = path.join(TOOLS_DIR, 'test-server');
export const TEST_SERVER_LAUNCHER = path.join(TEST_SERVER_DIR, 'test-server');
/** Pinned here and in tools/test-server/pom.xml. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

/** First executable named `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export type CliSource = { path: string; how: string } | { path: undefined; how: string };

/** Which Temporal CLI to use, in the documented order of preference; does not build anything. */
export function findTemporalCli(): CliSource {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH 指向的文件不存在：${fromEnv}`);
    return { path: fromEnv, how: 'TEMPORAL_CLI_PATH' };
  }
  const onPathCli = onPath('temporal');
  if (onPathCli) return { path: onPathCli, how: 'temporal on PATH' };
  if (existsSync(LOCAL_TEMPORAL_CLI)) return { path: LOCAL_TEMPORAL_CLI, how: 'project build (.tools/bin)' };
  return { path: undefined, how: 'none yet' };
}
