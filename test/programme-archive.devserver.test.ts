/**
 * The year's record outlives Temporal (issue 21, point 6). On the CLI dev server, with a real
 * worker: a short compressed year — one county visited to closed, one rescheduled and then
 * cancelled before it started, a statistics import, a monthly bulletin with its mail, a number
 * voided — is archived by `archiveProgramme`; then the programme, the visit and every numbering
 * workflow are deleted from Temporal as retention would delete them, and `guidance programme
 * status`, `guidance numbers`, `guidance list`, the board and the API still show the whole year,
 * from the archive. Rewriting the case's case.json together with its manifest is then reported by
 * `guidance archive verify` through the year's index.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_FILE, MANIFEST } from '../activities/archive';
import { DELIVERIES_FILE, INDEX_FILE, type ArchiveIndex } from '../activities/archive-index';
import { createProgrammeArchiveActivities, type ProgrammeDelivery } from '../activities/archive-programme';
import { createDocNumberActivities } from '../activities/docnumber';
import { listVisits } from '../client/commands/list';
import { createServer } from '../client/http/server';
import { numberRegister } from '../client/numbers';
import { cancelVisit, getProgramme, recordStatistics, reschedule, startProgramme } from '../client/programme';
import { loadUsers } from '../client/users';
import { type ProgrammeState } from '../workflows/contracts/programme';
import { programmeWorkflowId, visitWorkflowId } from '../workflows/contracts/common';
import { DOC_NUMBER_SERIES, docNumberWorkflowId } from '../workflows/contracts/numbering';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import { reviewReportUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { login, USERS_FILE } from './http/helpers';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from './helpers/worker';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;
let dirs: TestDirs;

beforeAll(async () => {
  env = await createDevServerEnv();
  queue = uniqueQueue('programme-archive');
  dirs = testDirs();
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** As the namespace's retention would: the workflow is gone from Temporal (the dev server deletes through a queued task). */
async function deleteWorkflow(workflowId: string): Promise<void> {
  await env.client.workflowService.deleteWorkflowExecution({
    namespace: env.namespace ?? 'default',
    workflowExecution: { workflowId },
  });
  await until(
    () =>
      env.client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => false,
          (err: unknown) => err instanceof WorkflowNotFoundError,
        ),
    Boolean,
    `${workflowId} deleted`,
  );
}

const A = 'xiangshan';
const B = 'qinghe';

