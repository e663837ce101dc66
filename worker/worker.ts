/**
 * Builds the engine's worker: every workflow and activity on one task queue.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { preloadDocumentFonts } from '../activities/documents';
import { emailDepsFromEnv } from '../activities/email/config';
import { config as envConfig } from '../config/env';
import { loadPlanFile } from '../config/plan';
import type { TemporalConfig } from '../config/temporal';
import type { Plan } from '../workflows/shared/plan';

/**
 * Creates (but does not run) a worker connected to the configured service. The plan supplies the
 * bureau's sender address, SMTP settings and template directory (GUIDANCE_PLAN, default
 * examples/plan.yaml); secrets come from the environment only.
 */
export async function createWorker(config: TemporalConfig, opts: { plan?: Plan; worker?: Partial<WorkerOptions> } = {}): Promise<Worker> {
  const plan = opts.plan ?? loadPlanFile(envConfig().planFile);
  // Fonts once per process, before the first letter falls due (about 0.2 s).
  preloadDocumentFonts();
  const connection = await NativeConnection.connect(config.connection);
  const bundlePath = envConfig().workflowBundle;
  return Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    // A prebuilt bundle (see README, "Production") skips the webpack step at start.
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({
      documents: { archiveDir: path.join(config.dataDir, 'archive'), templatesDir: plan.templatesDir },
      email: emailDepsFromEnv(plan),
      docNumbers: { client: new Client({ connection, namespace: config.namespace }), taskQueue: config.taskQueue },
    }),
    ...opts.worker,
  });
}
