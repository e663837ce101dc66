/**
 * The county visit on Temporal's time-skipping test server, mailing to a real SMTP server on
 * loopback: the whole visit from notice to letter, every refusal, concurrent numbering, the
 * sampling draw re-computed, and the recorded histories replayed.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDraw } from '../activities/sampling';
import { visitOps } from '../client/visit';
import type { Plan } from '../workflows/shared/plan';
import { type VisitCase } from '../workflows/contracts/visit';
import {
  addEvidenceUpdate,
  approveUpdate,
  returnUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
} from '../workflows/contracts/visit-onsite';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { VisitDriver, leader, refusal, supervisor } from './helpers/visit-driver';
import { createTimeSkippingEnv } from './helpers/temporal';
import {
  createTestWorker,
  testActivityDeps,
  testDirs,
  uniqueQueue,
  workflowBundle,
  type TestDirs,
} from './helpers/worker';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let dirs: TestDirs;
let queue: string;
const finished: string[] = [];

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink();
  queue = uniqueQueue('visit');
  dirs = testDirs();
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs, sink.port));
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

let d: VisitDriver;
const visitDate = (w = 0) => d.visitDate(w);
const planFor = (year: number) => d.planFor(year);
const startVisit = (plan: Plan, i: number, date: string) => d.start(plan, i, date);
const skipTo = (date: string) => d.skipTo(date);
const stateOf = (h: WorkflowHandle) => d.state(h);
const waitForStage = (h: WorkflowHandle, stage: VisitCase['stage']) => d.waitForStage(h, stage);
const fillAndSubmit = (h: WorkflowHandle) => d.fillAndSubmit(h);

describe('county visit (time-skipping, loopback SMTP)', () => {
  it("runs from notice to the numbered letter in the county's mailbox", async () => {
    const { year, date } = await visitDate();
    const plan = planFor(year);
    const h = await startVisit(plan, 0, date);
    const county = plan.counties[0]!;

    // The notice goes out five working days ahead; sampling happens on the day.
    await skipTo(date);
    const onsite = await waitForStage(h, 'onsite');
    expect(onsite.notice?.delivery?.status).toBe('delivered');
    expect(onsite.sample!.enterprises).toHaveLength(2);
    // The draw re-computed from its recorded seed and roster hash gives the same enterprises.
    expect(verifyDraw(onsite.sample!, county.enterprises)).toEqual({ ok: true });

    await fillAndSubmit(h);
    const approval = await waitForStage(h, 'approval');
    expect(approval.audit.map((a) => a.action)).toContain('submit');
    // Wait for the draft to be rendered and sent, then approve.
    for (let i = 0; i < 200 && (await stateOf(h)).approval.rounds.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    await h.executeUpdate(approveUpdate, { args: [{ actor: leader, comment: '同意' }] });
    const done = await waitForStage(h, 'rectification');
    finished.push(h.workflowId);

    expect(done.rectification!.dueDate).toBe(done.letter!.dueDate);
    const letter = done.letter!;
    expect(letter.docNumber).toBe(`河洛应急指导〔${year}〕1号`);
    expect(letter.delivery!.status).toBe('delivered');

    // What arrived at the SMTP server, parsed by an independent MIME parser.
    const mails = await Promise.all(sink.messages.map((m) => simpleParser(m.raw)));
    const opinionMail = mails.find((m) => m.subject?.includes(letter.docNumber) && m.subject.includes('意见书'));
    expect(opinionMail, mails.map((m) => m.subject).join('\n')).toBeDefined();
    expect(opinionMail!.to && JSON.stringify(opinionMail!.to)).toContain(county.emails[0]);
    const pdf = opinionMail!.attachments[0]!;
    expect(pdf.filename).toBe(`${letter.docNumber}-安全生产执法指导意见书.pdf`);
    expect(createHash('sha256').update(pdf.content).digest('hex')).toBe(letter.document.sha256);
    const file = path.join(os.tmpdir(), `letter-${Date.now()}.pdf`);
    writeFileSync(file, pdf.content);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain(letter.docNumber);
    expect(text).toContain('列入计划的一般生产经营单位不足三分之一');
    const [y, m, d] = letter.dueDate.split('-').map(Number);
    expect(text).toContain(`${y}年${m}月${d}日前报告我局`);
    expect(mails.some((mm) => mm.subject?.includes('执法指导通知'))).toBe(true);
    expect(mails.some((mm) => mm.subject?.includes('待审批'))).toBe(true);
    // Every step is in the audit log, with who did it.
    expect(done.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'notice',
        'sample',
        'addEvidence',
        'setFinding',
        'submit',
        'approve',
        'issue',
        'letterDelivered',
      ]),
    );
    expect(done.audit.find((a) => a.action === 'approve')!.by).toBe('zheng-yuan');
  });

  it('refuses bad and out-of-turn Updates with their message, changing nothing', async () => {
    const { year, date } = await visitDate(1);
    const plan = planFor(year);
    const h = await startVisit(plan, 1, date);
    await skipTo(date);
    const before = await waitForStage(h, 'onsite');
    const sha = createHash('sha256').update('x').digest('hex');

    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'incomplete findings',
        () => h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] }),
        /检查结果不完整[\s\S]*年度监督检查计划编制：未填写检查结论/,
      ],
      [
        'unknown checklist item',
        () =>
          h.executeUpdate(setFindingUpdate, {
            args: [{ actor: supervisor, item: 'plan.unknown' as never, result: '符合' }],
          }),
        /item/,
      ],
      [
        'evidence over the size limit',
        () =>
          h.executeUpdate(addEvidenceUpdate, {
            args: [
              {
                actor: supervisor,
                sha256: sha,
                size: 25 * 1024 * 1024,
                mediaType: 'application/pdf',
                filename: 'big.pdf',
                item: 'plan.compile',
              },
            ],
          }),
        /文件过大/,
      ],
      [
        'evidence of a refused type',
        () =>
          h.executeUpdate(addEvidenceUpdate, {
            args: [
              {
                actor: supervisor,
                sha256: sha,
                size: 100,
                mediaType: 'text/html' as never,
                filename: 'x.html',
                item: 'plan.compile',
              },
            ],
          }),
        /不接受的文件类型/,
      ],
      [
        'evidence from a county',
        () =>
          h.executeUpdate(addEvidenceUpdate, {
            args: [
              {
                actor: { id: 'x', role: 'county', county: 'qinghe' },
                sha256: sha,
                size: 100,
                mediaType: 'application/pdf',
                filename: 'a.pdf',
                item: 'plan.compile',
              },
            ],
          }),
        /只有本计划指导组的执法指导人员/,
      ],
      [
        'finding by someone outside the team',
        () =>
          h.executeUpdate(setFindingUpdate, {
            args: [{ actor: { id: 'intruder', role: 'supervisor' }, item: 'plan.compile', result: '符合' }],
          }),
        /只有本计划指导组/,
      ],
      [
        'approving before submission',
        () => h.executeUpdate(approveUpdate, { args: [{ actor: leader }] }),
        /当前阶段为“现场指导”，不能审批/,
      ],
      [
        'a 不符合 without problem and opinion is accepted as a draft but blocks submission',
        async () => {
          await h.executeUpdate(setFindingUpdate, {
            args: [{ actor: supervisor, item: 'team.staff', result: '不符合' }],
          });
          return h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] });
        },
        /人员情况：结论为不符合，须填写存在问题和处理意见/,
      ],
      [
        'enterprise not in the sample',
        () =>
          h.executeUpdate(setEnterpriseResultUpdate, {
            args: [{ actor: supervisor, enterprise: 'NOPE-1', findings: ['x'] }],
          }),
        /不是本次抽查的企业/,
      ],
    ];
    for (const [name, run, expected] of cases) {
      const snapshot = await stateOf(h);
      const r = await refusal(run());
      expect(r.message, name).toMatch(expected);
      const after = await stateOf(h);
      if (!name.startsWith('a 不符合')) expect(after, name).toEqual(snapshot);
    }
    expect((await stateOf(h)).evidence).toEqual(before.evidence);

    // Approval: the wrong person, approving twice, acting on a finished visit.
    await h.executeUpdate(setFindingUpdate, { args: [{ actor: supervisor, item: 'team.staff', result: '符合' }] });
    await fillAndSubmit(h);
    for (let i = 0; i < 200 && (await stateOf(h)).approval.rounds.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await refusal(h.executeUpdate(approveUpdate, { args: [{ actor: supervisor }] }))).message).toMatch(
      /只有审批人/,
    );
    expect((await refusal(h.executeUpdate(returnUpdate, { args: [{ actor: leader, comment: '' }] }))).message).toMatch(
      /退回必须写明意见/,
    );
    // A return sends the case back to findings; resubmission makes a second draft.
    await h.executeUpdate(returnUpdate, { args: [{ actor: leader, comment: '问题表述再具体些' }] });
    expect((await stateOf(h)).stage).toBe('onsite');
    await h.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] });
    for (let i = 0; i < 200 && (await stateOf(h)).approval.rounds.length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    await h.executeUpdate(approveUpdate, { args: [{ actor: leader }] });
    expect((await refusal(h.executeUpdate(approveUpdate, { args: [{ actor: leader }] }))).type).toBe('InvalidState');
    const done = await waitForStage(h, 'rectification');
    finished.push(h.workflowId);
    expect(done.approval.rounds.map((r) => r.decision)).toEqual(['returned', 'approved']);
    // Findings are closed once the letter is out.
    expect(
      (
        await refusal(
          h.executeUpdate(setFindingUpdate, { args: [{ actor: supervisor, item: 'plan.compile', result: '符合' }] }),
        )
      ).message,
    ).toMatch(/当前阶段为“整改中”，不能修改检查结论/);
    // A closed workflow: the server refuses the Update as not found, and the client says why in Chinese.
    await h.terminate('test: visit closed');
    const ref = { year: plan.year, bureau: plan.bureau.code, county: plan.counties[1]!.code };
    await expect(
      visitOps.setFinding(env.client, ref, { actor: supervisor, item: 'plan.compile', result: '符合' }),
    ).rejects.toThrow(/该执法指导已经结束/);
  });

  it('passes an unanswered approval to the deputy after a reminder', async () => {
    const { year, date } = await visitDate(2);
    const plan = planFor(year);
    const h = await startVisit(plan, 2, date);
    await skipTo(date);
    await waitForStage(h, 'onsite');
    await fillAndSubmit(h);
    for (let i = 0; i < 200 && (await stateOf(h)).approval.rounds.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    // Two periods of three working days pass without an answer.
    await env.sleep('12 days');
    const s = await stateOf(h);
    expect(s.approval.rounds[0]!.reminders.length).toBeGreaterThanOrEqual(1);
    expect(s.approval.passedTo).toBe('feng-qing');
    expect((await refusal(h.executeUpdate(approveUpdate, { args: [{ actor: leader }] }))).message).toMatch(
      /只有审批人（冯青）/,
    );
    await h.executeUpdate(approveUpdate, { args: [{ actor: { id: 'feng-qing', role: 'leader' } }] });
    const done = await waitForStage(h, 'rectification');
    finished.push(h.workflowId);
    expect(done.letter!.delivery!.status).toBe('delivered');
  });

  it('concurrent visits of several counties get distinct, gapless numbers', async () => {
    const { year, date } = await visitDate(3);
    const plan = planFor(year);
    const handles = await Promise.all([3, 4, 5].map((i) => startVisit(plan, i, date)));
    await skipTo(date);
    await Promise.all(handles.map((h) => waitForStage(h, 'onsite')));
    await Promise.all(handles.map((h) => fillAndSubmit(h)));
    for (const h of handles)
      for (let i = 0; i < 200 && (await stateOf(h)).approval.rounds.length === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
    await Promise.all(handles.map((h) => h.executeUpdate(approveUpdate, { args: [{ actor: leader }] })));
    const results = await Promise.all(handles.map((h) => waitForStage(h, 'rectification')));
    finished.push(...handles.map((h) => h.workflowId));
    const numbers = results.map((r) => Number(/〔\d+〕(\d+)号/.exec(r.letter!.docNumber)![1])).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3]);
  });

  it("replays every finished visit's history with today's workflow code (determinism guard)", async () => {
    expect(finished.length).toBeGreaterThanOrEqual(4);
    const histories = await Promise.all(
      finished.map(async (workflowId) => ({
        workflowId,
        history: await env.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    // Kept in the repository, so a later change that breaks running visits fails CI even when
    // the live tests are rewritten with it.
    if (process.env.RECORD_HISTORIES) {
      const dir = path.resolve(__dirname, 'histories');
      mkdirSync(dir, { recursive: true });
      for (const h of histories) {
        writeFileSync(
          path.join(dir, `${h.workflowId.replace(/^visit-\d+-[a-z0-9]+-/, 'visit-')}.history.bin`),
          temporal.api.history.v1.History.encode(h.history).finish(),
        );
      }
    }
    const replay = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories);
    for await (const result of replay) expect(result.error, result.workflowId).toBeUndefined();
  });
});
