/**
 * The archive is the record once Temporal lets a case go. On the CLI dev server, with a real
 * worker and real activities: a visit runs to closed (and archives itself), its workflow is then
 * deleted from Temporal as retention would delete it, and still the HTTP API's case view (staff and
 * county, county scope kept), a letter's download, the year's board, `guidance list` and
 * `guidance visit status` answer — from the archive, marked as such.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listVisits } from '../../client/commands/list';
import { createServer } from '../../client/http/server';
import { loadUsers } from '../../client/users';
import { visitWorkflowId, type Actor } from '../../workflows/contracts/common';
import type { Plan } from '../../workflows/shared/plan';
import { type VisitCase, type VisitInput } from '../../workflows/contracts/visit';
import { reviewReportUpdate, submitReportUpdate } from '../../workflows/contracts/visit-rectification';
import { examplePlan } from '../helpers/plans';
import { createDevServerEnv } from '../helpers/temporal';
import { FAST_MAIL, VisitDriver, supervisor } from '../helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from '../helpers/worker';
import { login, USERS_FILE } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;
let dirs: TestDirs;
let app: FastifyInstance;
let plan: Plan;
let closed: VisitCase;
let cookies: Record<string, string> = {};

/**
 * The visit's date: yesterday in China. The dev server runs on the real clock and a date's work
 * falls due at 09:00 China time, so with yesterday nothing waits whatever the hour of the run
 * (with today, a run between 00:00 and 09:00 China time waited for the visit day).
 */
const today = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
const XS = 'xiangshan';

const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });

/** Start → notice → on-site findings → approval → letter → report accepted → closed and archived. */
async function visitToClosed(): Promise<{ h: WorkflowHandle; c: VisitCase }> {
  const county = plan.counties.find((c) => c.code === XS)!;
  const input: VisitInput = {
    programmeWorkflowId: 'test',
    plan: { ...plan, counties: [county] },
    county,
    date: today,
    mailRetry: FAST_MAIL,
    visibility: true,
  };
  const h = await env.client.workflow.start('countyVisitWorkflow', {
    workflowId: visitWorkflowId(plan.year, plan.bureau.code, XS),
    taskQueue: queue,
    args: [input],
  });
  const d = new VisitDriver(env, queue);
  await d.waitForStage(h, 'onsite');
  await d.fillAndSubmit(h);
  await d.approve(h);
  const s = await d.waitForStage(h, 'rectification');
  const countyActor: Actor = { id: 'xiangshan', role: 'county', county: XS };
  const file = {
    sha256: createHash('sha256').update('report').digest('hex'),
    size: 4096,
    mediaType: 'application/pdf' as const,
    filename: '整改情况报告.pdf',
  };
  await h.executeUpdate(submitReportUpdate, {
    args: [
      {
        actor: countyActor,
        files: [file],
        items: s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
      },
    ],
  });
  await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
  return { h, c: (await h.result()) as VisitCase };
}

