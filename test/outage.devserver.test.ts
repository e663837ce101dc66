/**
 * No stale reminder after an outage (patch `recorded-clock`), on the CLI dev server with a
 * compressed clock (2 s a simulated day). A visit asleep towards its first reminder (7 days before
 * the due date) loses its worker; the clock runs on past the due date; a new worker takes over. The
 * reminder's moment has passed and the county is overdue, so it gets the first rung (督促), not a
 * "7 days left" reminder. Before the patch the wake-up sent the reminder it had planned before the
 * outage (seen failing so). On the dev server, not the time-skipping one: that server keeps a
 * stopped worker's sticky queue for good, a real one hands its tasks on after the sticky timeout.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayNumber } from '../workflows/shared/clock';
import { visitWorkflowId, type TimeScale } from '../workflows/contracts/common';
import type { VisitInput } from '../workflows/contracts/visit';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from './helpers/worker';

const MS_PER_DAY = 2000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A worker on `queue`; both share one archive and outbox, as a bureau's workers share their storage. */
async function running(queue: string, dirs: TestDirs): Promise<{ worker: Worker; run: Promise<void> }> {
  const worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  return { worker, run: worker.run() };
}

describe('a visit after an outage (dev server, compressed clock)', () => {
  it('sends the rung that is due, not the reminder whose moment passed while no worker ran', async () => {
    const queue = uniqueQueue('outage');
    const plan = examplePlan((raw) => {
      raw.bureau.code = `o${Math.random().toString(36).slice(2, 8)}`;
      raw.visit.noticeWorkingDays = 0;
      raw.rectification.periodDays = 14;
    });
    expect(plan.rectification.reminderDaysBefore).toContain(7);
    const county = plan.counties[0]!;
    const date = `${plan.year}-03-22`;
    const timeScale: TimeScale = { msPerDay: MS_PER_DAY, startDate: date };
    const epochMs = Date.now();
    const input: VisitInput = {
      programmeWorkflowId: 'test',
      plan: { ...plan, counties: [county] },
      county,
      date,
      mailRetry: FAST_MAIL,
      timeScale,
      timeScaleEpochMs: epochMs,
    };
    const dirs = testDirs();
    const first = await running(queue, dirs);
    let second: Awaited<ReturnType<typeof running>> | undefined;
    try {
      const h = await env.client.workflow.start('countyVisitWorkflow', {
        workflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code),
        taskQueue: queue,
        args: [input],
      });
      const d = new VisitDriver(env, queue);
      await d.waitForStage(h, 'onsite');
      await d.fillAndSubmit(h);
      await d.approve(h);
      const s = await d.waitForStage(h, 'rectification');
      const due = s.rectification!.dueDate;
      expect(s.rectification!.reminders).toEqual([]);

      first.worker.shutdown();
      await first.run;
      // Down until three days past the due date, by the case's clock: both reminders' moments pass
      // unseen, the first rung (due + 1) falls due.
      const back = epochMs + (dayNumber(addDays(due, 3)) - dayNumber(date)) * MS_PER_DAY;
      expect(Date.now()).toBeLessThan(back - 10 * MS_PER_DAY); // down before the 7-day reminder (due - 7)
      await new Promise((r) => setTimeout(r, back - Date.now()));

      second = await running(queue, dirs);
      const after = await d.waitFor(h, (x) => x.rectification!.escalations.length > 0, 'the first rung');
      const r = after.rectification!;
      expect(r.escalations[0]!.rung).toBe('urge');
      expect(r.reminders).toEqual([]);
      expect(r.overdue).toBe(true);
      expect(after.audit.filter((a) => a.action === 'reminder')).toEqual([]);
    } finally {
      if (first.worker.getState() === 'RUNNING') first.worker.shutdown();
      await first.run;
      second?.worker.shutdown();
      await second?.run;
    }
  }, 180_000);
});
