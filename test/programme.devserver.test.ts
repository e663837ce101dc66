/**
 * The programme on the real dev server (the project's own Temporal CLI build): a worker process is
 * killed with SIGKILL mid-programme, a new one takes over, and the programme carries on — the
 * visits that fell due while no worker ran are started late, the rest on time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProgramme } from '../client/programme';
import { cancelVisitUpdate, scheduleQuery, type ProgrammeState } from '../workflows/contracts/programme';
import { dayNumber } from '../workflows/shared/clock';
import { createDevServerEnv } from './helpers/temporal';
import { examplePlan } from './helpers/plans';
import { waitFor } from './helpers/wait';
import { uniqueQueue } from './helpers/worker';

const ROOT = path.resolve(__dirname, '..');
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A real worker process (`worker/index.ts`) pointed at the test's dev server, once it polls. */
async function startWorkerProcess(queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', 'worker/index.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      GUIDANCE_TASK_QUEUE: queue,
      GUIDANCE_OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'outbox-')),
      GUIDANCE_SENT_LOG_DIR: mkdtempSync(path.join(os.tmpdir(), 'sentlog-')),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${seen.slice(-2000)}`)));
    // Always drained, or a chatty worker would block on a full pipe.
    child.stderr?.on('data', (d: Buffer) => {
      if (process.env.DEBUG_WORKER) process.stderr.write(d);
      if (seen.length < 100_000) seen += d.toString();
      if (seen.includes("state: 'RUNNING'")) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('programme on the dev server', () => {
  it('survives kill -9 of its worker: a new worker picks the programme up where it stood', async () => {
    const queue = uniqueQueue('devserver');
    // Compressed time: one simulated day per second, starting on Monday 4 January 2027. The first
    // date leaves a loaded machine (CI runs test files side by side) a few seconds for the worker's
    // first workflow task: a county whose date has passed by then is an incident, not a late start.
    const plan = examplePlan((raw) => {
      raw.bureau.code = `dev${Date.now().toString(36)}`;
      raw.visit.noticeWorkingDays = 0;
      raw.counties = raw.counties.slice(0, 3);
      raw.counties[0].date = '2027-01-11'; // due after ~7 s
      raw.counties[1].date = '2027-01-18'; // due after ~14 s: falls while no worker runs
      raw.counties[2].date = '2027-01-29'; // due after ~25 s: after the new worker is up
    });
    const workers: ChildProcess[] = [];
    try {
      workers.push(await startWorkerProcess(queue));
      const handle = await startProgramme(env.client, plan, {
        taskQueue: queue,
        timeScale: { msPerDay: 1000, startDate: '2027-01-04' },
      });
      const state = () => handle.query(scheduleQuery);
      const statusOf = (s: ProgrammeState, i: number) =>
        s.entries.find((e) => e.county === plan.counties[i]!.code)!.status;

      await waitFor(async () => statusOf(await state(), 0) === 'started', 60_000, 'the first visit to start');
      expect(statusOf(await state(), 1)).toBe('scheduled');

      await killHard(workers[0]!);
      // Stay down past the second county's date, by the programme's own clock (its start time is the epoch).
      const { startTime } = await handle.describe();
      const secondDue = startTime.getTime() + (dayNumber(plan.counties[1]!.date!) - dayNumber('2027-01-04') + 1) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(secondDue - Date.now(), 0)));

      workers.push(await startWorkerProcess(queue));
      await waitFor(
        async () => statusOf(await state(), 1) === 'started',
        60_000,
        'the second visit to start under the new worker',
      );
      await waitFor(
        async () => statusOf(await state(), 2) === 'started',
        60_000,
        'the third visit to start on its date',
      );

      const s = await state();
      // The first visit kept its single start; nothing ran twice.
      expect(s.audit.filter((a) => a.action === 'startVisit')).toHaveLength(3);
      for (const e of s.entries) {
        await handle.executeUpdate(cancelVisitUpdate, {
          args: [{ actor: { id: 'sun-li', role: 'supervisor' }, county: e.county, reason: '测试结束' }],
        });
      }
      const result = await handle.result();
      expect(result.finished).toBe(true);
      expect(result.entries.map((e) => e.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    } finally {
      for (const w of workers) await killHard(w);
    }
    // Three waits of up to a minute, two worker boots and the outage: CI runs files side by side.
  }, 300_000);
});
