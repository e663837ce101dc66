/**
 * The worker process (`npm run worker`): connects to the configured Temporal service and runs until
 * SIGINT/SIGTERM, then finishes the tasks in hand before it exits (the SDK's graceful shutdown).
 */
import { ConfigError, config as envConfig } from '../config/env';
import { loadTemporalConfig, numberingTaskQueue } from '../config/temporal';
import { createWorker } from './worker';

async function run(): Promise<void> {
  const config = loadTemporalConfig();
  const worker = await createWorker(config);
  const numbers = numberingTaskQueue(config.taskQueue, envConfig().numberingQueue);
  process.stderr.write(
    `[worker] polling task queue "${config.taskQueue}"${numbers !== config.taskQueue ? ` and the numbering queue "${numbers}"` : ''} on ${config.connection.address ?? 'default'} (namespace ${config.namespace})\n`,
  );
  await worker.run(); // the SDK installs SIGINT/SIGTERM handlers that call worker.shutdown()
  process.stderr.write('[worker] stopped\n');
  // The SDK's native runtime can keep the event loop alive after shutdown; the work is done.
  process.exit(0);
}

run().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
