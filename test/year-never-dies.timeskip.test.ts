/**
 * The year never dies (issue 21, points 1, 2 and 5), on the time-skipping server: a plan that cannot
 * be placed is refused before it starts, and one that reaches the workflow anyway is an incident an
 * administrator clears by amending the date; a failed or terminated year can be started again; a
 * cancellation that meets a visit already ended is recorded, not thrown; the programme continues as
 * new at each month's end carrying its record, so each run's history stays short.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError, startProgramme } from '../client/programme';
import { scheduleProblems } from '../client/plan-check';
import { readArchivedProgramme } from '../activities/archive-programme';
import { createActivities } from '../activities';
import {
  cancelVisitUpdate,
  rescheduleUpdate,
  scheduleQuery,
  visitProgressSignal,
  type ProgrammeState,
} from '../workflows/contracts/programme';
import { programmeWorkflowId } from '../workflows/contracts/common';
import { retryUpdate } from '../workflows/contracts/incidents';
import type { Plan } from '../workflows/shared/plan';
import { createTimeSkippingEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver, firstMonday, refusal, supervisor } from './helpers/visit-driver';
import {
  createTestWorker,
  testActivityDeps,
  testDirs,
  uniqueQueue,
  workflowBundle,
  type TestDirs,
} from './helpers/worker';

const admin = { id: 'admin', role: 'admin' as const };
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;
let d: VisitDriver;
let dirs: TestDirs;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  queue = uniqueQueue('year-never-dies');
  dirs = testDirs();
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** The first Saturday of `month` in `year`. */
function saturday(year: number, month: number): string {
  const x = new Date(Date.UTC(year, month - 1, 1));
  while (x.getUTCDay() !== 6) x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}

async function until(
  h: { query: (q: typeof scheduleQuery) => Promise<ProgrammeState> },
  ok: (s: ProgrammeState) => boolean,
  what: string,
): Promise<ProgrammeState> {
  for (let i = 0; i < 200; i++) {
    const s = await h.query(scheduleQuery);
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`programme never reached: ${what}`);
}

/** Starts the programme as an older client would: no schedule check before the start. */
function startUnchecked(plan: Plan) {
  return env.client.workflow.start('programmeWorkflow', {
    workflowId: programmeWorkflowId(plan.year, plan.bureau.code),
    taskQueue: queue,
    args: [{ plan, visibility: false, mailRetry: FAST_MAIL }],
  });
}

