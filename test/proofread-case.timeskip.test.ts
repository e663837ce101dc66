/**
 * A whole case's letters, as the engine issued them, pass the proofreader's rules (issue 22): one
 * visit on the time-skipping server through every document it can produce — the notice, the draft
 * and the opinion letter (one enterprise with a problem, one with a clean result), every reminder,
 * the urge, supervise, warning and summons letters, a returned report and its acceptance letter,
 * the accepted one, then a re-inspection — each PDF read back with pdftotext. The draw's seed and
 * roster hash are nowhere in the letters but stay in the case record.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { addDays } from '../workflows/shared/clock';
import { type VisitCase } from '../workflows/contracts/visit';
import {
  recordReinspectionUpdate,
  reviewReportUpdate,
  submitReportUpdate,
} from '../workflows/contracts/visit-rectification';
import { setEnterpriseResultUpdate, setFindingUpdate, submitUpdate } from '../workflows/contracts/visit-onsite';
import { acknowledgeUpdate } from '../workflows/contracts/receipts';
import { describeFlags, proofread } from './helpers/proofread';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from './helpers/worker';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let dirs: TestDirs;
let d: VisitDriver;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  const queue = uniqueQueue('proofread-case');
  dirs = testDirs();
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const FILE = {
  sha256: createHash('sha256').update('report').digest('hex'),
  size: 4096,
  mediaType: 'application/pdf' as const,
  filename: '整改情况报告.pdf',
};

function pdfsUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.pdf'))
    .map((f) => path.join(dir, f));
}

describe("a whole case's letters pass the proofreader (time-skipping)", () => {
  it('notice, draft, opinion with a clean enterprise result, reminders, every rung, a returned and an accepted report, a re-inspection', async () => {
    const { year, date } = await d.visitDate(3);
    const plan = d.planFor(year, (raw) => (raw.rectification.reinspection = true));
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    const onsite = await d.waitForStage(h, 'onsite');
    for (const item of CHECKLIST_KEYS) {
      const problem =
        item === 'plan.compile'
          ? {
              result: '不符合' as const,
              problem: '列入计划的一般生产经营单位不足三分之一',
              opinion: '调整年度监督检查计划，报县政府批准后重新报备。',
            }
          : { result: '符合' as const };
      await h.executeUpdate(setFindingUpdate, { args: [{ actor: supervisor, item, ...problem }] });
    }
    const [withProblem, ...clean] = onsite.sample!.enterprises;
    await h.executeUpdate(setEnterpriseResultUpdate, {
      args: [
        {
          actor: supervisor,
          enterprise: withProblem!.id,
          checks: [
            { result: '发现问题', text: '消防通道被货物堵塞', opinion: '责令立即清理。' },
            { result: '发现问题', text: '应急预案未组织演练' },
          ],
        },
      ],
    });
    for (const e of clean)
      await h.executeUpdate(setEnterpriseResultUpdate, {
        args: [{ actor: supervisor, enterprise: e.id, checks: [{ result: '未发现问题', text: '未发现重大事故隐患' }] }],
      });
    await h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] });
    await d.approve(h);
    const rect = await d.waitForStage(h, 'rectification');
    // Clean results ask nothing of the county: only the checklist's and the enterprise's problems.
    expect(rect.rectification!.problems).toEqual([
      '列入计划的一般生产经营单位不足三分之一',
      `${withProblem!.name}：消防通道被货物堵塞`,
      `${withProblem!.name}：应急预案未组织演练`,
    ]);

    // Late past every rung with a letter (summons at +21), then a report returned once, then accepted.
    const due = rect.rectification!.dueDate;
    await d.skipTo(addDays(due, 22));
    await d.waitFor(h, (s) => s.rectification!.escalations.length === 4, 'every escalation letter');
    const items = (s: VisitCase) =>
      s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const }));
    const countyActor = {
      id: `${plan.counties[0]!.code}-user`,
      role: 'county' as const,
      county: plan.counties[0]!.code,
    };
    // The county signs for the opinion letter in the portal (a 送达回证 is issued).
    const opinionReceipt = (await d.state(h)).receipts!.find((r) => r.kind === 'opinion')!;
    await h.executeUpdate(acknowledgeUpdate, {
      args: [{ actor: countyActor, receipt: opinionReceipt.id, signer: '李明', via: 'portal' }],
    });
    // The first report has one item still under way, with its date: the returned letter names it.
    const first = items(rect).map((it, i) =>
      i === 0 ? { index: it.index, status: '正在整改' as const, date: addDays(due, 40) } : it,
    );
    await h.executeUpdate(submitReportUpdate, { args: [{ actor: countyActor, files: [FILE], items: first }] });
    await h.executeUpdate(reviewReportUpdate, {
      args: [{ actor: supervisor, decision: 'return', reasons: ['整改后的案卷材料未附。'] }],
    });
    const returned = await d.waitFor(
      h,
      (s) => Boolean(s.rectification!.reports[0]?.review?.letter),
      'the return letter',
    );
    await h.executeUpdate(submitReportUpdate, {
      args: [{ actor: countyActor, files: [FILE], items: items(returned) }],
    });
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    const waiting = await d.waitForStage(h, 'reinspection');
    await h.executeUpdate(recordReinspectionUpdate, {
      args: [
        {
          actor: supervisor,
          date,
          items: waiting.rectification!.problems.map((_, index) => ({ index, passed: true })),
        },
      ],
    });
    const closed = await d.waitForStage(h, 'closed');

    // Every kind the case issued is here.
    const kinds = new Set([
      'notice',
      'opinion',
      ...closed.rectification!.reminders.map(() => 'reminder'),
      ...closed.rectification!.escalations.map((e) => e.kind),
      ...closed.rectification!.reports.flatMap((r) => (r.review?.letter ? ['acceptance'] : [])),
    ]);
    expect([...kinds].sort()).toEqual([
      'acceptance',
      'notice',
      'opinion',
      'reminder',
      'summons',
      'supervise',
      'urge',
      'warning',
    ]);

    const pdfs = pdfsUnder(path.join(dirs.archiveDir, closed.caseId));
    expect(pdfs.length).toBeGreaterThanOrEqual(10);
    const notes: string[] = [];
    for (const file of pdfs) {
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
      const flags = proofread(text);
      if (flags.length) notes.push(`${path.basename(file)}:\n${describeFlags(flags)}`);
      // The draw's record stays in the case, never in a letter.
      expect(text, path.basename(file)).not.toContain(closed.sample!.seed);
      expect(text.replace(/\s+/g, ''), path.basename(file)).not.toContain(closed.sample!.rosterSha256.slice(0, 12));
    }
    expect(notes.join('\n\n')).toBe('');
    const opinion = execFileSync('pdftotext', ['-enc', 'UTF-8', closed.letter!.document.path, '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, '');
    expect(opinion).toContain('经现场抽查，未发现重大事故隐患。');
    expect(closed.sample!.seed).toBeTruthy();
  }, 300_000);
});
