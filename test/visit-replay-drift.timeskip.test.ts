/**
 * Visits replay under a drifted clock (patch `recorded-clock`). The cluster proof caught it: worker
 * A died holding a visit's task just as its reminder timer fired; the other worker, which had
 * replayed the visit for a query, ran the wake-up at the previous task's time ("before the due
 * date"); the recorded task started forty simulated days later, and a replay read "overdue" and
 * upserted where the history scheduled an activity (TMPRL1100; docs/architecture.md, "Replay after
 * a worker dies"). Since the patch a visit decides what is due from a time it recorded (the local
 * activity `readClock`, a marker in the history), so its history must replay however much later,
 * or earlier, each workflow task's start is read (earlier is the proof's case: the task ran on a
 * stale clock). Here one visit, late through every rung of the ladder with its reminders and a
 * receipt reminder, then reported, accepted and closed, is recorded on the time-skipping server and
 * replayed under fast-check's drifts; the same drift breaks a visit recorded before the patch.
 */
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../workflows/shared/clock';
import { reviewReportUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { drifted } from './helpers/drift';
import { readHistories, workflowTypeOf } from './helpers/histories';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, workflowBundle } from './helpers/worker';

type History = temporal.api.history.v1.History;

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let bundle: WorkflowBundleWithSourceMap;
let recorded: History;

async function replayError(history: History, id: string): Promise<string | undefined> {
  try {
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, id);
    return undefined;
  } catch (err) {
    return String(err);
  }
}

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink();
  const queue = uniqueQueue('drift');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
  running = worker.run();
  bundle = await workflowBundle();
  const d = new VisitDriver(env, queue);
  const { year, date } = await d.visitDate(1);
  const plan = d.planFor(year);
  const { h, s } = await d.toRectification(plan, 0, date);
  const due = s.rectification!.dueDate;
  // Late through the whole ladder (reminders before the due date, every rung after it), the
  // letter's receipt never signed (its reminder), then reported, accepted, closed and archived.
  const last = plan.rectification.escalation.at(-1)!.daysAfterDue;
  await d.skipTo(addDays(due, last + 1));
  await d.waitFor(h, (x) => x.rectification!.rungIndex === plan.rectification.escalation.length - 1, 'the last rung');
  const county = plan.counties[0]!.code;
  const now = await d.state(h);
  await h.executeUpdate(submitReportUpdate, {
    args: [
      {
        actor: { id: `${county}-user`, role: 'county', county },
        files: [{ sha256: 'a'.repeat(64), size: 10, mediaType: 'application/pdf', filename: '整改报告.pdf' }],
        items: now.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
      },
    ],
  });
  await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
  await d.waitForStage(h, 'closed');
  recorded = temporal.api.history.v1.History.create(await h.fetchHistory());
}, 300_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

/** Whether a history was recorded with patch `recorded-clock` (its marker). */
const withPatch = (history: History): boolean =>
  Buffer.from(temporal.api.history.v1.History.encode(history).finish()).includes('recorded-clock');

describe('visit histories replay under a drifted clock', () => {
  it("a visit recorded since patch recorded-clock replays, each task read later (up to the next task's start) or earlier (back to the previous one's) (fast-check)", async () => {
    expect(withPatch(recorded)).toBe(true);
    const types = new Set(recorded.events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name));
    expect(types.has('archiveCase')).toBe(true);
    expect(await replayError(recorded, 'drift-visit')).toBeUndefined();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('later' as const, 'earlier' as const),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 40 }),
        async (direction, fractions) => {
          expect(await replayError(drifted(recorded, fractions, direction), 'drift-visit')).toBeUndefined();
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);

  it('every visit of the replay corpus recorded since the patch replays under the same drifts (fast-check)', async () => {
    const since = readHistories().filter(
      (h) => workflowTypeOf(h.history) === 'countyVisitWorkflow' && withPatch(h.history),
    );
    expect(since.length).toBeGreaterThanOrEqual(7);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...since),
        fc.constantFrom('later' as const, 'earlier' as const),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 40 }),
        async (h, direction, fractions) => {
          expect(await replayError(drifted(h.history, fractions, direction), h.workflowId)).toBeUndefined();
        },
      ),
      { numRuns: 20 },
    );
  }, 300_000);

  it('the same drift breaks a visit recorded before the patch (it decided by the clock)', async () => {
    const legacy = readHistories().filter(
      (h) =>
        workflowTypeOf(h.history) === 'countyVisitWorkflow' &&
        !withPatch(h.history) &&
        h.history.events.some((e) => e.timerFiredEventAttributes),
    );
    const broken: string[] = [];
    for (const h of legacy) {
      if (await replayError(drifted(h.history, [0.99], 'earlier'), h.workflowId)) broken.push(h.file);
    }
    expect(broken.length).toBeGreaterThan(0);
  }, 300_000);
});
