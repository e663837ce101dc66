/**
 * Builds the engine's worker: every workflow and activity on one task queue, and, with
 * GUIDANCE_NUMBERING_QUEUE=own, a worker of its own for the numbering workflows (engine-worker.ts).
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { preloadDocumentFonts } from '../activities/documents';
import { emailDepsFromConfig, receiptKeyFromConfig } from '../activities/email/config';
import { PgSentLog } from '../activities/email/sent-log-pg';
import { storeFromConfig, type ObjectStore } from '../activities/storage';
import { openDatabase } from '../config/database';
import { config as envConfig, type Config } from '../config/env';
import { numberingTaskQueue, type TemporalConfig } from '../config/temporal';
import { EngineWorker } from './engine-worker';

/**
 * Creates (but does not run) a worker connected to the configured service. It loads no plan: the
 * plan a programme was started with travels in its history, and its template directory, sender
 * and SMTP settings come with every activity input, so one worker serves every plan it can
 * (checkPlanServable says which it cannot). Secrets come from the environment only.
 */
export async function createWorker(
  config: TemporalConfig,
  opts: { worker?: Partial<WorkerOptions>; numberingQueue?: 'shared' | 'own' } = {},
): Promise<EngineWorker> {
  // Fonts once per process, before the first letter falls due (about 0.2 s).
  preloadDocumentFonts();
  const connection = await NativeConnection.connect(config.connection);
  const { workflowBundle: bundlePath, worker: sizing, numberingQueue } = envConfig();
  const numbersQueue = numberingTaskQueue(config.taskQueue, opts.numberingQueue ?? numberingQueue);
  // Two workers share one bundle: webpack runs once.
  const workflowsPath = workflowsEntry();
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : numbersQueue !== config.taskQueue
      ? { workflowBundle: await bundleWorkflowCode({ workflowsPath }) }
      : { workflowsPath };
  const main = await Worker.create({
    connection,
    // Sized for memory, not left to the SDK's default (a share of the heap limit: thousands of
    // workflows, about 2.5 GiB at 30 programmes): docs/performance.md.
    maxCachedWorkflows: sizing.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: sizing.maxConcurrentActivities,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    // A prebuilt bundle (see README, "Production") skips the webpack step at start.
    ...workflows,
    activities: workerActivities({
      dataDir: config.dataDir,
      taskQueue: numbersQueue,
      client: new Client({ connection, namespace: config.namespace }),
      database: envConfig().database,
      // One key with every dashboard and worker sharing the object store (receipt-link.ts).
      receiptKey: await receiptKeyFromConfig({ ...envConfig(), dataDir: config.dataDir }),
    }),
    ...opts.worker,
  });
  if (numbersQueue === config.taskQueue) return new EngineWorker(main);
  // The numbering workflows run no activities; a few cached series are all a year has.
  const numbers = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: numbersQueue,
    ...workflows,
    maxCachedWorkflows: 50,
    ...(opts.worker?.shutdownGraceTime ? { shutdownGraceTime: opts.worker.shutdownGraceTime } : {}),
  });
  return new EngineWorker(main, [numbers]);
}

/**
 * The workflows' entry file as Node resolves it (what workers bundled before, so every worker's
 * bundle is the same; the fault test saw duplicate mail when it was the folder instead). A plain
 * require without tsx (vitest's) cannot resolve index.ts: the folder then, which webpack resolves.
 */
function workflowsEntry(): string {
  try {
    return require.resolve('../workflows');
  } catch {
    return path.join(__dirname, '..', 'workflows');
  }
}

/**
 * The activities a worker registers: the letters and the archive in the object store (`store`,
 * default the configuration's: `<dataDir>/archive` on the local store, `archive/` in a bucket), the mail settings of
 * the configuration (outbox, sent-log, CA, operator override), document numbers through `client`
 * (their workflows started on `taskQueue`: the numbering queue).
 * No plan: each programme's plan comes with the activity inputs.
 */
export function workerActivities(opts: {
  dataDir: string;
  taskQueue: string;
  client: Client;
  mail?: Config['mail'];
  receipts?: Config['receipts'];
  /** The receipt links' key (`receiptKeyFromConfig`); absent: the secret or the data directory's key file. */
  receiptKey?: Buffer;
  /** GUIDANCE_DATABASE_URL: the sent-log every worker shares (sent-log-pg.ts); absent: the sent-log directory. */
  database?: Config['database'];
  /** The process's object store; default `storeFromConfig` over `dataDir` and GUIDANCE_STORAGE. */
  store?: ObjectStore;
}) {
  const store = opts.store ?? storeFromConfig({ dataDir: opts.dataDir, storage: envConfig().storage });
  const email = emailDepsFromConfig(opts.mail ?? envConfig().mail, {
    settings: opts.receipts ?? envConfig().receipts,
    dataDir: opts.dataDir,
    ...(opts.receiptKey ? { key: opts.receiptKey } : {}),
  });
  if (opts.database) email.sentLog = new PgSentLog(openDatabase(opts.database.url));
  return createActivities({
    store,
    documents: { archiveDir: path.join(opts.dataDir, 'archive') },
    // Receipt links are signed with the same key the dashboard checks them with (receipt-link.ts).
    email,
    docNumbers: { client: opts.client, taskQueue: opts.taskQueue },
  });
}
