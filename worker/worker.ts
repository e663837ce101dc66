/**
 * Builds the engine's worker: every workflow and activity on one task queue.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { TemporalConfig } from '../client/temporal';

/** Creates (but does not run) a worker connected to the configured service. */
export async function createWorker(config: TemporalConfig, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  const connection = await NativeConnection.connect(config.connection);
  const bundlePath = process.env.GUIDANCE_WORKFLOW_BUNDLE;
  return Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    // A prebuilt bundle (see README, "Production") skips the webpack step at start.
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(),
    ...extra,
  });
}
