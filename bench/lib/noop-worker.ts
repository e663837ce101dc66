/**
 * The bare floor's worker process: the same SDK worker with default options as worker/worker.ts,
 * but empty workflows and a no-op activity. Reads TEMPORAL_ADDRESS and GUIDANCE_TASK_QUEUE.
 */
import { NativeConnection, Worker } from '@temporalio/worker';

async function run(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.GUIDANCE_TASK_QUEUE!,
    workflowsPath: require.resolve('./noop-workflows'),
    activities: { noop: async (i: number) => i },
  });
  process.stderr.write(`[worker] polling task queue "${process.env.GUIDANCE_TASK_QUEUE}"\n`);
  await worker.run();
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
