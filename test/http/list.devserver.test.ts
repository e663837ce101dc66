/**
 * `guidance list` on the CLI dev server with the engine's search attributes registered by the
 * flags of worker/search-attributes.ts: registration is idempotent, and the visibility query finds
 * visits by year, stage and overdue flag once the workflows upsert the attributes.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_TEMPLATES_DIR } from '../../activities/documents/templates';
import { filterFrom, listVisits, visibilityQuery } from '../../client/commands/list';
import { visitOps } from '../../client/visit';
import { visitWorkflowId } from '../../workflows/contracts/common';
import { devServerSearchAttributeFlags, ensureSearchAttributes } from '../../worker/search-attributes';
import { programmeWorkflowId } from '../../workflows/contracts/common';
import { GUIDANCE_SEARCH_ATTRIBUTES } from '../../workflows/shared/search-attributes';
import { examplePlan } from '../helpers/plans';
import { createDevServerEnv } from '../helpers/temporal';
import { createTestWorker, uniqueQueue } from '../helpers/worker';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;

beforeAll(async () => {
  env = await createDevServerEnv(devServerSearchAttributeFlags());
  queue = uniqueQueue('list');
  worker = await createTestWorker(env, queue);
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('search attributes and guidance list (dev server)', () => {
  it('registers every attribute with the dev server flags; registering again adds nothing', async () => {
    const listed = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
    for (const key of GUIDANCE_SEARCH_ATTRIBUTES)
      expect(Object.keys(listed.customAttributes ?? {})).toContain(key.name);
    expect(await ensureSearchAttributes(env.connection, env.namespace ?? 'default')).toEqual([]);
  });

  it('builds the visibility query and refuses bad options', () => {
    expect(visibilityQuery({ bureau: 'heluo', year: 2027, stage: 'rectification', overdue: true })).toBe(
      "WorkflowType = 'countyVisitWorkflow' AND GuidanceBureau = 'heluo' AND GuidanceYear = 2027 AND GuidanceStage = 'rectification' AND GuidanceOverdue = true",
    );
    expect(visibilityQuery({ bureau: "he'luo" })).toContain("GuidanceBureau = 'he\\'luo'");
    expect(() => filterFrom({ plan: 'examples/plan.yaml', stage: 'nope' })).toThrow(/阶段不正确/);
    expect(() => filterFrom({ plan: 'examples/plan.yaml', year: '20x7' })).toThrow(/年度不正确/);
    expect(filterFrom({ plan: 'examples/plan.yaml', year: '2027' })).toEqual({
      bureau: 'heluo',
      year: 2027,
      stage: undefined,
      overdue: undefined,
    });
  });

  // A compressed-time programme on the dev server: its started visits are found by year and stage
  // through visibility alone (the workflows upsert the search attributes).
  it('lists the visits of a year and stage through visibility', async () => {
    const plan = examplePlan((raw) => {
      raw.bureau.code = `l${Math.random().toString(36).slice(2, 8)}`;
    });
    await env.client.workflow.start('programmeWorkflow', {
      workflowId: programmeWorkflowId(plan.year, plan.bureau.code),
      taskQueue: queue,
      args: [{ plan, timeScale: { msPerDay: 200, startDate: `${plan.year}-01-04` }, visibility: true }],
    });
    let rows: Awaited<ReturnType<typeof listVisits>> = [];
    for (let i = 0; i < 150 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await listVisits(env.client, { bureau: plan.bureau.code, year: plan.year });
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ year: plan.year, bureau: plan.bureau.code });
    const stage = rows[0]!.stage as 'onsite';
    const byStage = await listVisits(env.client, { bureau: plan.bureau.code, year: plan.year, stage });
    expect(byStage.map((r) => r.county)).toContain(rows[0]!.county);
    expect(await listVisits(env.client, { bureau: plan.bureau.code, year: plan.year - 1 })).toEqual([]);
  });

  // A case whose notice cannot be rendered (its template broken on disk) shows its incident in
  // visibility; the administrator's retry through the client clears it once the file is fixed.
  it('finds cases with an open incident, and the retry clears the flag', async () => {
    const templates = mkdtempSync(path.join(os.tmpdir(), 'guidance-templates-'));
    cpSync(BUILTIN_TEMPLATES_DIR, templates, { recursive: true });
    const plan = examplePlan((raw) => {
      raw.bureau.code = `i${Math.random().toString(36).slice(2, 8)}`;
      raw.templatesDir = templates;
    });
    const notice = path.join(templates, 'notice.hbs');
    const good = readFileSync(notice, 'utf8');
    writeFileSync(notice, good.replace('<title>', '<title>{{#each}}'));
    const county = plan.counties[0]!;
    const date = `${plan.year}-03-15`;
    await env.client.workflow.start('countyVisitWorkflow', {
      workflowId: visitWorkflowId(plan.year, plan.bureau.code, county.code),
      taskQueue: queue,
      args: [
        {
          programmeWorkflowId: 'test',
          plan: { ...plan, counties: [county] },
          county,
          date,
          timeScale: { msPerDay: 60_000, startDate: `${plan.year}-03-10` },
          visibility: true,
        },
      ],
    });
    const filter = { bureau: plan.bureau.code, incident: true };
    expect(visibilityQuery(filter)).toContain('GuidanceIncident = true');
    let rows: Awaited<ReturnType<typeof listVisits>> = [];
    for (let i = 0; i < 150 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await listVisits(env.client, filter);
    }
    expect(rows.map((r) => [r.county, r.incident])).toEqual([[county.code, true]]);

    writeFileSync(notice, good);
    const ref = { year: plan.year, bureau: plan.bureau.code, county: county.code };
    const incident = await visitOps.retry(env.client, ref, {
      actor: { id: 'admin', role: 'admin' },
      note: '模板已修正',
    });
    expect(incident).toMatchObject({ id: 'I1', retriedBy: 'admin' });
    for (let i = 0; i < 150 && rows.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await listVisits(env.client, filter);
    }
    expect(rows).toEqual([]);
    // The retry clears the flag at once; the notice is rendered and numbered right after.
    let c = await visitOps.get(env.client, ref);
    for (let i = 0; i < 150 && !c.notice?.docNumber; i++) {
      await new Promise((r) => setTimeout(r, 200));
      c = await visitOps.get(env.client, ref);
    }
    expect(c.notice?.docNumber).toBeTruthy();
  });
});
