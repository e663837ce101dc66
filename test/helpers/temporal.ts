/**
 * The real Temporal services for tests: Temporal's Java time-skipping test server for month-long
 * timers, and the official CLI dev server for visibility and persistence. Both are the project's
 * own builds (scripts/setup.ts), never the SDK's download, which cannot reach its host here.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { TEST_SERVER_LAUNCHER, findTemporalCli } from '../../worker/temporal-tools';
import { devServerSearchAttributeFlags } from '../../worker/search-attributes';

/** A fresh time-skipping environment; callers must `await env.teardown()`. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return startedWithin(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEST_SERVER_LAUNCHER } },
    }),
  );
}

/**
 * The SDK gives an ephemeral server 5 s to answer; a JVM starting on two loaded cores sometimes
 * needs longer ("did not start within 5s", seen in CI). Only that failure is tried again, twice.
 */
async function startedWithin(start: () => Promise<TestWorkflowEnvironment>): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/** A fresh in-memory dev server (with the search attributes the engine registers). */
export function createDevServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  const cli = findTemporalCli();
  if (!cli.path) throw new Error('Temporal CLI not built: run `npm run setup`');
  return startedWithin(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.path },
        extraArgs: [...devServerSearchAttributeFlags(), ...extraArgs],
      },
    }),
  );
}

/**
 * `env.sleep`, watched. The Java time-skipping test server (1.38.0) keeps a time-skipping lock that
 * nothing releases once a visit started by an earlier run of its programme (before a
 * continue-as-new) closes: its clock then only creeps in real time and the sleep never returns
 * (seen in test/bulletin.timeskip.test.ts, bench/history.ts and bench/year.ts, where 8 of the 11
 * visits close in a later month than they started; a real server has no such lock). When the
 * clock has moved less than a simulated minute in `watch.afterMs` of wall time (15 s by default)
 * and `watch.idle` says nothing is in flight (by default: trusted, since activities here take well
 * under 15 s), one lock is released. Returns how many were released.
 */
export async function sleepWatched(
  env: TestWorkflowEnvironment,
  ms: number,
  watch: { afterMs?: number; idle?: () => Promise<boolean> } = {},
): Promise<number> {
  let done = false;
  let released = 0;
  const sleeping = env.sleep(ms).finally(() => (done = true));
  let last = Number(await env.currentTimeMs());
  while (!done) {
    await Promise.race([sleeping, new Promise((r) => setTimeout(r, watch.afterMs ?? 15_000))]);
    if (done) break;
    const now = Number(await env.currentTimeMs());
    if (now - last < 60_000 && (await (watch.idle?.() ?? true))) {
      await env.connection.testService?.unlockTimeSkipping({}).catch(() => undefined);
      released++;
    }
    last = now;
  }
  await sleeping;
  return released;
}
