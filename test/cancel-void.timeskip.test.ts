/**
 * A number is voided on cancel only if its letter was never sent (issue 21, point 8), on the
 * time-skipping server with a loopback SMTP server. The acceptance letter (整改验收意见) is recorded
 * on the case only once its mail is done; a visit cancelled while that mail is still retrying for
 * one county mailbox, after the other mailbox accepted it, keeps the number (the letter is out).
 * When no mailbox ever accepted it, the number is voided (作废) as before.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArchivedCase } from '../activities/archive';
import { numberRegister } from '../client/numbers';
import { reviewReportUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, workflowBundle } from './helpers/worker';

const FIRST = 'yjj@xiangshan.example.cn';
const SECOND = 'bgs@xiangshan.example.cn';

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let d: VisitDriver;
let dirs: ReturnType<typeof testDirs>;
/** Mailboxes the SMTP server answers 451 (try again later) for. */
let refused = new Set<string>();

const until = async (ok: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 400; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
};

describe('cancel voids a number only if its letter was never sent (time-skipping, loopback SMTP)', () => {
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
    refused = new Set();
    sink = await startSmtpSink({ rcptReply: (a) => (refused.has(a) ? 451 : undefined) });
    const queue = uniqueQueue('cancel-void');
    dirs = testDirs();
    worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs, sink.port));
    running = worker.run();
    d = new VisitDriver(env, queue);
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    await sink?.close();
    await env?.teardown();
  });

  /** A case in rectification with two county mailboxes, its report accepted while `down` refuse mail; cancelled mid-retry. */
  async function cancelDuringAcceptanceMail(down: string[]) {
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year, (raw) => {
      raw.counties[0].emails = [FIRST, SECOND];
    });
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
    for (const a of down) refused.add(a);
    const tried = (a: string) => sink.rcptAttempts.filter((x) => x === a).length;
    const before = new Map(down.map((a) => [a, tried(a)]));
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    // Every refused mailbox has been tried (and refused) at least twice: the mail is retrying.
    await until(() => down.every((a) => tried(a) >= before.get(a)! + 2), 'the acceptance mail retrying');
    const up = [FIRST, SECOND].filter((a) => !down.includes(a));
    const accepted = async (a: string) => {
      for (const m of sink.messages.filter((x) => x.rcptTo.includes(a)))
        if ((await simpleParser(m.raw)).subject?.includes('验收通过')) return true;
      return false;
    };
    for (const a of up) await until(() => accepted(a), `the acceptance letter accepted for ${a}`);
    const during = await d.state(h);
    expect(during.rectification!.reports[0]!.review!.letter).toBeUndefined(); // still mailing
    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    const row = (await numberRegister(env.client, year, plan.bureau.code)).find(
      (r) => r.requestId === `${h.workflowId}:acceptance:1`,
    );
    const archived = await readArchivedCase(dirs.archiveDir, h.workflowId);
    // The cancelled history (sent-log asked, or not) replays with today's code.
    const history = await h.fetchHistory();
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [
      { workflowId: h.workflowId, history },
    ]))
      expect(result.error).toBeUndefined();
    return { row, archived: archived!.case };
  }

  it('the letter reached one mailbox before the cancel: its number is not voided, and the case says why', async () => {
    const { row, archived } = await cancelDuringAcceptanceMail([SECOND]);
    expect(row).toMatchObject({ series: 'opinion', status: 'issued' });
    expect(archived.stage).toBe('cancelled');
    const kept = archived.audit.find((a) => a.action === 'keepNumber');
    expect(kept?.detail).toMatch(/不作废：其文书已发出/);
    expect(kept?.detail).toContain(`${FIRST}：邮件服务器已接收`);
    expect(archived.audit.some((a) => a.action === 'voidNumber')).toBe(false);
  });

  it('no mailbox ever accepted the letter: its number is voided, as before', async () => {
    const { row, archived } = await cancelDuringAcceptanceMail([FIRST, SECOND]);
    expect(row).toMatchObject({ series: 'opinion', status: 'void', reason: '执法指导已取消，文号未使用' });
    expect(archived.audit.some((a) => a.action === 'voidNumber')).toBe(true);
    expect(archived.audit.some((a) => a.action === 'keepNumber')).toBe(false);
  });
});
