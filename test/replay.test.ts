/**
 * Determinism guard: histories of finished visits, recorded from earlier test runs and kept in the
 * repository, are replayed with today's workflow code. A change that would break workflows already
 * running in production (a reordered activity call, a new timer) fails here.
 * Re-record after an intended, versioned change: RECORD_HISTORIES=1 npx vitest run test/visit.timeskip.test.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from './helpers/worker';

const DIR = path.resolve(__dirname, 'histories');

describe('recorded histories replay', () => {
  it('replays every recorded visit history without a non-determinism error', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.history.bin'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    // Binary protobuf, exactly as the server returned it.
    const histories = files.map((f) => ({ workflowId: f.replace(/\.history\.bin$/, ''), history: temporal.api.history.v1.History.decode(readFileSync(path.join(DIR, f))) }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      expect(result.error, result.workflowId).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(files.length);
  });
});
