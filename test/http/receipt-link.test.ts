/**
 * The emailed receipt link (签收链接) for a county whose code has a hyphen (`xin-cheng`, which the
 * plan's code rule allows), under a bureau whose code has one too: the link opens and signs on the
 * real HTTP server over a real visit on the time-skipping server. And, for every valid pair of
 * codes, the case id a token names reads back to exactly that bureau, year and county.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptToken } from '../../activities/email/receipt-link';
import { receiptCaseRef } from '../../client/http/routes/receipts';
import { createServer } from '../../client/http/server';
import { loadUsers } from '../../client/users';
import { visitWorkflowId } from '../../workflows/contracts/common';
import { Code } from '../../workflows/shared/plan';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { VisitDriver } from '../helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from '../helpers/worker';
import { tempDir, USERS_FILE } from './helpers';

const code = fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/).filter((s) => Code.safeParse(s).success);

describe('receiptCaseRef', () => {
  it('reads back the year, bureau and county of any valid codes, hyphens included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2100 }), code, code, (year, bureau, county) => {
        expect(receiptCaseRef(visitWorkflowId(year, bureau, county), bureau)).toEqual({ year, bureau, county });
      }),
      { numRuns: 500 },
    );
  });

  it("refuses another bureau's case and ids that are not a visit", () => {
    expect(receiptCaseRef('visit-2031-heluo-xin-cheng', 'he-luo')).toBeUndefined();
    expect(receiptCaseRef('guidance-2031-heluo', 'heluo')).toBeUndefined();
    expect(receiptCaseRef('visit-2031-heluo-', 'heluo')).toBeUndefined();
    expect(receiptCaseRef('visit-2031-heluo-Xin', 'heluo')).toBeUndefined();
    expect(receiptCaseRef('visit-31-heluo-xin', 'heluo')).toBeUndefined();
  });
});

describe('a receipt link of county xin-cheng (time-skipping server)', () => {
  const KEY = randomBytes(32);
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let queue: string;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    queue = uniqueQueue('receipt-link');
    const deps = testActivityDeps(env, queue, testDirs());
    worker = await createTestWorker(env, queue, {
      ...deps,
      email: { ...deps.email, receiptLinks: { baseUrl: 'https://zhidao.example.cn/', key: KEY } },
    });
    running = worker.run();
  });
  afterAll(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('opens and signs', async () => {
    const d = new VisitDriver(env, queue);
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year, (raw) => {
      raw.bureau.code = `he-luo-${Math.random().toString(36).slice(2, 6)}`;
      raw.counties[0].code = 'xin-cheng';
    });
    const h = await d.start(plan, 0, date);
    expect(h.workflowId).toBe(`visit-${year}-${plan.bureau.code}-xin-cheng`);
    await d.skipTo(date);
    const s = await d.waitFor(h, (c) => (c.receipts ?? []).length > 0, 'the notice opens receipt R1');
    const r1 = s.receipts![0]!;

    const dir = tempDir('guidance-receipt-');
    app = await createServer({
      client: env.client,
      config: { namespace: 'default', bureau: plan.bureau.code, year, logLevel: 'silent' },
      users: loadUsers(USERS_FILE),
      evidenceDir: path.join(dir, 'ev'),
      archiveDir: path.join(dir, 'ar'),
      receiptKey: KEY,
    });
    const token = receiptToken(KEY, { caseId: s.caseId, receipt: r1.id, expires: r1.linkExpires! });
    const shown = await app.inject({ method: 'GET', url: `/api/receipt?token=${token}` });
    expect(shown.json()).toMatchObject({ caseId: s.caseId, county: plan.counties[0]!.name, receipt: 'R1' });
    expect(shown.statusCode).toBe(200);

    const signed = await app.inject({ method: 'POST', url: '/api/receipt', payload: { token, signer: '王晓明' } });
    expect(signed.statusCode).toBe(200);
    expect(signed.json().result).toMatchObject({ receipt: 'R1', acknowledged: { signer: '王晓明', via: 'link' } });
  });
});
