/**
 * The largest case the visit's validators accept (issue 21, point 5), on the dev server, which
 * enforces Temporal's limits (2 MB payloads and Query answers) as production does. Filled to the
 * per-case caps (case-limits.ts) — 200 evidence records with the longest file names and notes
 * (the 201st refused), every checklist item 不符合 with the longest problem and opinion and 50
 * evidence ids, the sampled enterprises' results as long as the case's budget lets them be — it is
 * still answered by the `visitCase` Query and the HTTP case view. Cancelled, it is archived in
 * full (the activity reads it in slices through a Query, its input in history a few hundred bytes)
 * and ends CANCELLED.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CASE_FILE, readArchivedCase } from '../activities/archive';
import { createServer } from '../client/http/server';
import { loadUsers } from '../client/users';
import { CASE_LIMITS, QUERY_LIMIT_BYTES } from '../workflows/shared/case-limits';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { visitWorkflowId } from '../workflows/contracts/common';
import { visitCaseQuery, type VisitCase, type VisitInput } from '../workflows/contracts/visit';
import { addEvidenceUpdate, setEnterpriseResultUpdate, setFindingUpdate } from '../workflows/contracts/visit-onsite';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { FAST_MAIL, refusal, supervisor } from './helpers/visit-driver';
import { login, USERS_FILE } from './http/helpers';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

/** Evidence records a case accepts. */
const EVIDENCE = CASE_LIMITS.evidence;
const MB = 1024 * 1024;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;
let dirs: ReturnType<typeof testDirs>;

