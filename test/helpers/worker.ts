/** A worker for tests: the real workflows and activities on a unique task queue, in temp dirs. */
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities, type ActivityDeps } from '../../activities';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file (webpack takes a second or two). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../../workflows/index.ts'),
    logger: {
      log: () => {},
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: console.error,
    } as never,
  });
  return bundle;
}

let counter = 0;
/** A task-queue name no other test uses. */
export function uniqueQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
}

export interface TestDirs {
  archiveDir: string;
  outboxDir: string;
  sentLogDir: string;
}

/** Fresh directories for letters, the outbox and the sent-log. */
export function testDirs(): TestDirs {
  const root = mkdtempSync(path.join(os.tmpdir(), 'guidance-'));
  return {
    archiveDir: path.join(root, 'archive'),
    outboxDir: path.join(root, 'outbox'),
    sentLogDir: path.join(root, 'sent-log'),
  };
}

/**
 * Activities over temp dirs. Mail goes the way each plan says (the example plan: the outbox) unless
 * `smtpPort` names a loopback sink, set the way an operator sets SMTP_HOST/SMTP_PORT on a worker.
 */
export function testActivityDeps(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  dirs: TestDirs,
  smtpPort?: number,
): ActivityDeps {
  return {
    documents: { archiveDir: dirs.archiveDir },
    email: {
      outboxDir: dirs.outboxDir,
      sentLogDir: dirs.sentLogDir,
      secret: () => undefined,
      ...(smtpPort ? { smtpOverride: { host: '127.0.0.1', port: smtpPort, security: 'none' as const } } : {}),
    },
    docNumbers: { client: env.client, taskQueue },
    // The service's own "now": a time-skipping server's skipped time, the wall clock otherwise.
    clock: { now: () => env.currentTimeMs() },
  };
}

export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  deps?: ActivityDeps,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(deps ?? testActivityDeps(env, taskQueue, testDirs())),
    // GUIDANCE_TEST_NO_CACHE=1: every workflow task replays the whole history (finds non-determinism at
    // once). The SDK warns that a local activity (the visit's clock reading) in flight then may be
    // dropped, and the time-skipping server loses an Update whose task it drops: expect such noise.
    ...(process.env.GUIDANCE_TEST_NO_CACHE ? { maxCachedWorkflows: 0 } : {}),
  });
}
