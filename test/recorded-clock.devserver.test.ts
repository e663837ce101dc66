/**
 * The visit's recorded clock (patch `recorded-clock`) on the CLI dev server with a compressed clock
 * (2 s a simulated day), where a task's start and the time read inside it really differ:
 * - after an outage, a moment that passed unseen is not acted on: a county overdue gets the rung
 *   due, not the "7 days left" reminder planned before (before the patch it got the reminder);
 * - a letter the ladder sends because the reading says it is due is dated and counted by that
 *   reading: with the reading ahead of the task's start (as under load, when a task starts late in
 *   a simulated day and reads after midnight), the first rung's 督促函 counted 0 days overdue from
 *   the task's start, its template refused it and the case stood in an incident (seen in bench:scale).
 * On the dev server, not the time-skipping one: that server keeps a stopped worker's sticky queue for
 * good, a real one hands its tasks on after the sticky timeout.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayNumber } from '../workflows/shared/clock';
import type { Plan } from '../workflows/shared/plan';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { VisitDriver } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from './helpers/worker';

const MS_PER_DAY = 2000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/**
 * A worker on `queue`; workers of one test share an archive and outbox, as a bureau's share their
 * storage. `aheadMs` moves the clock readings later than the service's clock.
 */
async function running(queue: string, dirs: TestDirs, aheadMs = 0): Promise<{ worker: Worker; run: Promise<void> }> {
  const deps = testActivityDeps(env, queue, dirs);
  const worker = await createTestWorker(env, queue, { ...deps, clock: { now: () => Date.now() + aheadMs } });
  return { worker, run: worker.run() };
}

/** A visit on 22 March of the plan's year, the notice at once, its clock starting that day now. */
async function startVisit(queue: string, edit: (raw: Record<string, any>) => void) {
  const plan: Plan = examplePlan((raw) => {
    raw.bureau.code = `o${Math.random().toString(36).slice(2, 8)}`;
    raw.visit.noticeWorkingDays = 0;
    edit(raw);
  });
  const date = `${plan.year}-03-22`;
  const epochMs = Date.now();
  const d = new VisitDriver(env, queue);
  const h = await d.start(plan, 0, date, {
    timeScale: { msPerDay: MS_PER_DAY, startDate: date },
    timeScaleEpochMs: epochMs,
  });
  await d.waitForStage(h, 'onsite');
  await d.fillAndSubmit(h);
  await d.approve(h);
  const s = await d.waitForStage(h, 'rectification');
  return { plan, h, d, s, date, epochMs };
}

describe("a visit's recorded clock (dev server, compressed clock)", () => {
  it('after an outage sends the rung that is due, not the reminder whose moment passed while no worker ran', async () => {
    const queue = uniqueQueue('outage');
    const dirs = testDirs();
    const first = await running(queue, dirs);
    let second: Awaited<ReturnType<typeof running>> | undefined;
    try {
      const { plan, h, d, s, date, epochMs } = await startVisit(queue, (raw) => {
        raw.rectification.periodDays = 14;
      });
      expect(plan.rectification.reminderDaysBefore).toContain(7);
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

  it('dates and counts a rung by the reading that made it due, when the reading runs ahead of the task', async () => {
    const queue = uniqueQueue('ahead');
    // Readings 0.9 of a day ahead: the rung falls due at 09:00 of due + 1 by the reading, when the
    // task's clock still reads the middle of the due date (a second from midnight at 2 s a day).
    const w = await running(queue, testDirs(), 0.9 * MS_PER_DAY);
    try {
      const { h, d, s } = await startVisit(queue, (raw) => {
        raw.rectification.periodDays = 2;
      });
      const due = s.rectification!.dueDate;
      const after = await d.waitFor(
        h,
        (x) => x.rectification!.escalations.length > 0 || x.incidents.length > 0,
        'the first rung, or an incident',
      );
      expect(after.incidents).toEqual([]);
      const urge = after.rectification!.escalations[0]!;
      expect(urge.rung).toBe('urge');
      expect(urge.daysOverdue).toBeGreaterThanOrEqual(1);
      expect(urge.date > due).toBe(true);
    } finally {
      w.worker.shutdown();
      await w.run;
    }
  }, 180_000);
});
