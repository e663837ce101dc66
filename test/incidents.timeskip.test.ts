/**
 * No activity failure ends a case (issue "a case never dies", points 2 and 3), on the time-skipping
 * server with a loopback SMTP server:
 * - a template broken on disk mid-visit: the draft's render fails for good, the case records an
 *   incident, keeps its stage, tells the supervisors and administrators, and waits; only an
 *   administrator may retry; after the file is fixed the retry renders and the visit goes on;
 * - a review during an SMTP outage is answered at once; the acceptance letter follows once the
 *   server is back, and the case shows closed only when its letter and archive exist.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArchivedCase } from '../activities/archive';
import { retryUpdate } from '../workflows/contracts/incidents';
import { reviewReportUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, refusal, supervisor, templatesCopy } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

const admin = { id: 'admin', role: 'admin' as const };

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let d: VisitDriver;
let dirs: ReturnType<typeof testDirs>;

async function subjects(): Promise<string[]> {
  return Promise.all(sink.messages.map(async (m) => (await simpleParser(m.raw)).subject ?? ''));
}

describe('incidents (time-skipping, loopback SMTP)', () => {
  // A test server per test, as in the rectification tests (clock skips after a closed case stall).
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
    sink = await startSmtpSink();
    const queue = uniqueQueue('incident');
    dirs = testDirs();
    worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs, sink.port));
    running = worker.run();
    d = new VisitDriver(env, queue);
  });
  afterEach(async () => {
    worker.shutdown();
    await running;
    await sink.close();
    await env.teardown();
  });

  it('a template broken on disk mid-visit becomes an incident; an administrator retries after the fix and the visit goes on', async () => {
    const templates = templatesCopy();
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year, (raw) => {
      raw.templatesDir = templates;
    });
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    await d.waitForStage(h, 'onsite');

    // Someone edits the opinion template on disk with a typo, after the plan was checked.
    const opinion = path.join(templates, 'opinion.hbs');
    const good = readFileSync(opinion, 'utf8');
    writeFileSync(opinion, good.replace('{{visitDate}}', '{{visitDat}}').replace('<title>', '<title>{{#each}}'));
    await d.fillAndSubmit(h);

    const stuck = await d.waitFor(h, (s) => s.incidents.length === 1, 'the incident');
    expect(stuck.stage).toBe('approval');
    expect(stuck.incidents[0]).toMatchObject({ id: 'I1', step: 'render:draft-1', error: { type: 'TemplateError' } });
    expect(stuck.approval.rounds).toHaveLength(0);
    expect((await h.describe()).status.name).toBe('RUNNING');
    expect(stuck.audit.map((a) => a.action)).toContain('incident');
    // The supervisors and the administrator are told by email.
    const notices = async () => {
      const told = sink.messages.filter((m) =>
        m.rcptTo.some((r) => ['sunli@heluo.example.cn', 'admin@heluo.example.cn'].includes(r)),
      );
      return (await Promise.all(told.map(async (m) => (await simpleParser(m.raw)).subject))).filter((x) =>
        x?.startsWith('【故障待处理】'),
      );
    };
    for (let i = 0; i < 100 && (await notices()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await notices()).length).toBeGreaterThanOrEqual(2);

    // Only an administrator retries, and only an open incident.
    expect((await refusal(h.executeUpdate(retryUpdate, { args: [{ actor: supervisor }] }))).type).toBe('Forbidden');
    expect((await refusal(h.executeUpdate(retryUpdate, { args: [{ actor: admin, incident: 'I9' }] }))).type).toBe(
      'InvalidInput',
    );

    writeFileSync(opinion, good);
    const retried = await h.executeUpdate(retryUpdate, { args: [{ actor: admin, note: '模板已修正' }] });
    expect(retried).toMatchObject({ id: 'I1', retriedBy: 'admin' });
    await d.approve(h);
    const s = await d.waitForStage(h, 'rectification');
    expect(s.letter?.docNumber).toBeTruthy();
    expect(s.incidents).toHaveLength(1);
    expect((await refusal(h.executeUpdate(retryUpdate, { args: [{ actor: admin }] }))).message).toMatch(
      /没有待处理的故障/,
    );
  });

  it('a review during an SMTP outage is answered at once; the letter follows when the server is back, then the case closes', async () => {
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year);
    const county = plan.counties[0]!;
    const { h, s } = await d.toRectification(plan, 0, date);
    await h.executeUpdate(submitReportUpdate, {
      args: [
        {
          actor: supervisor,
          files: [{ sha256: 'c'.repeat(64), size: 10, mediaType: 'application/pdf', filename: '报告.pdf' }],
          items: s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
        },
      ],
    });

    const port = sink.port;
    await sink.close(); // the outage begins
    const review = await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    expect(review).toMatchObject({ no: 1, decision: 'accept', stage: 'rectification' });
    const during = await d.state(h);
    expect(during.stage).toBe('rectification'); // not closed before its letter and archive exist
    expect(during.rectification!.reports[0]!.review!.letter).toBeUndefined();

    sink = await startSmtpSink({ port }); // the outage ends
    const closed = await d.waitForStage(h, 'closed');
    expect(closed.rectification!.archive).toBeDefined();
    expect(closed.rectification!.reports[0]!.review!.letter?.delivery?.status).toBe('delivered');
    const accepted = (await subjects()).filter((x) => x.includes('验收通过'));
    expect(accepted).toHaveLength(county.emails.length);
  });

  it('a visit cancelled by a person is archived as the record of it, with stage cancelled', async () => {
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year);
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    await d.waitForStage(h, 'onsite');
    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    const archived = await readArchivedCase(dirs.archiveDir, h.workflowId);
    expect(archived?.case.stage).toBe('cancelled');
    expect(archived?.case.notice?.docNumber).toBeTruthy();
    expect(archived?.case.audit.map((a) => a.action)).toContain('cancel');
  });
});
