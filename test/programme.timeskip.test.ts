/**
 * The yearly programme on Temporal's Java time-skipping test server: a whole year of timers in
 * seconds, and every Update's refusals.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProgramme, UserError } from '../client/programme';
import {
  addCountyUpdate,
  cancelVisitUpdate,
  rescheduleUpdate,
  scheduleQuery,
  visitProgressSignal,
  type ProgrammeState,
  type VisitProgress,
} from '../workflows/contracts/programme';
import { type Actor } from '../workflows/contracts/common';
import { Clock } from '../workflows/shared/clock';
import { visitCaseQuery } from '../workflows/contracts/visit';
import { createTimeSkippingEnv } from './helpers/temporal';
import { examplePlan } from './helpers/plans';
import { createTestWorker, uniqueQueue } from './helpers/worker';
import type { Plan } from '../workflows/shared/plan';

const supervisor: Actor = { id: 'sun-li', role: 'supervisor' };
let env: TestWorkflowEnvironment;

// Tests that skip a year of time each get a test server of their own: the server's clock only
// moves forward, and sharing one made later skips wait on earlier tests' leftovers.
async function isolated(fn: () => Promise<void>): Promise<void> {
  const shared = env;
  env = await createTimeSkippingEnv();
  try {
    await fn();
  } finally {
    await env.teardown();
    env = shared;
  }
}

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs `fn` with a worker on a fresh queue, and a plan whose bureau code is unique to the test. */
async function withProgramme(
  edit: (raw: Record<string, any>) => void,
  fn: (ctx: { plan: Plan; worker: Worker; queue: string }) => Promise<void>,
) {
  const queue = uniqueQueue('programme');
  // The test server's clock only moves forward, and a year's programme ends with that year, so
  // each test plans the year after the server's current date.
  const year = new Date(Number(await env.currentTimeMs()) + 8 * 3_600_000).getUTCFullYear() + 1;
  const plan = examplePlan((raw) => {
    raw.year = year;
    raw.bureau.code = `b${Math.random().toString(36).slice(2, 8)}`;
    edit(raw);
  });
  const worker = await createTestWorker(env, queue);
  await worker.runUntil(async () => {
    try {
      await fn({ plan, worker, queue });
    } finally {
      // Visits left waiting for a human would keep the worker's shutdown waiting on the test
      // server; end them so the next test starts clean.
      const h = env.client.workflow.getHandle(`guidance-${plan.year}-${plan.bureau.code}`);
      const state = await h.query(scheduleQuery).catch(() => undefined);
      for (const e of state?.entries ?? []) {
        if (e.status === 'started')
          await env.client.workflow
            .getHandle(e.visitWorkflowId)
            .terminate('test over')
            .catch(() => {});
      }
      await h.terminate('test over').catch(() => {});
    }
  });
}

/** Advances the test server's clock to midnight China time of `date`. */
async function skipTo(date: string): Promise<void> {
  const target = Date.parse(`${date}T00:00:00+08:00`);
  await env.sleep(Math.max(0, target - Number(await env.currentTimeMs())));
}