beforeAll(async () => {
  env = await createDevServerEnv();
  queue = uniqueQueue('archive-read');
  dirs = testDirs();
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  running = worker.run();
  plan = examplePlan((raw) => {
    raw.year = Number(today.slice(0, 4));
    raw.bureau.code = `a${Math.random().toString(36).slice(2, 8)}`;
  });
  const users = loadUsers(
    USERS_FILE,
    plan.counties.map((c) => c.code),
  );
  app = await createServer({
    client: env.client,
    config: { namespace: env.namespace ?? 'default', bureau: plan.bureau.code, year: plan.year, logLevel: 'silent' },
    users,
    evidenceDir: path.join(path.dirname(dirs.archiveDir), 'evidence'),
    archiveDir: dirs.archiveDir,
    uiUrl: 'http://localhost:8233',
  });
  cookies = await login(app, ['sun-li', 'xiangshan', 'qinghe']);
});
afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('a closed case after Temporal has deleted its workflow', () => {
  it('the API, the board, the list and the CLI answer from the archive', async () => {
    const { h, c } = await visitToClosed();
    closed = c;
    expect(closed.stage).toBe('closed');
    const casePath = `/api/years/${plan.year}/cases/${XS}`;
    const letter = closed.letter!.document;
    const before = await get('sun-li', casePath);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toMatchObject({ case: { caseId: closed.caseId, stage: 'closed' } });
    // Soft: the markers are checked, the test goes on to the deletion either way.
    expect.soft(before.json().source).toBe('temporal');
    // While visibility has it, a case in both is listed once, from visibility.
    const listedBefore = await listVisits(env.client, { bureau: plan.bureau.code, year: plan.year }, dirs.archiveDir);
    expect.soft(listedBefore.map((r) => [r.workflowId, r.source])).toEqual([[closed.caseId, 'temporal']]);

    // As the namespace's retention would: the workflow is gone from Temporal.
    await env.client.workflowService.deleteWorkflowExecution({
      namespace: env.namespace ?? 'default',
      workflowExecution: { workflowId: h.workflowId },
    });
    // The dev server deletes through a queued task: about ten seconds here.
    for (let i = 0; i < 600; i++) {
      const gone = await h.describe().then(
        () => false,
        (err: unknown) => err instanceof WorkflowNotFoundError,
      );
      if (gone) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await expect(h.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // The case view, for the city's staff and for the county itself; another county is still refused.
    const staff = await get('sun-li', casePath);
    expect(staff.statusCode, staff.body).toBe(200);
    expect(staff.json()).toMatchObject({
      kind: 'staff',
      source: 'archive',
      case: { caseId: closed.caseId, stage: 'closed' },
      archive: { files: expect.any(Number) },
    });
    expect(staff.json().links.temporalUi).toBeUndefined();
    expect(staff.json().documents.map((d: { documentId: string }) => d.documentId)).toContain(letter.documentId);
    const county = await get('xiangshan', casePath);
    expect(county.statusCode, county.body).toBe(200);
    expect(county.json()).toMatchObject({
      kind: 'county',
      source: 'archive',
      case: { stage: 'closed', letter: { docNumber: closed.letter!.docNumber } },
    });
    expect((await get('qinghe', casePath)).statusCode).toBe(403);
    expect((await get('xiangshan', `/api/years/${plan.year}/cases`)).json()).toMatchObject({
      rows: [{ county: XS, stage: 'closed', source: 'archive' }],
    });

    // The letter downloads, byte for byte what the case recorded; a draft stays internal.
    const pdf = await get('xiangshan', `${casePath}/documents/${letter.documentId}`);
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toMatch(/application\/pdf/);
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(letter.sha256);
    expect(
      (await get('xiangshan', `${casePath}/documents/${closed.approval.rounds[0]!.draft.documentId}`)).statusCode,
    ).toBe(404);
    expect(
      (await get('sun-li', `${casePath}/documents/${closed.approval.rounds[0]!.draft.documentId}`)).statusCode,
    ).toBe(200);

    // The year's board (its programme is not in Temporal either): the archived case, marked.
    const board = await get('sun-li', `/api/years/${plan.year}/board`);
    expect(board.statusCode, board.body).toBe(200);
    expect(board.json()).toMatchObject({
      source: 'archive',
      finished: true,
      rows: [
        { county: XS, stage: 'closed', status: 'completed', source: 'archive', docNumber: closed.letter!.docNumber },
      ],
      counts: { total: 1, closed: 1 },
    });
    expect(board.json().rows[0].temporalUi).toBeUndefined();

    // `guidance list`: visibility no longer has it; the archive does.
    let rows = await listVisits(env.client, { bureau: plan.bureau.code, year: plan.year }, dirs.archiveDir);
    for (let i = 0; i < 50 && rows[0]?.source !== 'archive'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await listVisits(env.client, { bureau: plan.bureau.code, year: plan.year }, dirs.archiveDir);
    }
    expect(rows).toEqual([
      expect.objectContaining({
        workflowId: closed.caseId,
        source: 'archive',
        status: 'ARCHIVED',
        stage: 'closed',
        county: XS,
        year: plan.year,
      }),
    ]);
    expect(
      await listVisits(
        env.client,
        { bureau: plan.bureau.code, year: plan.year, stage: 'rectification' },
        dirs.archiveDir,
      ),
    ).toEqual([]);

    // `guidance visit status` and `guidance list` on the command line, from the same data directory.
    const cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      GUIDANCE_DATA_DIR: path.dirname(dirs.archiveDir),
    };
    const cli = (...args: string[]) =>
      run(process.execPath, ['-r', 'tsx/cjs', 'client/cli.ts', ...args], { cwd: ROOT, env: cliEnv, encoding: 'utf8' });
    const status = await cli(
      'visit',
      'status',
      '--year',
      String(plan.year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
      '--json',
    );
    expect(JSON.parse(status.stdout)).toMatchObject({
      caseId: closed.caseId,
      stage: 'closed',
      source: 'archive',
      letter: { docNumber: closed.letter!.docNumber },
    });
    const text = await cli(
      'visit',
      'status',
      '--year',
      String(plan.year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
    );
    expect(text.stdout).toContain('来自归档');
    expect(text.stdout).toContain(closed.letter!.docNumber);
    const list = await cli('list', '--year', String(plan.year), '--bureau', plan.bureau.code);
    expect(list.stdout).toContain(closed.caseId);
    expect(list.stdout).toMatch(/其中 1 项来自归档/);
  });

  it('a county never visited is still NotFound, with or without an archive', async () => {
    const res = await get('sun-li', `/api/years/${plan.year}/cases/qinghe`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.type).toBe('NotFound');
    expect((await get('sun-li', `/api/years/${plan.year - 1}/board`)).statusCode).toBe(404);
  });
});
