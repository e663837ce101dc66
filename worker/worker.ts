/**
 * Builds the engine's worker: every workflow and activity on one task queue.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { preloadDocumentFonts } from '../activities/documents';
import { emailDepsFromConfig } from '../activities/email/config';
import { config as envConfig, type Config } from '../config/env';
import type { TemporalConfig } from '../config/temporal';

/**
 * Creates (but does not run) a worker connected to the configured service. It loads no plan: the
 * plan a programme was started with travels in its history, and its template directory, sender
 * and SMTP settings come with every activity input, so one worker serves every plan it can
 * (checkPlanServable says which it cannot). Secrets come from the environment only.
 */
export async function createWorker(
  config: TemporalConfig,
  opts: { worker?: Partial<WorkerOptions> } = {},
): Promise<Worker> {
  // Fonts once per process, before the first letter falls due (about 0.2 s).
  preloadDocumentFonts();
  const connection = await NativeConnection.connect(config.connection);
  const { workflowBundle: bundlePath, worker: sizing } = envConfig();
  return Worker.create({
    connection,
    // Sized for memory, not left to the SDK's default (a share of the heap limit: thousands of
    // workflows, about 2.5 GiB at 30 programmes): docs/performance.md.
    maxCachedWorkflows: sizing.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: sizing.maxConcurrentActivities,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    // A prebuilt bundle (see README, "Production") skips the webpack step at start.
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    activities: workerActivities({
      dataDir: config.dataDir,
      taskQueue: config.taskQueue,
      client: new Client({ connection, namespace: config.namespace }),
    }),
    ...opts.worker,
  });
}

/**
 * The activities a worker registers: the archive under the data directory, the mail settings of
 * the configuration (outbox, sent-log, CA, operator override), document numbers through `client`.
 * No plan: each programme's plan comes with the activity inputs.
 */
export function workerActivities(opts: {
  dataDir: string;
  taskQueue: string;
  client: Client;
  mail?: Config['mail'];
  receipts?: Config['receipts'];
}) {
  return createActivities({
    documents: { archiveDir: path.join(opts.dataDir, 'archive') },
    // Receipt links are signed with the same key the dashboard checks them with (receipt-link.ts).
    email: emailDepsFromConfig(opts.mail ?? envConfig().mail, {
      settings: opts.receipts ?? envConfig().receipts,
      dataDir: opts.dataDir,
    }),
    docNumbers: { client: opts.client, taskQueue: opts.taskQueue },
  });
}
