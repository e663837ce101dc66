/**
 * Every incident can be cleared by a person (issue 21, point 3), on the time-skipping server: a
 * county whose enterprise roster is empty or lists an enterprise twice (accepted by an addCounty of
 * before) reaches the draw (双随机), which refuses it: an incident. Retrying alone re-runs the same
 * roster and fails again; an administrator corrects the roster (correctRoster, 更正企业名单), retries,
 * and the draw succeeds from the corrected roster. Once drawn, the roster can no longer change.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rosterSha256 } from '../activities/sampling';
import { retryUpdate } from '../workflows/contracts/incidents';
import type { Enterprise } from '../workflows/shared/plan';
import { correctRosterUpdate } from '../workflows/contracts/roster';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, refusal, supervisor } from './helpers/visit-driver';
import { createTestWorker, uniqueQueue, workflowBundle } from './helpers/worker';

const admin = { id: 'admin', role: 'admin' as const };
const leader = { id: 'zheng-yuan', role: 'leader' as const };

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let d: VisitDriver;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  const queue = uniqueQueue('roster');
  worker = await createTestWorker(env, queue);
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const corrected: Enterprise[] = [
  { id: 'NEW-001', name: '香山新建机械有限公司', industry: '工贸', tier: '重点' },
  { id: 'NEW-002', name: '香山新建化工有限公司', industry: '危险化学品', tier: '一般' },
  { id: 'NEW-003', name: '香山新建石料厂', industry: '非煤矿山', tier: '一般' },
];

describe('a roster the draw refused is corrected by a person (time-skipping)', () => {
  for (const [label, roster] of [
    ['empty', (_: Enterprise[]) => []],
    ['an enterprise listed twice', (r: Enterprise[]) => [...r, { ...r[0]!, id: 'DUP-001' }]],
  ] as const) {
    it(`${label}: incident at the draw; a retry alone fails again; corrected and retried, the draw uses the correction`, async () => {
      const { year, date } = await d.visitDate(label === 'empty' ? 0 : 1);
      const plan = d.planFor(year);
      // As an addCounty of before accepted it: the county reaches the visit with this roster.
      plan.counties[0]!.enterprises = roster(plan.counties[0]!.enterprises);
      const h = await d.start(plan, 0, date);
      await d.skipTo(date);

      const stuck = await d.waitFor(h, (s) => s.incidents.length === 1, 'the draw incident');
      expect(stuck.incidents[0]).toMatchObject({ id: 'I1', step: 'sample', error: { type: 'InvalidInput' } });
      expect(stuck.sample).toBeUndefined();

      // The retry alone draws from the same roster: a new incident, as before this change.
      await h.executeUpdate(retryUpdate, { args: [{ actor: admin }] });
      const again = await d.waitFor(h, (s) => s.incidents.length === 2, 'the second draw incident');
      expect(again.incidents[1]).toMatchObject({ id: 'I2', step: 'sample' });

      // Who may correct, and only with a roster a plan county could have.
      expect(
        (
          await refusal(
            h.executeUpdate(correctRosterUpdate, {
              args: [{ actor: leader, enterprises: corrected, reason: '县区报送名单有误' }],
            }),
          )
        ).type,
      ).toBe('Forbidden');
      expect(
        (
          await refusal(
            h.executeUpdate(correctRosterUpdate, {
              args: [
                { actor: { id: 'nobody', role: 'supervisor' }, enterprises: corrected, reason: '县区报送名单有误' },
              ],
            }),
          )
        ).type,
      ).toBe('Forbidden');
      expect(
        (
          await refusal(
            h.executeUpdate(correctRosterUpdate, {
              args: [{ actor: admin, enterprises: [], reason: '县区报送名单有误' }],
            }),
          )
        ).message,
      ).toMatch(/企业名单为空/);
      const twice = await refusal(
        h.executeUpdate(correctRosterUpdate, {
          args: [
            {
              actor: admin,
              enterprises: [...corrected, { ...corrected[0]!, id: 'NEW-009' }],
              reason: '县区报送名单有误',
            },
          ],
        }),
      );
      expect(twice).toMatchObject({ type: 'InvalidInput' });
      expect(twice.message).toMatch(/企业名称重复/);
      expect(
        (
          await refusal(
            h.executeUpdate(correctRosterUpdate, { args: [{ actor: admin, enterprises: corrected, reason: '' }] }),
          )
        ).message,
      ).toMatch(/写明理由/);

      const receipt = await h.executeUpdate(correctRosterUpdate, {
        args: [{ actor: admin, enterprises: corrected, reason: '县区报送名单有误，按县局来函更正' }],
      });
      expect(receipt).toMatchObject({ by: 'admin', enterprises: 3, reason: '县区报送名单有误，按县局来函更正' });
      await h.executeUpdate(retryUpdate, { args: [{ actor: admin, note: '企业名单已更正' }] });

      const s = await d.waitForStage(h, 'onsite');
      expect(s.incidents).toHaveLength(2);
      expect(s.sample!.rosterSha256).toBe(rosterSha256(corrected));
      for (const e of s.sample!.enterprises) expect(corrected.map((x) => x.id)).toContain(e.id);
      expect(s.correctedRoster).toEqual(corrected);
      expect(s.rosterCorrections).toHaveLength(1);
      expect(s.audit.find((a) => a.action === 'correctRoster')).toMatchObject({ by: 'admin', role: 'admin' });

      // Drawn: the sample stands, the roster is no longer open to correction (a supervisor of the plan).
      const late = await refusal(
        h.executeUpdate(correctRosterUpdate, {
          args: [{ actor: supervisor, enterprises: corrected, reason: '再次更正' }],
        }),
      );
      expect(late).toMatchObject({ type: 'InvalidState' });
      expect(late.message).toMatch(/已完成随机抽取/);
      await h.cancel();
      await expect(h.result()).rejects.toThrow();
      // The new Update's history replays with today's code (determinism guard).
      const history = await h.fetchHistory();
      for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [
        { workflowId: h.workflowId, history },
      ]))
        expect(result.error).toBeUndefined();
    });
  }

  it('a supervisor of the plan may correct a roster before the visit day; the draw then uses it without any incident', async () => {
    const { year, date } = await d.visitDate(2);
    const plan = d.planFor(year);
    const h = await d.start(plan, 0, date);
    await h.executeUpdate(correctRosterUpdate, {
      args: [{ actor: supervisor, enterprises: corrected, reason: '县区更新了执法计划' }],
    });
    await d.skipTo(date);
    const s = await d.waitForStage(h, 'onsite');
    expect(s.incidents).toHaveLength(0);
    expect(s.sample!.rosterSha256).toBe(rosterSha256(corrected));
    await h.cancel();
  });
});