describe('the year after Temporal has let its workflows go', () => {
  it('programme status, numbers, list, the board and the API show the whole year from the archive; archive verify catches a case rewritten with its manifest', async () => {
    const plan = examplePlan((raw) => {
      raw.bureau.code = `p${Math.random().toString(36).slice(2, 8)}`;
      raw.visit.noticeWorkingDays = 0;
      raw.counties = raw.counties.filter((c: { code: string }) => c.code === A || c.code === B);
      raw.counties.find((c: { code: string }) => c.code === A).date = '2027-03-15';
      raw.counties.find((c: { code: string }) => c.code === B).date = '2027-04-12';
      raw.reporting = { bulletinDay: 5, digestWeekday: 0 };
    });
    const { year } = plan;
    const bureau = plan.bureau.code;
    const workflowId = programmeWorkflowId(year, bureau);
    // One simulated day a second, from the Friday before the first visit; the bulletin is due 5 April.
    await startProgramme(env.client, plan, {
      taskQueue: queue,
      visibility: true,
      timeScale: { msPerDay: 1000, startDate: '2027-03-12' },
      mailRetry: FAST_MAIL,
    });

    // People change the year (once it has placed its counties): a reschedule with its reason, a statistics import.
    await until(
      () => getProgramme(env.client, year, bureau),
      (p) => p.entries.length === 2,
      'the schedule',
    );
    await reschedule(env.client, year, bureau, {
      actor: supervisor,
      county: B,
      date: '2027-04-19',
      reason: '县区申请改期：防汛检查',
    });
    const row = {
      inspections: 120,
      inspectors: 300,
      documents: 80,
      cases: 6,
      fines: 12.5,
      hazardsFound: 40,
      hazardsFixed: 35,
    };
    await recordStatistics(env.client, year, bureau, {
      actor: supervisor,
      period: '2027年1—2月',
      sourceSha256: 'a'.repeat(64),
      rows: [
        { county: '香山县', ...row },
        { county: '清河县', ...row },
      ],
    });

    // County A visited to closed, as people would.
    const d = new VisitDriver(env, queue);
    const h = env.client.workflow.getHandle(visitWorkflowId(year, bureau, A));
    await until(
      () => h.query(visitCaseQuery),
      (s) => s.stage === 'onsite',
      'the visit on site',
      60_000,
    );
    await d.fillAndSubmit(h);
    await d.approve(h);
    const s = await d.waitForStage(h, 'rectification');
    const file = {
      sha256: createHash('sha256').update('report').digest('hex'),
      size: 4096,
      mediaType: 'application/pdf' as const,
      filename: '整改情况报告.pdf',
    };
    await h.executeUpdate(submitReportUpdate, {
      args: [
        {
          actor: { id: A, role: 'county', county: A },
          files: [file],
          items: s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
        },
      ],
    });
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    const closed = (await h.result()) as VisitCase;
    expect(closed.stage).toBe('closed');

    // A number drawn for a letter that will never go out, voided with its reason.
    const numbers = createDocNumberActivities({ client: env.client, taskQueue: queue });
    const spare = { year, bureau, series: 'notice', requestId: `${workflowId}:spare` };
    const voided = await numbers.allocateDocNumber(spare);
    await numbers.voidDocNumber({ ...spare, reason: '测试：文号预留后未使用' });

    // The April bulletin (with the imported figures) goes out; then B is cancelled before it ever started.
    await until(
      () => getProgramme(env.client, year, bureau),
      (p) => p.bulletins.length >= 1 && p.audit.some((a) => a.action === 'bulletin'),
      'the April bulletin',
    );
    await cancelVisit(env.client, year, bureau, {
      actor: supervisor,
      county: B,
      reason: '县区机构调整，本年度不再指导',
    });
    const finished = (await env.client.workflow.getHandle(workflowId).result()) as ProgrammeState;
    expect(finished.finished).toBe(true);

    // The record, written by the activity (the programme calls it at each month end and at its finish).
    const archiver = createProgrammeArchiveActivities({
      archiveDir: dirs.archiveDir,
      client: env.client,
      sentLogDir: dirs.sentLogDir,
    });
    const result = await archiver.archiveProgramme({ workflowId, year, bureau });
    expect(result).toMatchObject({ cases: 1, numbers: expect.any(Number) });
    const index = JSON.parse(
      await fsp.readFile(path.join(dirs.archiveDir, workflowId, INDEX_FILE), 'utf8'),
    ) as ArchiveIndex;
    expect(index.cases[closed.caseId]).toMatchObject({
      manifestSha256: closed.rectification!.archive!.manifestSha256,
      source: 'workflow',
    });
    const deliveries = JSON.parse(
      await fsp.readFile(path.join(dirs.archiveDir, workflowId, DELIVERIES_FILE), 'utf8'),
    ) as ProgrammeDelivery[];
    expect(deliveries.filter((x) => x.step.startsWith('bulletin-') && x.state === 'accepted').length).toBeGreaterThan(
      0,
    );

    const before = await getProgramme(env.client, year, bureau);
    const registerBefore = await numberRegister(env.client, year, bureau);
    expect(registerBefore).toContainEqual(
      expect.objectContaining({ series: 'notice', number: voided, status: 'void', reason: '测试：文号预留后未使用' }),
    );

    // Retention: the programme, its visit and every numbering workflow are gone from Temporal.
    await deleteWorkflow(workflowId);
    await deleteWorkflow(closed.caseId);
    for (const series of DOC_NUMBER_SERIES) {
      const id = docNumberWorkflowId(year, bureau, series);
      if (
        await env.client.workflow
          .getHandle(id)
          .describe()
          .then(
            () => true,
            () => false,
          )
      )
        await deleteWorkflow(id);
    }

    // The CLI, from the same data directory.
    const cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      GUIDANCE_DATA_DIR: path.dirname(dirs.archiveDir),
    };
    const cli = (...args: string[]) =>
      run(process.execPath, ['-r', 'tsx/cjs', 'client/cli.ts', ...args], {
        cwd: ROOT,
        env: cliEnv,
        encoding: 'utf8',
      }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (err: { code: number; stdout: string; stderr: string }) => ({
          code: err.code,
          out: `${err.stdout}${err.stderr}`,
        }),
      );
    const yearArgs = ['--year', String(year), '--bureau', bureau];
    const status = await cli('programme', 'status', ...yearArgs, '--json');
    expect(status.code, status.out).toBe(0);
    const archived = JSON.parse(status.out) as ProgrammeState & { source: string };
    const { today: _t1, ...kept } = before;
    expect(archived).toMatchObject({ ...kept, source: 'archive', finished: true });
    expect(archived.audit).toContainEqual(
      expect.objectContaining({ action: 'reschedule', detail: expect.stringContaining('防汛检查') }),
    );
    expect(archived.entries.find((e) => e.county === B)).toMatchObject({ status: 'cancelled', date: '2027-04-19' });
    expect(archived.statistics).toMatchObject({ period: '2027年1—2月' });
    expect(archived.bulletins).toHaveLength(before.bulletins.length);
    const text = await cli('programme', 'status', ...yearArgs);
    expect(text.out).toContain('来自归档');
    expect(text.out).toContain('清河县');

    const register = await cli('numbers', ...yearArgs, '--json');
    expect(register.code, register.out).toBe(0);
    expect(JSON.parse(register.out)).toEqual(registerBefore.map((r) => ({ ...r, source: 'archive' })));
    expect((await cli('numbers', ...yearArgs)).out).toContain('作废：测试：文号预留后未使用');

    const listed = await listVisits(env.client, { bureau, year }, dirs.archiveDir);
    expect(listed).toEqual([
      expect.objectContaining({ workflowId: closed.caseId, source: 'archive', stage: 'closed' }),
    ]);

    // The board and the API.
    // The example users name every county of the example plan; this year kept two of them.
    const users = loadUsers(
      USERS_FILE,
      examplePlan().counties.map((c) => c.code),
    );
    const app: FastifyInstance = await createServer({
      client: env.client,
      config: { namespace: env.namespace ?? 'default', bureau, year, logLevel: 'silent' },
      users,
      evidenceDir: path.join(path.dirname(dirs.archiveDir), 'evidence'),
      archiveDir: dirs.archiveDir,
      uiUrl: 'http://localhost:8233',
    });
    try {
      const cookies = await login(app, ['admin', 'sun-li']);
      const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });
      const board = await get('sun-li', `/api/years/${year}/board`);
      expect(board.statusCode, board.body).toBe(200);
      expect(board.json()).toMatchObject({
        source: 'archive',
        bureauName: plan.bureau.name,
        finished: true,
        counts: { total: 2, closed: 1 },
      });
      expect(board.json().rows).toEqual([
        expect.objectContaining({
          county: A,
          status: 'completed',
          stage: 'closed',
          source: 'archive',
          docNumber: closed.letter!.docNumber,
        }),
        expect.objectContaining({ county: B, status: 'cancelled', date: '2027-04-19' }),
      ]);
      const programme = await get('sun-li', `/api/years/${year}/programme`);
      expect(programme.statusCode, programme.body).toBe(200);
      expect(programme.json()).toMatchObject({
        source: 'archive',
        finished: true,
        audit: kept.audit,
        statistics: kept.statistics,
        archive: { manifestSha256: result.manifestSha256 },
      });
      expect(programme.json().bulletins[0].documentPath).toBeUndefined();
      const api = await get('admin', `/api/years/${year}/numbers`);
      expect(api.statusCode, api.body).toBe(200);
      expect(api.json()).toMatchObject({
        source: 'archive',
        rows: registerBefore.map((r) => ({ ...r, source: 'archive' })),
      });
      // A year never archived is still NotFound.
      expect((await get('sun-li', `/api/years/${year - 1}/programme`)).statusCode).toBe(404);
    } finally {
      await app.close();
    }

    // Everything verifies; then the case and its manifest are rewritten consistently.
    const clean = await cli('archive', 'verify');
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toContain(`✓ ${workflowId}`);
    const caseDir = path.join(dirs.archiveDir, closed.caseId);
    const manifest = await fsp.readFile(path.join(caseDir, MANIFEST), 'utf8');
    const forged = `${JSON.stringify({ ...closed, stage: 'closed', letter: { ...closed.letter!, dueDate: '2099-12-31' } }, null, 2)}\n`;
    await fsp.writeFile(path.join(caseDir, CASE_FILE), forged);
    const sha = createHash('sha256').update(forged).digest('hex');
    await fsp.writeFile(path.join(caseDir, MANIFEST), manifest.replace(/^[0-9a-f]{64}(?= {2}case\.json$)/m, sha));
    const caught = await cli('archive', 'verify');
    expect(caught.code).toBe(1);
    expect(caught.out).toContain(`✗ ${closed.caseId}：与年度归档索引不符 ${MANIFEST}`);
  }, 300_000);
});
