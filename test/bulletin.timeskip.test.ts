/**
 * The monthly bulletin (执法指导情况通报) and the weekly digest (周交办) of a running programme, on
 * the time-skipping test server with a loopback SMTP server: statistics imported from the Xuchang
 * table, two visits driven to rectification, one county reports, the other does not.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatsActivities } from '../activities/stats';
import { recordStatistics, startProgramme, statisticsRows } from '../client/programme';
import { addDays } from '../workflows/shared/clock';
import { scheduleQuery } from '../workflows/contracts/programme';
import { submitReportUpdate, reviewReportUpdate } from '../workflows/contracts/visit-rectification';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver, firstMonday, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';
import { describeFlags, proofread } from './helpers/proofread';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let queue: string;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink();
  queue = uniqueQueue('bulletin');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

describe('monthly bulletin and weekly digest (time-skipping)', () => {
  it('circulates a bulletin each month with the statistics table and the overdue county, and a weekly digest to the supervisors', async () => {
    const d = new VisitDriver(env, queue);
    const year = await d.nextYear();
    const plan = d.planFor(year, (raw) => {
      raw.counties = raw.counties.slice(0, 2);
      raw.counties[0].date = firstMonday(year, 2);
      raw.counties[1].date = addDays(firstMonday(year, 2), 7);
    });
    const programme = await startProgramme(env.client, plan, {
      taskQueue: queue,
      visibility: false,
      mailRetry: FAST_MAIL,
    });

    // Statistics from a real table (the Xuchang bulletin's), imported through the same mapping as the CLI.
    const stats = await createStatsActivities().importStatistics({
      path: path.resolve(__dirname, '../examples/stats/xuchang-2020-01-04.csv'),
    });
    expect(stats.problems).toEqual([]);
    await recordStatistics(env.client, plan.year, plan.bureau.code, {
      actor: { id: 'admin', role: 'admin' },
      period: `${year}年1—4月`,
      sourceSha256: 'a'.repeat(64),
      rows: statisticsRows(stats.units),
    });

    // Both visits: on-site, findings, approval, letter; the programme started them.
    const handles = [];
    for (const c of plan.counties) {
      await d.skipTo(c.date!);
      const h = env.client.workflow.getHandle(`visit-${plan.year}-${plan.bureau.code}-${c.code}`);
      await d.waitForStage(h, 'onsite');
      await d.fillAndSubmit(h);
      await d.approve(h);
      handles.push({ h, s: await d.waitForStage(h, 'rectification') });
    }
    // The first county reports on time; the second never does.
    const first = handles[0]!;
    await d.skipTo(addDays(first.s.rectification!.dueDate, -2));
    await first.h.executeUpdate(submitReportUpdate, {
      args: [
        {
          actor: supervisor,
          files: [{ sha256: 'b'.repeat(64), size: 100, mediaType: 'application/pdf', filename: '报告.pdf' }],
          items: first.s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
        },
      ],
    });
    // Accepted and closed: the programme must hear of it (a visit's last progress note goes out
    // in the task that completes it), or the closed case would be listed as overdue.
    await first.h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    await first.h.result();
    const late = handles[1]!;
    await d.skipTo(`${year}-06-10`);

    const state = await programme.query(scheduleQuery);
    expect(state.progress[plan.counties[0]!.code]?.stage).toBe('closed');
    // Bulletins on the 5th (next working day) of March, April, May and June.
    expect(state.bulletins.map((b) => b.month)).toEqual([`${year}-03`, `${year}-04`, `${year}-05`, `${year}-06`]);
    const june = state.bulletins[3]!;
    expect(june.overdue).toEqual([plan.counties[1]!.code]);
    const text = execFileSync('pdftotext', ['-layout', june.documentPath, '-'], { encoding: 'utf8' });
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain(`关于${year}年1—5月安全生产执法指导情况的通报`);
    expect(flat).toContain(june.docNumber);
    expect(flat).toContain('鄢陵县'); // the statistics table, ranked
    expect(flat).toContain(late.s.letter!.docNumber); // the overdue county's letter
    expect(flat).toContain(plan.counties[1]!.name);
    expect(flat).not.toContain(`${plan.counties[0]!.name}${first.s.letter!.docNumber}`);
    // Every bulletin the programme issued reads right to a proofreader (March's covers 1—2月; none says 1—1月).
    for (const b of state.bulletins) {
      const notes = describeFlags(
        proofread(execFileSync('pdftotext', ['-enc', 'UTF-8', b.documentPath, '-'], { encoding: 'utf8' })),
      );
      expect(notes, b.month).toBe('');
    }

    // Emailed to every county, the leaders in Cc.
    const mails = await Promise.all(
      sink.messages.map(async (m) => ({ rcpt: m.rcptTo, subject: (await simpleParser(m.raw)).subject ?? '' })),
    );
    const bulletinMails = mails.filter(
      (m) => m.subject.includes('执法指导情况通报') && m.subject.includes(june.docNumber),
    );
    const rcpts = bulletinMails.flatMap((m) => m.rcpt);
    for (const c of plan.counties) expect(rcpts).toContain(c.emails[0]);
    expect(rcpts).toContain(plan.approval.approver.email);

    // The weekly digest goes to the supervisors while cases are open.
    expect(state.digests.length).toBeGreaterThanOrEqual(4);
    const digests = mails.filter((m) => m.subject.startsWith('【周交办】'));
    // One copy per supervisor (the engine sends each recipient their own copy).
    expect(new Set(digests.map((m) => m.subject)).size).toBe(state.digests.length);
    expect(digests.length).toBe(state.digests.length * plan.supervisors.length);
    expect(digests.every((m) => m.rcpt.every((r) => plan.supervisors.some((s) => s.email === r)))).toBe(true);
  });
});
