/**
 * A county mailbox that refuses mail can be corrected by a person (issue 21, point 3), on the
 * time-skipping server with a loopback SMTP server: the notice to a mailbox that answers 550 is
 * recorded as failed and the case goes on; an administrator corrects the county's mailboxes
 * (correctCountyEmails, 更正县区收件邮箱), and the opinion letter mailed afterwards reaches the
 * corrected mailbox. The case's history replays with today's code.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctCountyEmailsUpdate } from '../workflows/contracts/county-emails';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, leader, refusal } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, workflowBundle } from './helpers/worker';

const admin = { id: 'admin', role: 'admin' as const };
const WRONG = 'yjj@xiangshan-old.example.cn';
const RIGHT = 'yjj@xiangshan.example.cn';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let d: VisitDriver;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink({ rcptReply: (a) => (a === WRONG ? 550 : undefined) });
  const queue = uniqueQueue('county-emails');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

describe('a county mailbox that refuses mail is corrected by a person (time-skipping, loopback SMTP)', () => {
  it('the notice fails to the wrong mailbox; corrected, the opinion letter reaches the right one', async () => {
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year, (raw) => {
      raw.counties[0].emails = [WRONG];
    });
    const h = await d.start(plan, 0, date);
    await d.skipTo(date);
    const onsite = await d.waitForStage(h, 'onsite');
    expect(onsite.notice!.delivery!.status).toBe('failed');
    expect(onsite.incidents).toHaveLength(0);

    expect(
      (
        await refusal(
          h.executeUpdate(correctCountyEmailsUpdate, {
            args: [{ actor: leader, emails: [RIGHT], reason: '县局更换了邮箱' }],
          }),
        )
      ).type,
    ).toBe('Forbidden');
    expect(
      (
        await refusal(
          h.executeUpdate(correctCountyEmailsUpdate, {
            args: [{ actor: admin, emails: ['不是邮箱'], reason: '县局更换了邮箱' }],
          }),
        )
      ).type,
    ).toBe('InvalidInput');
    expect(
      (
        await refusal(
          h.executeUpdate(correctCountyEmailsUpdate, {
            args: [{ actor: admin, emails: [], reason: '县局更换了邮箱' }],
          }),
        )
      ).type,
    ).toBe('InvalidInput');
    const r = await h.executeUpdate(correctCountyEmailsUpdate, {
      args: [{ actor: admin, emails: [RIGHT], reason: '县局更换了邮箱' }],
    });
    expect(r).toMatchObject({ by: 'admin', emails: [RIGHT] });

    await d.fillAndSubmit(h);
    await d.approve(h);
    const s = await d.waitFor(h, (x) => x.letter?.delivery !== undefined, 'the opinion letter mailed');
    expect(s.letter!.delivery).toMatchObject({ status: 'delivered', accepted: [RIGHT] });
    expect(sink.messages.some((m) => m.rcptTo.includes(RIGHT))).toBe(true);
    expect(s.countyEmails).toEqual([RIGHT]);
    expect(s.audit.find((a) => a.action === 'correctCountyEmails')?.detail).toContain(`${WRONG} → ${RIGHT}`);

    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    const history = await h.fetchHistory();
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [
      { workflowId: h.workflowId, history },
    ]))
      expect(result.error).toBeUndefined();
  });
});
