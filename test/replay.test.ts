/**
 * Determinism guard: recorded histories, kept in the repository, are replayed with today's workflow
 * code. A change that would break workflows already running in production (a reordered activity
 * call, a new timer) fails here. The corpus (test/histories/README.md): visits from the time-skipping
 * tests (`visit-*`), and a compressed year on the dev server (`devyear-*`: both programmes, every
 * visit, the numbering workflows). Each history is replayed as the workflow type its first event
 * names. Never re-record to make this pass (docs/architecture.md, "Changing workflow code"); after
 * an intended, guarded change, rename the old files and record the new code's histories too:
 *   RECORD_HISTORIES=1 npx vitest run test/visit.timeskip.test.ts
 *   npx tsx scripts/record-histories.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../worker/temporal-tools';
import { corpusUpdates, HISTORIES_DIR, readHistories, REQUIRED_UPDATES, workflowTypeOf } from './helpers/histories';
import { workflowBundle } from './helpers/worker';

const corpus = readHistories();

describe('recorded histories replay', () => {
  it('replays every recorded history (visits, programmes, numbering) without a non-determinism error', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    const replayed: Record<string, number> = {};
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, corpus)) {
      expect(result.error, result.workflowId).toBeUndefined();
      const type = workflowTypeOf(corpus.find((h) => h.workflowId === result.workflowId)!.history);
      replayed[type] = (replayed[type] ?? 0) + 1;
    }
    expect(Object.values(replayed).reduce((a, b) => a + b, 0)).toBe(corpus.length);
    expect(replayed.countyVisitWorkflow).toBeGreaterThanOrEqual(10);
    expect(replayed.programmeWorkflow).toBeGreaterThanOrEqual(1);
    expect(replayed.docNumberWorkflow).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('covers every Update kind, so the corpus cannot silently shrink', () => {
    const accepted = corpusUpdates(corpus.map((h) => h.history));
    expect(REQUIRED_UPDATES.filter((name) => !accepted[name])).toEqual([]);
  });

  it('holds no absolute path of the checkout that recorded it', () => {
    // Raw bytes: a path inside a JSON payload is plain UTF-8 there.
    for (const h of corpus) expect(readFileSync(path.join(HISTORIES_DIR, h.file)).includes(ROOT), h.file).toBe(false);
  });
});
