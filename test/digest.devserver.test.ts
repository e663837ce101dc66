/**
 * The weekly digest built from the inbox (待办提醒), on the CLI dev server with a loopback SMTP
 * server: a programme on a compressed clock reaches its digest weekday while the county has a
 * notice to acknowledge; the county gets a mail listing it, people with nothing waiting get none,
 * and the programme records the digest.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProgramme } from '../client/programme';
import { addDays } from '../workflows/shared/clock';
import { scheduleQuery } from '../workflows/contracts/programme';
import { programmeWorkflowId } from '../workflows/contracts/common';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { FAST_MAIL } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let queue: string;

beforeAll(async () => {
  env = await createDevServerEnv();
  sink = await startSmtpSink();
  queue = uniqueQueue('digest');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

describe('weekly digest from the inbox (dev server)', () => {
  it('mails each person their own inbox on the digest weekday; nobody with nothing waiting', async () => {
    const plan = examplePlan((raw) => {
      raw.bureau.code = `g${Math.random().toString(36).slice(2, 8)}`;
      raw.counties = raw.counties.slice(0, 1);
      raw.counties[0].date = `${raw.year}-03-15`; // a Monday
      raw.reporting = { bulletinDay: 0, digestWeekday: 3 }; // Wednesdays
    });
    const county = plan.counties[0]!;
    // Notice 5 working days before (Monday 8 March); the first Wednesday after it is 10 March.
    await startProgramme(env.client, plan, {
      taskQueue: queue,
      visibility: true,
      timeScale: { msPerDay: 1200, startDate: addDays(county.date!, -9) },
      mailRetry: FAST_MAIL,
    });
    const h = env.client.workflow.getHandle(programmeWorkflowId(plan.year, plan.bureau.code));
    // Visibility is eventually consistent: the first Wednesday may find nobody yet; a later one must.
    type Parsed = { to: string[]; subject: string; text: string };
    let todo: Parsed[] = [];
    for (let i = 0; i < 300 && !todo.some((m) => m.to.includes(county.emails[0]!)); i++) {
      await new Promise((r) => setTimeout(r, 200));
      todo = (
        await Promise.all(
          sink.messages.map(async (m) => {
            const p = await simpleParser(m.raw);
            return { to: m.rcptTo, subject: p.subject ?? '', text: p.text ?? '' };
          }),
        )
      ).filter((m) => m.subject.includes('待办提醒'));
    }
    // The mail is in the sink once the SMTP server accepts it; the programme records the digest
    // after its last delivery activity completes, a workflow task later.
    let state = await h.query(scheduleQuery);
    for (let i = 0; i < 100 && !state.audit.some((a) => a.action === 'todoDigest'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await h.query(scheduleQuery);
    }
    expect(state.digests.some((d) => !d.skipped && d.open > 0)).toBe(true);
    expect(state.audit.some((a) => a.action === 'todoDigest')).toBe(true);
    const toCounty = todo.filter((m) => m.to.includes(county.emails[0]!));
    expect(toCounty.length).toBeGreaterThanOrEqual(1);
    expect(toCounty[0]!.text).toContain('签收 执法指导通知');
    // The leader has nothing to approve yet: no digest for them.
    expect(todo.filter((m) => m.to.includes(plan.approval.approver.email!))).toEqual([]);
    await h.terminate('test over');
    for (const e of state.entries)
      if (e.visitWorkflowId)
        await env.client.workflow
          .getHandle(e.visitWorkflowId)
          .terminate('test over')
          .catch(() => undefined);
  });
});
