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