beforeAll(async () => {
  env = await createDevServerEnv();
  queue = uniqueQueue('archive-large');
  dirs = testDirs();
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** Chinese text of exactly `n` characters (the validators count characters). */
const text = (n: number, seed: string) =>
  `${seed}：${'整改落实情况说明材料存在问题处理意见'.repeat(Math.ceil(n / 18))}`.slice(0, n);

/** Runs `fn` over 0…n-1, `width` at a time. */
async function pool(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

describe('the largest case the validators accept (dev server)', () => {
  it('is answered by the Query and the HTTP case view, archives in full and ends cancelled', async () => {
    const date = '2027-03-01';
    const plan = examplePlan((raw) => {
      raw.bureau.code = `big${Math.random().toString(36).slice(2, 7)}`;
    });
    const county = plan.counties[0]!;
    // A compressed clock starting on the visit day: notice and draw at once, then on site.
    const input: VisitInput = {
      programmeWorkflowId: 'test',
      plan: { ...plan, counties: [county] },
      county,
      date,
      timeScale: { msPerDay: 2000, startDate: date },
      mailRetry: FAST_MAIL,
    };
    const h = await env.client.workflow.start('countyVisitWorkflow', {
      workflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code),
      taskQueue: queue,
      args: [input],
    });
    let s: VisitCase | undefined;
    for (let i = 0; i < 600 && s?.stage !== 'onsite'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await h.query(visitCaseQuery);
    }
    expect(s?.stage).toBe('onsite');

    const evidenceArgs = (i: number) => ({
      actor: supervisor,
      sha256: createHash('sha256').update(`evidence-${i}`).digest('hex'),
      size: 1_000_000,
      mediaType: 'application/pdf' as const,
      filename: `${text(196, `卷${i}`)}.pdf`,
      item: CHECKLIST_KEYS[i % CHECKLIST_KEYS.length]!,
      note: text(500, `证据${i}`),
    });
    await pool(EVIDENCE, 8, (i) => h.executeUpdate(addEvidenceUpdate, { args: [evidenceArgs(i)] }));
    expect((await refusal(h.executeUpdate(addEvidenceUpdate, { args: [evidenceArgs(EVIDENCE)] }))).message).toBe(
      `本案证据材料已达上限 ${EVIDENCE} 件，不能再添加`,
    );
    for (const [n, item] of CHECKLIST_KEYS.entries()) {
      const evidence = Array.from({ length: 50 }, (_, k) => `E${((n * 50 + k) % EVIDENCE) + 1}`);
      await h.executeUpdate(setFindingUpdate, {
        args: [
          {
            actor: supervisor,
            item,
            result: '不符合',
            problem: text(2000, `问题${n}`),
            opinion: text(2000, `意见${n}`),
            evidence,
          },
        ],
      });
    }
    // Each sampled enterprise gets as many of the longest results as the case's budget still takes.
    const sampled = s!.sample!.enterprises;
    let refusedForSize = 0;
    for (const e of sampled)
      await h.executeUpdate(setEnterpriseResultUpdate, {
        args: [{ actor: supervisor, enterprise: e.id, findings: [text(2000, e.id)] }],
      });
    for (const e of sampled) {
      for (let lines = 50; lines > 0; lines -= 2) {
        const call = h.executeUpdate(setEnterpriseResultUpdate, {
          args: [
            {
              actor: supervisor,
              enterprise: e.id,
              findings: Array.from({ length: lines }, (_, k) => text(2000, `${e.id}-${k}`)),
            },
          ],
        });
        const r = await refusal(call).catch(() => undefined); // undefined: accepted
        if (!r) break;
        expect(r.message).toMatch(/本案记录已达上限/);
        refusedForSize++;
      }
    }
    expect(refusedForSize).toBeGreaterThan(0);

    // The largest case is still answered by the Query, and by the HTTP case view.
    const full = await h.query(visitCaseQuery);
    const bytes = Buffer.byteLength(JSON.stringify(full));
    expect(full.evidence).toHaveLength(EVIDENCE);
    expect(full.enterprises).toHaveLength(sampled.length);
    expect(bytes).toBeLessThan(QUERY_LIMIT_BYTES);
    const users = loadUsers(
      USERS_FILE,
      examplePlan().counties.map((c) => c.code),
    );
    const app: FastifyInstance = await createServer({
      client: env.client,
      config: { namespace: env.namespace ?? 'default', bureau: plan.bureau.code, year: plan.year, logLevel: 'silent' },
      users,
      evidenceDir: path.join(path.dirname(dirs.archiveDir), 'evidence'),
      archiveDir: dirs.archiveDir,
    });
    try {
      const cookies = await login(app, ['sun-li']);
      const view = await app.inject({
        method: 'GET',
        url: `/api/years/${plan.year}/cases/${county.code}`,
        headers: { cookie: cookies['sun-li']! },
      });
      expect(view.statusCode, view.body.slice(0, 300)).toBe(200);
      expect(view.json().case).toMatchObject({ stage: 'onsite', enterprises: full.enterprises });
      expect(view.json().case.evidence).toHaveLength(EVIDENCE);
    } finally {
      await app.close();
    }

    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    expect((await h.describe()).status.name).toBe('CANCELLED');

    const archived = await readArchivedCase(dirs.archiveDir, h.workflowId);
    expect(archived?.case.stage).toBe('cancelled');
    expect(archived!.case.evidence).toHaveLength(EVIDENCE);
    expect(archived!.case.findings.every((f) => f.evidence.length === 50 && f.problem!.length === 2000)).toBe(true);
    expect(archived!.case.enterprises).toEqual(full.enterprises);
    const caseJson = statSync(path.join(dirs.archiveDir, h.workflowId, CASE_FILE)).size;

    // The archive step's input in history is the snapshot's id and length, not the case.
    const history = await h.fetchHistory();
    const scheduled = history.events!.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'archiveCase',
    );
    expect(scheduled).toHaveLength(1);
    const inputBytes = scheduled[0]!.activityTaskScheduledEventAttributes!.input!.payloads!.reduce(
      (a, p) => a + (p.data?.length ?? 0),
      0,
    );
    expect(inputBytes).toBeLessThan(1024);
    console.log(
      `largest case: ${(bytes / MB).toFixed(2)} MB as JSON (${archived!.case.evidence.length} evidence, ${full.enterprises.map((e) => e.findings.length).join('+')} enterprise results, ${archived!.case.audit.length} audit entries); case.json ${(caseJson / MB).toFixed(2)} MB; archive input ${inputBytes} bytes`,
    );
  }, 600_000);
});
