/**
 * The real Temporal services for tests: Temporal's Java time-skipping test server for month-long
 * timers, and the official CLI dev server for visibility and persistence. Both are the project's
 * own builds (scripts/setup.ts), never the SDK's download, which cannot reach its host here.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { TEST_SERVER_LAUNCHER, findTemporalCli } from '../../scripts/tools';
import { devServerSearchAttributeFlags } from '../../worker/search-attributes';

/** A fresh time-skipping environment; callers must `await env.teardown()`. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEST_SERVER_LAUNCHER } },
  });
}

/** A fresh in-memory dev server (with the search attributes the engine registers). */
export function createDevServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  const cli = findTemporalCli();
  if (!cli.path) throw new Error('Temporal CLI not built: run `npm run setup`');
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path }, extraArgs: [...devServerSearchAttributeFlags(), ...extraArgs] },
  });
}
