/**
 * The archive activity gets what it needs without the whole case in one payload (issue 21,
 * point 5), on the dev server, which enforces Temporal's payload limit (2 MB by default) as
 * production does. A case filled to what the visit's validators accept — every checklist item
 * 不符合 with the longest problem and opinion, 50 evidence ids on each, both sampled enterprises with
 * 50 results of the longest length, hundreds of evidence records with the longest file names and
 * notes — is larger than that limit. Cancelled, it is archived in full (the activity reads it in
 * slices through a Query) and ends CANCELLED, not TERMINATED by the server; the archive step's
 * input in history is a few hundred bytes.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_FILE, readArchivedCase } from '../activities/archive';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { visitWorkflowId } from '../workflows/shared/definitions';
import { addEvidenceUpdate, setEnterpriseResultUpdate, setFindingUpdate, visitCaseQuery, type VisitCase, type VisitInput } from '../workflows/shared/visit';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { FAST_MAIL, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

/** Evidence records added: enough to take the case past the 2 MB payload limit. */
const EVIDENCE = 650;
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
const text = (n: number, seed: string) => `${seed}：${'整改落实情况说明材料存在问题处理意见'.repeat(Math.ceil(n / 18))}`.slice(0, n);

/** Runs `fn` over 0…n-1, `width` at a time. */
async function pool(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await fn(next++);
  }));
}

describe('the archive of a case larger than the payload limit (dev server)', () => {
  it('archives in full and the case ends cancelled, not terminated', async () => {
    const date = '2027-03-01';
    const plan = examplePlan((raw) => {
      raw.bureau.code = `big${Math.random().toString(36).slice(2, 7)}`;
    });
    const county = plan.counties[0]!;
    // A compressed clock starting on the visit day: notice and draw at once, then on site.
    const input: VisitInput = { programmeWorkflowId: 'test', plan: { ...plan, counties: [county] }, county, date, timeScale: { msPerDay: 2000, startDate: date }, mailRetry: FAST_MAIL };
    const h = await env.client.workflow.start('countyVisitWorkflow', { workflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code), taskQueue: queue, args: [input] });
    let s: VisitCase | undefined;
    for (let i = 0; i < 600 && s?.stage !== 'onsite'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await h.query(visitCaseQuery);
    }
    expect(s?.stage).toBe('onsite');

    // Filled while it can still be read: a case over 2 MB can no longer be answered by the visitCase
    // Query either (the server refuses any answer over the limit), so it is read back from its archive.
    const sampled = s!.sample!.enterprises;
    for (const e of sampled) {
      await h.executeUpdate(setEnterpriseResultUpdate, { args: [{ actor: supervisor, enterprise: e.id, findings: Array.from({ length: 50 }, (_, k) => text(2000, `${e.id}-${k}`)) }] });
    }
    await pool(EVIDENCE, 8, (i) =>
      h.executeUpdate(addEvidenceUpdate, {
        args: [{ actor: supervisor, sha256: createHash('sha256').update(`evidence-${i}`).digest('hex'), size: 1_000_000, mediaType: 'application/pdf', filename: `${text(196, `卷${i}`)}.pdf`, item: CHECKLIST_KEYS[i % CHECKLIST_KEYS.length]!, note: text(500, `证据${i}`) }],
      }),
    );
    for (const [n, item] of CHECKLIST_KEYS.entries()) {
      const evidence = Array.from({ length: 50 }, (_, k) => `E${((n * 50 + k) % EVIDENCE) + 1}`);
      await h.executeUpdate(setFindingUpdate, { args: [{ actor: supervisor, item, result: '不符合', problem: text(2000, `问题${n}`), opinion: text(2000, `意见${n}`), evidence }] });
    }
    expect(await h.query(visitCaseQuery).then(() => 'answered', (e: Error) => e.message)).toMatch(/exceeds limit/);

    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    expect((await h.describe()).status.name).toBe('CANCELLED');

    const archived = await readArchivedCase(dirs.archiveDir, h.workflowId);
    expect(archived?.case.stage).toBe('cancelled');
    expect(archived!.case.evidence).toHaveLength(EVIDENCE);
    expect(archived!.case.findings.every((f) => f.evidence.length === 50 && f.problem!.length === 2000)).toBe(true);
    expect(archived!.case.enterprises.flatMap((e) => e.findings)).toHaveLength(100);
    const bytes = Buffer.byteLength(JSON.stringify(archived!.case));
    expect(bytes).toBeGreaterThan(2 * MB);
    const caseJson = statSync(path.join(dirs.archiveDir, h.workflowId, CASE_FILE)).size;

    // The archive step's input in history is the snapshot's id and length, not the case.
    const history = await h.fetchHistory();
    const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'archiveCase');
    expect(scheduled).toHaveLength(1);
    const inputBytes = scheduled[0]!.activityTaskScheduledEventAttributes!.input!.payloads!.reduce((a, p) => a + (p.data?.length ?? 0), 0);
    expect(inputBytes).toBeLessThan(1024);
    console.log(`largest case: ${(bytes / MB).toFixed(2)} MB as JSON (${archived!.case.evidence.length} evidence, ${archived!.case.audit.length} audit entries); case.json ${(caseJson / MB).toFixed(2)} MB; archive input ${inputBytes} bytes`);
  }, 600_000);
});