describe('the year never dies (time-skipping)', () => {
  it('a county date on a Saturday: refused by plan check and start; reached anyway, an incident cleared by reschedule + retry', async () => {
    const year = await d.nextYear();
    const plan = d.planFor(year, (raw) => {
      raw.counties = raw.counties.slice(0, 3);
      raw.counties[1].date = saturday(year, 5);
    });
    expect(scheduleProblems(plan, `${year - 1}-12-01`)).toEqual([
      `counties[1].date: ${plan.counties[1]!.name}的指导日期 ${saturday(year, 5)} 是休息日或法定节假日，请改为工作日`,
    ]);
    const refused = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(
      /^计划无法排期，未启动：\ncounties\[1\]\.date: .*休息日或法定节假日/,
    );
    await expect(
      env.client.workflow.getHandle(programmeWorkflowId(plan.year, plan.bureau.code)).describe(),
    ).rejects.toThrow();

    // Reached anyway (an older client, or a calendar that changed): an incident, the year RUNNING.
    const h = await startUnchecked(plan);
    const s1 = await until(h, (s) => s.incidents.length > 0, 'schedule incident');
    expect(s1.incidents[0]).toMatchObject({ step: 'schedule', error: { type: 'InvalidInput' } });
    expect(s1.incidents[0]!.error.message).toMatch(/休息日或法定节假日.*请用“改期”修正/);
    expect(s1.entries).toEqual([]);
    expect((await h.describe()).status.name).toBe('RUNNING');

    // The administrator amends the county's date (the validator still checks it), then retries.
    expect(
      (
        await refusal(
          h.executeUpdate(rescheduleUpdate, {
            args: [{ actor: admin, county: plan.counties[1]!.code, date: saturday(year, 6), reason: '改为工作日' }],
          }),
        )
      ).message,
    ).toMatch(/休息日/);
    await h.executeUpdate(rescheduleUpdate, {
      args: [{ actor: admin, county: plan.counties[1]!.code, date: firstMonday(year, 6), reason: '改为工作日' }],
    });
    await h.executeUpdate(retryUpdate, { args: [{ actor: admin }] });
    const s2 = await until(h, (s) => s.entries.length === 3, 'placed');
    expect(s2.entries.find((e) => e.county === plan.counties[1]!.code)?.date).toBe(firstMonday(year, 6));
    expect(s2.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['incident', 'reschedule', 'retry', 'schedule']),
    );
    await h.terminate('test over');
  });

  it('cancelling a visit that ended meanwhile is recorded, and the programme goes on', async () => {
    const year = await d.nextYear();
    const plan = d.planFor(year, (raw) => {
      raw.counties = raw.counties.slice(0, 2);
      raw.counties[0].date = firstMonday(year, 2);
      raw.counties[1].date = firstMonday(year, 4);
    });
    const h = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false, mailRetry: FAST_MAIL });
    await d.skipTo(plan.counties[0]!.date!);
    const s = await until(h, (x) => x.entries[0]?.status === 'started', 'first visit started');
    // The visit ends by a person's hand elsewhere; the programme has not seen it yet when the
    // cancellation is accepted (Updates are taken before the child's end in the same task).
    const visit = env.client.workflow.getHandle(s.entries[0]!.visitWorkflowId);
    await visit.terminate('ended elsewhere');
    await h
      .executeUpdate(cancelVisitUpdate, {
        args: [{ actor: supervisor, county: plan.counties[0]!.code, reason: '测试取消' }],
      })
      .catch(() => undefined);
    await d.skipTo(`${year}-03-10`);
    const after = await h.query(scheduleQuery);
    expect((await h.describe()).status.name).toBe('RUNNING');
    expect(['cancelled', 'failed']).toContain(after.entries[0]!.status);
    expect(after.entries[1]!.status).toBe('scheduled');
    await h.terminate('test over');
  });

  it('continues as new at each month end, carrying the record; each run stays short', async () => {
    const year = await d.nextYear();
    const plan = d.planFor(year, (raw) => {
      raw.counties = raw.counties.slice(0, 3);
      raw.counties[0].date = firstMonday(year, 2);
      raw.counties[1].date = firstMonday(year, 5);
      raw.counties[2].date = firstMonday(year, 9);
    });
    const h = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false, mailRetry: FAST_MAIL });
    const runs = new Set<string>();
    for (const month of [2, 4, 6, 8, 10]) {
      await d.skipTo(`${year}-${String(month).padStart(2, '0')}-20`);
      const desc = await h.describe();
      expect(desc.status.name).toBe('RUNNING');
      runs.add(desc.runId);
      expect(desc.historyLength).toBeLessThan(200);
      // Each month end archived the record so far before the next run began.
      const archived = JSON.parse(
        readFileSync(path.join(dirs.archiveDir, h.workflowId, 'programme.json'), 'utf8'),
      ) as ProgrammeState;
      expect(archived.entries).toHaveLength(3);
      expect(archived.bulletins.length).toBeGreaterThanOrEqual(month - 3);
    }
    // A new run each month, the whole record carried across.
    expect(runs.size).toBe(5);
    const s = await h.query(scheduleQuery);
    expect(s.entries.map((e) => e.status)).toEqual(['started', 'started', 'started']);
    expect(s.audit.filter((a) => a.action === 'startVisit')).toHaveLength(3);
    expect(s.bulletins.map((b) => b.month)).toEqual([
      `${year}-03`,
      `${year}-04`,
      `${year}-05`,
      `${year}-06`,
      `${year}-07`,
      `${year}-08`,
      `${year}-09`,
      `${year}-10`,
    ]);
    // Cancelling the visits ends the year, in whichever run it is.
    for (const e of s.entries)
      await h.executeUpdate(cancelVisitUpdate, { args: [{ actor: supervisor, county: e.county, reason: '测试结束' }] });
    const result = (await env.client.workflow.getHandle(h.workflowId).result()) as ProgrammeState;
    expect(result.finished).toBe(true);
    expect(result.entries.every((e) => e.status === 'cancelled')).toBe(true);
    const final = JSON.parse(
      readFileSync(path.join(dirs.archiveDir, h.workflowId, 'programme.json'), 'utf8'),
    ) as ProgrammeState;
    expect(final.finished).toBe(true);
    expect(final.audit.map((a) => a.action)).toContain('finish');
  });
  it("the final archive holds the state the programme returns, even when a visit's last note arrives while it is written", async () => {
    const year = await d.nextYear();
    const plan = d.planFor(year, (raw) => (raw.counties = raw.counties.slice(0, 1)));
    const county = plan.counties[0]!.code;
    const workflowId = programmeWorkflowId(plan.year, plan.bureau.code);
    // The archive activity of a worker of its own: after the final archive has read the state, the
    // visit's last progress note reaches the programme before the activity completes.
    const raceQueue = uniqueQueue('final-archive');
    const raceDirs = testDirs();
    const activities = createActivities(testActivityDeps(env, raceQueue, raceDirs));
    let raced = false;
    const archiveProgramme: typeof activities.archiveProgramme = async (input) => {
      const h = env.client.workflow.getHandle(workflowId);
      const final = !raced && (await h.query(scheduleQuery)).finished;
      // Simulated days pass before the final archive reads the state: it still records the day the year finished.
      if (final) await env.sleep('60 seconds');
      const written = await activities.archiveProgramme(input);
      if (final) {
        raced = true;
        await h.signal(visitProgressSignal, { county, stage: 'cancelled', seq: 9, run: 'late-note' });
        await until(h, (s) => s.progress[county]?.run === 'late-note', 'the late note');
      }
      return written;
    };
    const raceWorker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: raceQueue,
      workflowBundle: await workflowBundle(),
      activities: { ...activities, archiveProgramme },
    });
    await raceWorker.runUntil(async () => {
      // A compressed clock (10 s a day), so the minute the archive waits is six days.
      const h = await startProgramme(env.client, plan, {
        taskQueue: raceQueue,
        visibility: false,
        timeScale: { msPerDay: 10_000, startDate: `${year}-01-04` },
      });
      await until(h, (s) => s.entries.length === 1, 'the schedule');
      await h.executeUpdate(cancelVisitUpdate, {
        args: [{ actor: supervisor, county, reason: '测试：最后一条进度在归档时到达' }],
      });
      const result = (await h.result()) as ProgrammeState;
      expect(raced).toBe(true);
      expect(result.progress[county]).toMatchObject({ stage: 'cancelled', run: 'late-note' });
      const archived = await readArchivedProgramme(raceDirs.archiveDir, workflowId);
      expect(archived?.state).toEqual(result);
    });
  });

  // Last: on the Java test server, a second run under a terminated id leaves time-skipping stuck
  // for the workflows that follow (seen here), so nothing runs after it.
  it('a year ended by a person (terminated) can be started again; a running year cannot', async () => {
    const year = await d.nextYear();
    const plan = d.planFor(year, (raw) => (raw.counties = raw.counties.slice(0, 2)));
    const first = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
    await expect(startProgramme(env.client, plan, { taskQueue: queue, visibility: false })).rejects.toThrow(
      /已经启动过/,
    );
    await first.terminate('started by mistake');
    const second = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
    expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    await second.terminate('test over');
  });
});