async function schedule(plan: Plan): Promise<ProgrammeState> {
  const h = env.client.workflow.getHandle(`guidance-${plan.year}-${plan.bureau.code}`);
  // The first workflow task places the counties; wait for it.
  for (let i = 0; i < 100; i++) {
    const s = await h.query(scheduleQuery);
    if (s.entries.length > 0) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('programme never scheduled');
}

/** The first Sunday of June of `year`. */
function sundayIn(year: number): string {
  const d = new Date(Date.UTC(year, 5, 1));
  while (d.getUTCDay() !== 0) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

describe('yearly programme (time-skipping)', () => {
  it("runs a full year: every county's visit starts in its month, the programme ends when all are done", async () => {
    const wall = Date.now();
    await isolated(() =>
      withProgramme(
        () => {},
        async ({ plan, queue }) => {
          const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
          const before = await schedule(plan);
          expect(before.entries).toHaveLength(plan.counties.length);
          expect(before.entries.every((e) => e.status === 'scheduled')).toBe(true);

          // Skip to 1 December of the programme year: eleven months of timers.
          await skipTo(`${plan.year}-12-01`);

          const after = await handle.query(scheduleQuery);
          expect(after.entries.map((e) => e.status)).toEqual(after.entries.map(() => 'started'));
          for (const entry of after.entries) {
            const visit = await env.client.workflow.getHandle(entry.visitWorkflowId).query(visitCaseQuery);
            // The notice went out before the visit; on-site work (the random draw) began on the date.
            const sampled = visit.audit.find((a) => a.action === 'sample')!;
            const sampledDay = Clock.real().today(Date.parse(sampled.at));
            expect(sampledDay, entry.county).toBe(entry.date);
            expect(sampledDay.slice(0, 7)).toBe(entry.date.slice(0, 7));
            const notice = visit.audit.find((a) => a.action === 'notice')!;
            expect(Clock.real().today(Date.parse(notice.at)) < entry.date).toBe(true);
            expect(visit.stage).toBe('onsite');
            expect(entry.date <= `${plan.year}-11-30`).toBe(true);
          }

          // Cancelling every visit ends the programme; its result records the year.
          for (const entry of after.entries) {
            await handle.executeUpdate(cancelVisitUpdate, {
              args: [{ actor: supervisor, county: entry.county, reason: '测试结束' }],
            });
          }
          const result = await handle.result();
          expect(result.finished).toBe(true);
          expect(result.entries.every((e) => e.status === 'cancelled')).toBe(true);
        },
      ),
    );
    // Eleven months of timers in seconds of wall time.
    expect(Date.now() - wall).toBeLessThan(60_000);
  });

  it('refuses a second start of the same year with a clear message', async () => {
    await withProgramme(
      () => {},
      async ({ plan, queue }) => {
        await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
        await expect(startProgramme(env.client, plan, { taskQueue: queue, visibility: false })).rejects.toThrow(
          UserError,
        );
        await expect(startProgramme(env.client, plan, { taskQueue: queue, visibility: false })).rejects.toThrow(
          /已经启动过/,
        );
      },
    );
  });

  it('applies good Updates: reschedule, add, cancel — and a cancelled visit never starts', async () => {
    await isolated(() =>
      withProgramme(
        () => {},
        async ({ plan, queue }) => {
          const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
          const s0 = await schedule(plan);
          const first = s0.entries[0]!;
          const moved = await handle.executeUpdate(rescheduleUpdate, {
            args: [{ actor: supervisor, county: first.county, date: `${plan.year}-03-03`, reason: '县区申请延期' }],
          });
          expect(moved).toMatchObject({ county: first.county, date: `${plan.year}-03-03`, origin: 'rescheduled' });

          const added = await handle.executeUpdate(addCountyUpdate, {
            args: [
              {
                actor: supervisor,
                reason: '新设立的功能区',
                county: { ...plan.counties[0]!, code: 'xinqu', name: '新区', bureauName: '新区应急管理局' },
              },
            ],
          });
          expect(added.status).toBe('scheduled');
          expect(added.date.startsWith(String(plan.year))).toBe(true);

          const second = s0.entries[1]!;
          const cancelled = await handle.executeUpdate(cancelVisitUpdate, {
            args: [{ actor: supervisor, county: second.county, reason: '机构改革，并入其他县区' }],
          });
          expect(cancelled.status).toBe('cancelled');

          await skipTo(`${plan.year}-12-01`);
          const s1 = await handle.query(scheduleQuery);
          expect(s1.entries.find((e) => e.county === second.county)!.status).toBe('cancelled');
          expect(s1.entries.find((e) => e.county === 'xinqu')!.status).toBe('started');
          expect(s1.entries.find((e) => e.county === second.county)!.startedAt).toBeUndefined();
          expect(s1.entries.find((e) => e.county === first.county)!).toMatchObject({
            date: `${plan.year}-03-03`,
            status: 'started',
          });
          expect(s1.audit.map((a) => a.action)).toEqual(
            expect.arrayContaining(['reschedule', 'addCounty', 'cancelVisit']),
          );
        },
      ),
    );
  });

  describe('bad Updates are refused with their message and change nothing', () => {
    const county = (plan: Plan) => plan.counties[2]!.code;
    const cases: [string, (plan: Plan) => { update: 'reschedule' | 'add' | 'cancel'; args: any }, RegExp][] = [
      [
        'reschedule after 30 November',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: county(p), date: `${p.year}-12-02`, reason: '年底再查' },
        }),
        /晚于 \d{4} 年 11 月 30 日/,
      ],
      [
        'reschedule into another year',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: county(p), date: `${p.year + 1}-03-02`, reason: '明年再查' },
        }),
        /不在 \d{4} 年度内/,
      ],
      [
        'reschedule into the past',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: county(p), date: '2026-01-05', reason: '补查' },
        }),
        /不在|已过/,
      ],
      [
        'reschedule without a reason',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: county(p), date: `${p.year}-06-01`, reason: '' },
        }),
        /必须填写理由/,
      ],
      [
        'reschedule an unknown county',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: 'atlantis', date: `${p.year}-06-01`, reason: '改期' },
        }),
        /计划中没有县区 atlantis/,
      ],
      [
        'reschedule to a date that does not exist',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: county(p), date: `${p.year}-02-30`, reason: '改期' },
        }),
        /不存在的日期/,
      ],
      [
        'reschedule by a county',
        (p) => ({
          update: 'reschedule',
          args: {
            actor: { id: 'x', role: 'county', county: county(p) },
            county: county(p),
            date: `${p.year}-06-01`,
            reason: '想晚点',
          },
        }),
        /只有管理员或执法指导人员/,
      ],
      [
        'reschedule onto a Sunday',
        (p) => ({
          update: 'reschedule',
          args: { actor: supervisor, county: county(p), date: sundayIn(p.year), reason: '周末加班' },
        }),
        /休息日或法定节假日/,
      ],
      [
        'add a county already in the plan',
        (p) => ({ update: 'add', args: { actor: supervisor, county: p.counties[0], reason: '重复添加' } }),
        /已在计划中/,
      ],
      [
        'add a county with a bad email',
        (p) => ({
          update: 'add',
          args: { actor: supervisor, county: { ...p.counties[0], code: 'newone', emails: ['nope'] }, reason: '新增' },
        }),
        /invalid email/,
      ],
      [
        'add a county dated after 30 November',
        (p) => ({
          update: 'add',
          args: {
            actor: supervisor,
            county: { ...p.counties[0], code: 'newtwo' },
            date: `${p.year}-12-15`,
            reason: '新增',
          },
        }),
        /11 月 30 日/,
      ],
      [
        'add without a reason',
        (p) => ({
          update: 'add',
          args: { actor: supervisor, county: { ...p.counties[0], code: 'newthree' }, reason: ' ' },
        }),
        /必须填写理由/,
      ],
      [
        'add by a leader',
        (p) => ({
          update: 'add',
          args: {
            actor: { id: 'zheng-yuan', role: 'leader' },
            county: { ...p.counties[0], code: 'newfour' },
            reason: '新增县区',
          },
        }),
        /只有管理员或执法指导人员/,
      ],
      [
        'cancel an unknown county',
        () => ({ update: 'cancel', args: { actor: supervisor, county: 'atlantis', reason: '取消' } }),
        /计划中没有县区/,
      ],
      [
        'cancel without a reason',
        (p) => ({ update: 'cancel', args: { actor: supervisor, county: county(p), reason: '' } }),
        /必须填写理由/,
      ],
      ['cancel with no actor', (p) => ({ update: 'cancel', args: { county: county(p), reason: '取消' } }), /actor/],
    ];

    it.each(cases)('%s', async (_name, make, expected) => {
      await withProgramme(
        () => {},
        async ({ plan, queue }) => {
          const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
          const before = await schedule(plan);
          const { update, args } = make(plan);
          const def = { reschedule: rescheduleUpdate, add: addCountyUpdate, cancel: cancelVisitUpdate }[update];
          const call = handle.executeUpdate(def as typeof rescheduleUpdate, { args: [args] });
          await expect(call).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
          await expect(handle.executeUpdate(def as typeof rescheduleUpdate, { args: [args] })).rejects.toSatisfy(
            (err: WorkflowUpdateFailedError) => expected.test(String(err.cause?.message)),
          );
          const after = await handle.query(scheduleQuery);
          expect(after.entries).toEqual(before.entries);
          expect(after.audit).toEqual(before.audit);
        },
      );
    });

    it('cancelling twice: the second is refused, the first stands', async () => {
      await withProgramme(
        () => {},
        async ({ plan, queue }) => {
          const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
          await schedule(plan);
          await handle.executeUpdate(cancelVisitUpdate, {
            args: [{ actor: supervisor, county: plan.counties[1]!.code, reason: '机构撤并' }],
          });
          const before = await handle.query(scheduleQuery);
          await expect(
            handle.executeUpdate(cancelVisitUpdate, {
              args: [{ actor: supervisor, county: plan.counties[1]!.code, reason: '再取消一次' }],
            }),
          ).rejects.toSatisfy((err: WorkflowUpdateFailedError) => /已取消，不能取消/.test(String(err.cause?.message)));
          expect((await handle.query(scheduleQuery)).entries).toEqual(before.entries);
        },
      );
    });
  });

  it('keeps the latest progress note of a visit, whatever order its notes arrive in', async () => {
    // A visit that moves twice in one workflow task sends two notes, and the server delivers them
    // in no guaranteed order (seen in bench:scale: rung "bulletin" overwritten by "summons").
    await withProgramme(
      () => {},
      async ({ plan, queue }) => {
        const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
        await schedule(plan);
        const note = (seq: number, rung: 'summons' | 'bulletin', run = 'run-a'): VisitProgress => ({
          county: 'test-county',
          stage: 'rectification',
          rung,
          overdue: true,
          seq,
          run,
        });
        await handle.signal(visitProgressSignal, note(2, 'bulletin'));
        await handle.signal(visitProgressSignal, note(1, 'summons'));
        expect((await handle.query(scheduleQuery)).progress['test-county']).toMatchObject({ rung: 'bulletin', seq: 2 });
        // A new run of the visit (cancelled and added again) starts counting again.
        await handle.signal(visitProgressSignal, note(1, 'summons', 'run-b'));
        expect((await handle.query(scheduleQuery)).progress['test-county']).toMatchObject({
          rung: 'summons',
          run: 'run-b',
        });
        // Notes from visits started before notes were numbered: the last to arrive, as before.
        await handle.signal(visitProgressSignal, { county: 'test-county', stage: 'accepted' });
        expect((await handle.query(scheduleQuery)).progress['test-county']).toEqual({
          county: 'test-county',
          stage: 'accepted',
        });
      },
    );
  });
});
