/**
 * People's case reads (client/case-reads.ts, through client/record.ts `readCase`) against a real
 * dev server, with the worker gone as the extreme of a backlog: a case read before is served from
 * its last answer within the budget, marked with its time; a case changed through this process
 * waits for a current answer, and gets it once a worker answers again. Before the read model a case
 * page waited for its query whatever the worker's state.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CaseReads } from '../client/case-reads';
import { readCase } from '../client/record';
import { visitWorkflowId } from '../workflows/contracts/common';
import type { VisitCase } from '../workflows/contracts/visit';
import { createDevServerEnv } from './helpers/temporal';
import { VisitDriver } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

it(
  'serves the last answer while the worker cannot answer, and a changed case waits for a current one',
  { timeout: 180_000 },
  async () => {
    const queue = uniqueQueue('case-reads');
    const dirs = testDirs();
    const d = new VisitDriver(env, queue);
    const { year, date } = await d.visitDate(20);
    const plan = d.planFor(year);
    const ref = { year, bureau: plan.bureau.code, county: plan.counties[0]!.code };
    const reads = new CaseReads<VisitCase>({ budgetMs: 500 });

    let worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
    let running = worker.run();
    const h = await d.start(plan, 0, date);
    expect(h.workflowId).toBe(visitWorkflowId(ref.year, ref.bureau, ref.county));
    const fresh = await readCase(env.client, ref, undefined, reads);
    expect(fresh.asOf).toBeUndefined();
    expect(fresh.case.caseId).toBe(h.workflowId);

    // No worker: the query cannot be answered; the page gets the last answer within the budget.
    worker.shutdown();
    await running;
    const t = Date.now();
    const stale = await readCase(env.client, ref, undefined, reads);
    const waited = Date.now() - t;
    expect(stale.asOf).toBeDefined();
    expect(Date.parse(stale.asOf!)).toBeLessThanOrEqual(t);
    expect(stale.case).toEqual(fresh.case);
    expect(waited).toBeLessThan(1500);

    // A person changed the case: the next read is not served from before the change.
    reads.changed(h.workflowId);
    let settled = false;
    const current = readCase(env.client, ref, undefined, reads).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 3000));
    expect(settled).toBe(false);

    worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
    running = worker.run();
    try {
      const answered = await current;
      expect(answered.asOf).toBeUndefined();
      expect(answered.case.caseId).toBe(h.workflowId);
    } finally {
      await h.terminate('test over').catch(() => undefined);
      worker.shutdown();
      await running;
    }
  },
);
