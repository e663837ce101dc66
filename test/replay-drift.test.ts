/**
 * Replay under a drifted clock. A worker can run a workflow task with a stale clock that a later
 * replay reads fresh: seen in the continue-as-new fault test, where a worker died with a task on its
 * sticky queue and the programme's next run decided "not yet the month's end" live but "past it" on
 * replay (TMPRL1100, the programme stuck). Since patch `decide-by-events` the programme decides what
 * comes next by dates and fired timers only; the clock sets how long a timer lasts. So its recorded
 * histories must replay however much later each workflow task's start is read (fast-check moves
 * each task's start forward by a random part of the gap to the next one); a history recorded before
 * the patch shows the drift is strong enough to break a programme that read the clock.
 */
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { drifted } from './helpers/drift';
import { readHistories, workflowTypeOf, type RecordedHistory } from './helpers/histories';
import { workflowBundle } from './helpers/worker';

type History = temporal.api.history.v1.History;

async function replayError(
  bundle: WorkflowBundleWithSourceMap,
  h: RecordedHistory,
  history: History,
): Promise<string | undefined> {
  try {
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, h.workflowId);
    return undefined;
  } catch (err) {
    return String(err);
  }
}

const programmes = readHistories().filter((h) => workflowTypeOf(h.history) === 'programmeWorkflow');
const byEvents = programmes.filter((h) =>
  Buffer.from(temporal.api.history.v1.History.encode(h.history).finish()).includes('decide-by-events'),
);
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await workflowBundle();
});

describe('programme histories replay under a drifted clock', () => {
  it("every programme run recorded since patch decide-by-events replays, each task read up to its next task's time (fast-check)", async () => {
    expect(byEvents.length).toBeGreaterThanOrEqual(5);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...byEvents),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 40 }),
        async (h, fractions) => {
          expect(await replayError(bundle, h, drifted(h.history, fractions)), h.file).toBeUndefined();
        },
      ),
      { numRuns: 40 },
    );
  }, 300_000);

  it('the same drift breaks a programme run recorded before the patch (it decided by the clock)', async () => {
    const legacy = programmes.find((h) => h.file === 'v3-devyear-programme-run02.history.bin')!;
    expect(await replayError(bundle, legacy, legacy.history)).toBeUndefined();
    expect(await replayError(bundle, legacy, drifted(legacy.history, [0.99]))).toMatch(/TMPRL1100|[Nn]ondeterminism/);
  }, 120_000);
});
