/**
 * Code can change while a year runs (docs/architecture.md, "Changing workflow code"), on the
 * time-skipping server: version 1 (today's bundle) runs a visit into rectification and is shut
 * down; version 2 (test/fixtures/visit-v2: a heads-up mail at the start of every visit, guarded by
 * `patched`) takes over the same task queue. The in-flight visit replays, goes on to its report,
 * review and close without the new step, while a visit opened on version 2 takes it. The same
 * change without the guard (test/fixtures/visit-v2-unguarded) cannot replay the in-flight visit.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type ActivityDeps } from '../activities';
import { type VisitCase } from '../workflows/contracts/visit';
import { reviewReportUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { HEADS_UP_STEP } from './fixtures/visit-v2/heads-up';
import { HEADS_UP_PATCH } from './fixtures/visit-v2/workflows';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, supervisor } from './helpers/visit-driver';
import { testActivityDeps, testDirs, uniqueQueue, workflowBundle, type TestDirs } from './helpers/worker';

type History = temporal.api.history.v1.IHistory;

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** The workflow bundle of a fixture module (test/fixtures/<name>/workflows.ts), built once. */
function fixtureBundle(name: string): Promise<WorkflowBundleWithSourceMap> {
  if (!bundles.has(name))
    bundles.set(
      name,
      bundleWorkflowCode({
        workflowsPath: path.resolve(__dirname, 'fixtures', name, 'workflows.ts'),
        logger: {
          log: () => {},
          trace: () => {},
          debug: () => {},
          info: () => {},
          warn: () => {},
          error: console.error,
        } as never,
      }),
    );
  return bundles.get(name)!;
}

/** Patch ids recorded in the history's markers. */
function patchMarkers(history: History): string[] {
  return (history.events ?? [])
    .flatMap((e) => {
      const m = e.markerRecordedEventAttributes;
      if (!m) return [];
      return Object.values(m.details ?? {}).flatMap((p) =>
        (p.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString('utf8')),
      );
    })
    .filter((s) => s.includes(HEADS_UP_PATCH));
}

/** The activity types the history scheduled, in order, with the mail step where there is one. */
function scheduled(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (!a) return [];
    const input = Buffer.from(a.input?.payloads?.[0]?.data ?? []).toString('utf8');
    const step = a.activityType?.name === 'sendLetter' ? (JSON.parse(input) as { step?: string }).step : undefined;
    return [step ? `sendLetter:${step}` : a.activityType!.name!];
  });
}

let env: TestWorkflowEnvironment;
let queue: string;
let dirs: TestDirs;
let deps: ActivityDeps;
let d: VisitDriver;
/** Filled by the first test: the visit version 1 left in rectification, and its history then. */
let inFlight: { h: WorkflowHandle; s: VisitCase; history: History } | undefined;

/**
 * A worker of one version on the shared task queue. Version 1 keeps no workflow cache: a cached
 * run is tied to its worker's sticky queue, and once that worker was gone the time-skipping server
 * did not hand its next task to the normal queue within the test's two minutes (a real server
 * does after the sticky timeout, a few seconds).
 */
function worker(bundle: WorkflowBundleWithSourceMap, opts: { sticky: boolean }): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: queue,
    workflowBundle: bundle,
    activities: createActivities(deps),
    ...(opts.sticky ? {} : { maxCachedWorkflows: 0 }),
  });
}

const headsUpMails = (workflowId: string) =>
  readdirSync(dirs.outboxDir).filter((f) => f.startsWith(`${workflowId}--${HEADS_UP_STEP}--`));

async function reportAndAccept(h: WorkflowHandle, s: VisitCase): Promise<VisitCase> {
  await h.executeUpdate(submitReportUpdate, {
    args: [
      {
        actor: { id: 'county', role: 'county', county: s.county },
        files: [{ sha256: 'd'.repeat(64), size: 10, mediaType: 'application/pdf', filename: '整改报告.pdf' }],
        items: s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
      },
    ],
  });
  await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
  return d.waitForStage(h, 'closed');
}

describe('a patched change deployed while a visit runs (time-skipping)', () => {
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    queue = uniqueQueue('versioning');
    dirs = testDirs();
    deps = testActivityDeps(env, queue, dirs);
    d = new VisitDriver(env, queue);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('version 1 runs a visit into rectification, then is shut down', async () => {
    const v1 = await worker(await workflowBundle(), { sticky: false });
    const running = v1.run();
    try {
      const { year, date } = await d.visitDate();
      const { h, s } = await d.toRectification(d.planFor(year), 0, date);
      expect(s.stage).toBe('rectification');
      inFlight = { h, s, history: await h.fetchHistory() };
    } finally {
      v1.shutdown();
      await running;
    }
    expect(headsUpMails(inFlight.h.workflowId)).toEqual([]);
  });

  it('without the guard, version 2 cannot replay the in-flight visit', async () => {
    const unguarded = await fixtureBundle('visit-v2-unguarded');
    await expect(
      Worker.runReplayHistory({ workflowBundle: unguarded }, inFlight!.history, inFlight!.h.workflowId),
    ).rejects.toThrow(DeterminismViolationError);
    // With it, the same history replays.
    await Worker.runReplayHistory(
      { workflowBundle: await fixtureBundle('visit-v2') },
      inFlight!.history,
      inFlight!.h.workflowId,
    );
  });

  it('version 2 takes over: the in-flight visit finishes without the new step, a visit opened on version 2 takes it', async () => {
    const v2 = await worker(await fixtureBundle('visit-v2'), { sticky: true });
    const running = v2.run();
    try {
      // The in-flight visit: report, review, closed, on version 2's worker.
      const { h, s } = inFlight!;
      const closed = await reportAndAccept(h, s);
      expect(closed.rectification!.archive).toBeDefined();
      expect(closed.incidents).toEqual([]);
      await h.result();
      const old = await h.fetchHistory();
      expect(old.events!.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
      expect(patchMarkers(old)).toEqual([]);
      expect(scheduled(old)).not.toContain(`sendLetter:${HEADS_UP_STEP}`);
      expect(headsUpMails(h.workflowId)).toEqual([]);
      // Its whole history, finished by version 2, would still replay on version 1.
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, old, h.workflowId);

      // A visit opened on version 2: the heads-up mail first, the patch recorded, then the year as before.
      const { year, date } = await d.visitDate();
      const plan = d.planFor(year);
      const fresh = await d.toRectification(plan, 1, date);
      const done = await reportAndAccept(fresh.h, fresh.s);
      expect(done.stage).toBe('closed');
      const history = await fresh.h.fetchHistory();
      expect(patchMarkers(history)).toHaveLength(1);
      expect(scheduled(history)[0]).toBe(`sendLetter:${HEADS_UP_STEP}`);
      expect(headsUpMails(fresh.h.workflowId)).toHaveLength(plan.counties[1]!.emails.length);
      // Which is why a version 2 run cannot go back to version 1 (a roll-back needs the same care).
      await expect(
        Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, fresh.h.workflowId),
      ).rejects.toThrow(DeterminismViolationError);
    } finally {
      v2.shutdown();
      await running;
    }
  });
});
