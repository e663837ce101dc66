/**
 * The cluster proof's stack (issue 24, point 5): a self-hosted Temporal server on PostgreSQL
 * (worker/cluster), an S3-compatible server (moto) with one bucket, a loopback SMTP sink, one
 * shared database for the engine's own state, and the hosts (./hosts.ts): two workers and two
 * dashboards, each with its own empty data directory, sharing only what a cluster shares.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { demoBureauCode, demoPlan } from '../../client/demo-run';
import { loadPlanFile } from '../../client/plan';
import { S3Store } from '../../activities/storage';
import { startCluster, type RunningCluster } from '../../worker/cluster';
import { startMoto, type MotoServer } from '../../worker/moto';
import type { Plan } from '../../workflows/shared/plan';
import { startSmtpSink, type SmtpSink } from '../email/helpers';
import { EXAMPLE_PLAN_FILE } from '../helpers/plans';
import { startHost, type Host } from './hosts';

const CREDENTIALS = { accessKeyId: 'proof', secretAccessKey: 'proof-secret' };
const BUCKET = 'guidance-proof';

export interface Stack {
  cluster: RunningCluster;
  moto: MotoServer;
  sink: SmtpSink;
  plan: Plan;
  taskQueue: string;
  /** The bucket as any host sees it. */
  store: S3Store;
  /** What every host shares: the cluster, the bucket, the database, the SMTP server, the plan. */
  env: Record<string, string>;
  hosts: Map<string, Host>;
  /** Starts (or restarts, with the same directories) the host `name`. */
  start(name: string, kind: Host['kind']): Promise<Host>;
  stop(): Promise<void>;
}

export async function startStack(dir: string, log: (m: string) => void): Promise<Stack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const cluster = await startCluster({ dir, log });
    cleanups.push(() => cluster.stop());
    const moto = await startMoto();
    cleanups.push(() => moto.stop());
    const region = 'us-east-1';
    await new S3Client({ endpoint: moto.endpoint, region, forcePathStyle: true, credentials: CREDENTIALS }).send(
      new CreateBucketCommand({ Bucket: BUCKET }),
    );
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());

    const admin = new PgClient({ connectionString: cluster.postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE guidance');
    await admin.end();
    const database = new URL(cluster.postgres.url);
    database.pathname = '/guidance';

    const example = loadPlanFile(EXAMPLE_PLAN_FILE);
    const plan: Plan = {
      ...demoPlan(example, demoBureauCode(example.bureau.code), new Date().getFullYear() + 1),
      smtp: { host: '127.0.0.1', port: sink.port, security: 'none', passwordEnv: 'SMTP_PASSWORD' },
    };
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan, null, 2));
    const taskQueue = `proof-${plan.bureau.code}`;
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      GUIDANCE_TASK_QUEUE: taskQueue,
      GUIDANCE_PLAN: planFile,
      GUIDANCE_STORAGE: 's3',
      GUIDANCE_S3_BUCKET: BUCKET,
      GUIDANCE_S3_ENDPOINT: moto.endpoint,
      GUIDANCE_S3_REGION: region,
      GUIDANCE_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      GUIDANCE_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      GUIDANCE_DATABASE_URL: database.toString(),
    };
    const store = new S3Store({ bucket: BUCKET, region, endpoint: moto.endpoint, credentials: CREDENTIALS });
    const hosts = new Map<string, Host>();
    const root = path.join(dir, 'hosts');
    const stack: Stack = {
      cluster,
      moto,
      sink,
      plan,
      taskQueue,
      store,
      env,
      hosts,
      async start(name, kind) {
        const host = await startHost({ name, kind, root, env });
        hosts.set(name, host);
        return host;
      },
      async stop() {
        await Promise.all([...hosts.values()].map((h) => h.stop().catch(() => undefined)));
        for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
      },
    };
    return stack;
  } catch (err) {
    for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
    throw err;
  }
}
