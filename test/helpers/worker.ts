/** A worker for tests: the real workflows and activities on a unique task queue. */
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { createActivities, type ActivityDeps } from '../../activities';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file (webpack takes a second or two). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../../workflows/index.ts'), logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: console.error } as never });
  return bundle;
}

let counter = 0;
/** A task-queue name no other test uses. */
export function uniqueQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
}

export async function createTestWorker(env: TestWorkflowEnvironment, taskQueue: string, deps: ActivityDeps = {}): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(deps),
  });
}
