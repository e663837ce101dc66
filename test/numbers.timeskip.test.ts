/**
 * Document numbers stay accountable (issue "a case never dies", point 6), on the time-skipping
 * server: the register shows every number as issued or voided with its reason; a terminated
 * numbering workflow is not silently restarted at 1; a visit cancelled after drawing a number for a
 * letter it never issued voids that number.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocNumberActivities } from '../activities/docnumber';
import { numberRegister } from '../client/numbers';
import { docNumberWorkflowId } from '../workflows/contracts/numbering';
import { FailureType } from '../workflows/shared/errors';
import { failureOf } from './helpers/failure';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, templatesCopy } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  queue = uniqueQueue('numbers');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs()));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('number register (time-skipping)', () => {
  it('lists every number as issued or voided; a terminated series refuses instead of restarting at 1', async () => {
    const acts = createDocNumberActivities({ client: env.client, taskQueue: queue });
    const mock = new MockActivityEnvironment();
    const bureau = `n${Math.random().toString(36).slice(2, 8)}`;
    const req = (requestId: string) => ({ year: 2031, bureau, series: 'opinion', requestId });
    expect(await mock.run(acts.allocateDocNumber, req('case-a:opinion'))).toBe(1);
    expect(await mock.run(acts.allocateDocNumber, req('case-b:opinion'))).toBe(2);
    expect(await mock.run(acts.allocateDocNumber, req('case-a:opinion'))).toBe(1); // a retry gets its number again
    expect(await mock.run(acts.voidDocNumber, { ...req('case-b:opinion'), reason: '执法指导已取消，文号未使用' })).toBe(
      2,
    );
    expect(await mock.run(acts.allocateDocNumber, req('case-c:opinion'))).toBe(3);

    const rows = await numberRegister(env.client, 2031, bureau);
    expect(rows.map((r) => [r.number, r.requestId, r.status, r.reason])).toEqual([
      [1, 'case-a:opinion', 'issued', undefined],
      [2, 'case-b:opinion', 'void', '执法指导已取消，文号未使用'],
      [3, 'case-c:opinion', 'issued', undefined],
    ]);

    // Someone terminates the series: the next request is refused for good, never numbered 1 again.
    await env.client.workflow.getHandle(docNumberWorkflowId(2031, bureau, 'opinion')).terminate('测试：误操作终止');
    const err = await failureOf(mock.run(acts.allocateDocNumber, req('case-d:opinion')));
    expect(err.type).toBe(FailureType.IntegrityError);
    expect(err.message).toMatch(/不会从 1 重新编号/);
  });

  it('a visit cancelled after drawing the number of a letter it never issued voids that number', async () => {
    const d = new VisitDriver(env, queue);
    const templates = templatesCopy();
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year, (raw) => {
      raw.templatesDir = templates;
    });
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    await d.waitForStage(h, 'onsite');
    await d.fillAndSubmit(h);
    await d.waitFor(h, (s) => s.approval.rounds.length === 1, 'the draft');
    // The final letter's template breaks after the draft: the number is drawn, the render fails.
    const opinion = path.join(templates, 'opinion.hbs');
    writeFileSync(opinion, readFileSync(opinion, 'utf8').replace('<title>', '<title>{{#each}}'));
    await d.approve(h);
    await d.waitFor(h, (s) => s.incidents[0]?.notice !== undefined, 'the render incident, its notice sent');
    await h.cancel();
    await expect(h.result()).rejects.toThrow();

    const rows = await numberRegister(env.client, year, plan.bureau.code);
    const opinionRows = rows.filter((r) => r.series === 'opinion');
    expect(opinionRows).toEqual([
      {
        series: 'opinion',
        number: 1,
        requestId: `${h.workflowId}:opinion`,
        status: 'void',
        reason: '执法指导已取消，文号未使用',
      },
    ]);
    expect(rows.find((r) => r.series === 'notice')?.status).toBe('issued');
  });
});
