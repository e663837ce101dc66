/**
 * Document numbers on the CLI dev server, where visits draw them concurrently: the allocator is
 * reached in one update-with-start request, so the first requests of a new series race to start
 * its numbering workflow; every request still gets its own number, gapless, and a retried request
 * its number again. A terminated series refuses rather than restarting at 1.
 */
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocNumberActivities } from '../activities/docnumber';
import { docNumberWorkflowId } from '../workflows/contracts/numbering';
import { FailureType } from '../workflows/shared/errors';
import { failureOf } from './helpers/failure';
import { createDevServerEnv } from './helpers/temporal';
import { numberingTaskQueue, type TemporalConfig } from '../config/temporal';
import { createWorker } from '../worker/worker';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestWorker, uniqueQueue } from './helpers/worker';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;

beforeAll(async () => {
  env = await createDevServerEnv();
  queue = uniqueQueue('numbers-dev');
  worker = await createTestWorker(env, queue);
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('document numbers under concurrency (dev server)', () => {
  it('concurrent first requests of new series each get a distinct number, 1…n, and retries their own', async () => {
    const acts = createDocNumberActivities({ client: env.client, taskQueue: queue });
    const mock = new MockActivityEnvironment();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 4 }), async (n, retries) => {
        const bureau = `c${Math.random().toString(36).slice(2, 8)}`;
        const req = (i: number) => ({ year: 2032, bureau, series: 'opinion', requestId: `case-${i}:opinion` });
        const ids = Array.from({ length: n }, (_, i) => i);
        // Every request at once, some of them twice (an activity retried after a lost reply).
        const all = [...ids, ...ids.slice(0, retries)];
        const got = await Promise.all(all.map((i) => mock.run(acts.allocateDocNumber, req(i)) as Promise<number>));
        const first = got.slice(0, n);
        expect([...first].sort((a, b) => a - b)).toEqual(ids.map((i) => i + 1));
        got.slice(n).forEach((x, k) => expect(x).toBe(first[k]));
      }),
      { numRuns: 6 },
    );
  });

  it('a terminated series is refused with its state named, not restarted at 1', async () => {
    const acts = createDocNumberActivities({ client: env.client, taskQueue: queue });
    const mock = new MockActivityEnvironment();
    const bureau = `t${Math.random().toString(36).slice(2, 8)}`;
    const req = (id: string) => ({ year: 2032, bureau, series: 'notice', requestId: id });
    expect(await mock.run(acts.allocateDocNumber, req('a'))).toBe(1);
    await env.client.workflow.getHandle(docNumberWorkflowId(2032, bureau, 'notice')).terminate('测试：误操作终止');
    const err = await failureOf(mock.run(acts.allocateDocNumber, req('b')));
    expect(err.type).toBe(FailureType.IntegrityError);
    expect(err.message).toMatch(/已结束（TERMINATED）.*不会从 1 重新编号/);
  });

  it('on a queue of its own (GUIDANCE_NUMBERING_QUEUE=own): served by the second worker, the series runs there', async () => {
    const own = uniqueQueue('numbers-own');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'numbers-own-'));
    const config: TemporalConfig = {
      external: false,
      connection: { address: env.address },
      namespace: 'default',
      taskQueue: own,
      dataDir,
      devServerPort: 0,
      uiPort: 0,
    };
    const engine = await createWorker(config, { numberingQueue: 'own' });
    const run = engine.run();
    try {
      const acts = createDocNumberActivities({ client: env.client, taskQueue: numberingTaskQueue(own, 'own') });
      const bureau = `q${Math.random().toString(36).slice(2, 8)}`;
      const got = await new MockActivityEnvironment().run(acts.allocateDocNumber, {
        year: 2032,
        bureau,
        series: 'opinion',
        requestId: 'case-1:opinion',
      });
      expect(got).toBe(1);
      const d = await env.client.workflow.getHandle(docNumberWorkflowId(2032, bureau, 'opinion')).describe();
      expect(d.taskQueue).toBe(`${own}-numbers`);
    } finally {
      engine.shutdown();
      await run;
    }
  });
});
