/**
 * `npm run test:cluster`: the engine on a real self-hosted Temporal cluster — temporal-server
 * v1.29.1 on PostgreSQL 15 (worker/cluster), nothing embedded. The demo's simulated people run one
 * county's visit of the example plan on a compressed clock (0.2 s a simulated day) through a worker
 * pointed at the cluster by TEMPORAL_ADDRESS, to its close: the opinion letter numbered, mailed to
 * the demo outbox and archived; the visit found through the cluster's SQL visibility by the
 * engine's search attributes; its history rows in PostgreSQL's own tables.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../client/demo-run';
import { loadPlanFile } from '../../client/plan';
import { loadConfig } from '../../config/env';
import { loadTemporalConfig } from '../../config/temporal';
import { startCluster, type RunningCluster } from '../../worker/cluster';
import { PG_BIN } from '../../worker/cluster/postgres';
import { visitWorkflowId } from '../../workflows/contracts/common';
import { EXAMPLE_PLAN_FILE } from '../helpers/plans';

let dir: string;
let cluster: RunningCluster;
let demo: Demo;
let outcome: Awaited<Demo['result']>;
const times: Record<string, number> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cluster-'));
  // The postgres OS user must pass through it to its data directory (mkdtemp makes it 0700).
  chmodSync(dir, 0o755);
  let t = Date.now();
  cluster = await startCluster({ dir, log: (m) => process.stderr.write(`[cluster] ${m}\n`) });
  times.clusterStartMs = Date.now() - t;
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    GUIDANCE_DATA_DIR: path.join(dir, 'data'),
    GUIDANCE_OUTBOX_DIR: path.join(dir, 'outbox'),
    GUIDANCE_SENT_LOG_DIR: path.join(dir, 'sent-log'),
  };
  const temporal = loadTemporalConfig(env);
  expect(temporal.external).toBe(true);
  const plan = loadPlanFile(EXAMPLE_PLAN_FILE);
  plan.counties = plan.counties.slice(0, 1);
  t = Date.now();
  demo = await startDemo({
    plan,
    temporal,
    msPerDay: 200,
    allowCluster: true,
    config: loadConfig(env),
    timeoutMs: 10 * 60_000,
  });
  outcome = await demo.result;
  times.demoYearMs = Date.now() - t;
  process.stderr.write(`[cluster] times: ${JSON.stringify(times)}\n`);
});

afterAll(async () => {
  let t = Date.now();
  await demo?.stop();
  times.demoStopMs = Date.now() - t;
  t = Date.now();
  await cluster?.stop();
  times.clusterStopMs = Date.now() - t;
  process.stderr.write(`[cluster] times: ${JSON.stringify(times)}\n`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a compressed year on a self-hosted Temporal cluster on PostgreSQL', () => {
  it("runs the county's visit to its close, the opinion letter numbered, mailed and archived", () => {
    expect(outcome.outcomes).toHaveLength(1);
    const [visit] = outcome.outcomes;
    expect(visit!.stage).toBe('closed');
    expect(visit!.docNumber).toMatch(/^演示.+〔\d{4}〕\d+号$/);
    const mails = readdirSync(demo.outboxDir).filter((f) => f.endsWith('.eml'));
    expect(mails.some((f) => f.includes('--notice--'))).toBe(true);
    expect(mails.some((f) => f.includes('--opinion--'))).toBe(true);
    const caseDir = path.join(demo.archiveDir, visitWorkflowId(demo.plan.year, demo.plan.bureau.code, visit!.county));
    expect(readdirSync(caseDir)).toContain('MANIFEST.sha256');
  });

  it("finds the visit through the cluster's SQL visibility by the engine's search attributes", async () => {
    const found: string[] = [];
    const query = `GuidanceBureau = '${demo.plan.bureau.code}' AND GuidanceStage = 'closed'`;
    for await (const wf of demo.client.workflow.list({ query })) found.push(wf.workflowId);
    expect(found).toEqual([visitWorkflowId(demo.plan.year, demo.plan.bureau.code, outcome.outcomes[0]!.county)]);
  });

  it("keeps the histories in PostgreSQL's own tables", () => {
    const url = cluster.postgres.url.replace(/\/postgres$/, '/temporal');
    const rows = execFileSync(path.join(PG_BIN, 'psql'), [url, '-tAc', 'select count(*) from executions'], {
      encoding: 'utf8',
    });
    expect(Number(rows.trim())).toBeGreaterThan(1);
  });
});
