/**
 * The to-do inbox (待办) on the CLI dev server: visibility finds a person's cases through
 * GuidanceWaitingOn and each case's `todo` Query says what waits — the supervisor's on-site work,
 * the leader's draft to approve, the county's receipts — through client/todo.ts, GET /api/todo and
 * `guidance todo --as ID`. A county never sees another county's case.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboxActivities } from '../activities/inbox';
import { createServer } from '../client/http/server';
import { todoFor, todoVisibilityQuery } from '../client/todo';
import { loadUsers } from '../client/users';
import { visitOps } from '../client/visit';
import { findTemporalCli } from '../worker/temporal-tools';
import { devServerSearchAttributeFlags } from '../worker/search-attributes';
import { addDays } from '../workflows/shared/clock';
import { visitWorkflowId } from '../workflows/contracts/common';
import type { TodoItem } from '../workflows/shared/todo';
import type { VisitInput } from '../workflows/contracts/visit';
import { freePort } from './email/helpers';
import { examplePlan } from './helpers/plans';
import { FAST_MAIL, VisitDriver } from './helpers/visit-driver';
import { createTestWorker, uniqueQueue } from './helpers/worker';

const run = promisify(execFile);
const USERS = path.resolve(__dirname, '../examples/users.yaml');
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;
let address: string;

beforeAll(async () => {
  const cli = findTemporalCli();
  if (!cli.path) throw new Error('Temporal CLI not built: run `npm run setup`');
  const port = await freePort();
  address = `127.0.0.1:${port}`;
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      ip: '127.0.0.1',
      port,
      extraArgs: devServerSearchAttributeFlags(),
    },
  });
  queue = uniqueQueue('todo');
  worker = await createTestWorker(env, queue);
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** Polls `read` until `ok` (visibility is eventually consistent). */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`never: ${what}`);
}
const kinds = (items: TodoItem[], caseId: string) =>
  items
    .filter((i) => i.caseId === caseId)
    .map((i) => `${i.kind}${i.ref ? `:${i.ref}` : ''}`)
    .sort();

describe('the inbox through visibility (dev server)', () => {
  it('each role sees what waits on it, most urgent first; a county only its own case; CLI and API agree', async () => {
    const plan = examplePlan((raw) => {
      raw.bureau.code = `t${Math.random().toString(36).slice(2, 8)}`;
    });
    const county = plan.counties[0]!; // xiangshan
    const date = `${plan.year}-03-08`;
    // A compressed clock that starts a few days before the notice, slow enough for people to act.
    const input: VisitInput = {
      programmeWorkflowId: 'test',
      plan: { ...plan, counties: [county] },
      county,
      date,
      mailRetry: FAST_MAIL,
      visibility: true,
      timeScale: { msPerDay: 1500, startDate: addDays(date, -10) },
    };
    const caseId = visitWorkflowId(plan.year, plan.bureau.code, county.code);
    const h = await env.client.workflow.start('countyVisitWorkflow', {
      workflowId: caseId,
      taskQueue: queue,
      args: [input],
    });
    const d = new VisitDriver(env as never, queue);
    const bureau = plan.bureau.code;
    const supervisor = { id: 'sun-li', role: 'supervisor' as const };
    const leader = { id: plan.approval.approver.id, role: 'leader' as const };
    const countyUser = { id: county.code, role: 'county' as const, county: county.code };
    const otherCounty = { id: 'qinghe', role: 'county' as const, county: 'qinghe' };

    expect(todoVisibilityQuery(bureau, countyUser, plan.year)).toBe(
      `WorkflowType = 'countyVisitWorkflow' AND ExecutionStatus = 'Running' AND GuidanceBureau = '${bureau}' AND GuidanceYear = ${plan.year} AND GuidanceWaitingOn IN ('county:${county.code}')`,
    );

    // The notice is out: the county has a letter to acknowledge; the supervisors nothing yet.
    const countyItems = await until(
      () => todoFor(env.client, bureau, countyUser),
      (x) => kinds(x, caseId).includes('acknowledge:R1'),
      'the notice to acknowledge',
    );
    expect(countyItems[0]).toMatchObject({
      kind: 'acknowledge',
      county: county.code,
      due: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(kinds(await todoFor(env.client, bureau, otherCounty), caseId)).toEqual([]);

    // On site: the supervisor's work, with the visit date as its due date.
    await d.waitForStage(h, 'onsite');
    const sup = await until(
      () => todoFor(env.client, bureau, supervisor),
      (x) => kinds(x, caseId).includes('onsite'),
      'on-site work',
    );
    expect(sup.find((i) => i.caseId === caseId && i.kind === 'onsite')).toMatchObject({
      due: date,
      role: 'supervisor',
    });

    // Submitted: the leader's draft to approve, and nobody else's.
    await d.fillAndSubmit(h);
    await until(
      () => todoFor(env.client, bureau, leader),
      (x) => kinds(x, caseId).includes('approve'),
      'the draft to approve',
    );
    expect(kinds(await todoFor(env.client, bureau, { id: 'feng-qing', role: 'leader' }), caseId)).toEqual([]);

    // The weekly digest's collectTodos: everyone's inbox from one visibility list (and one for the
    // programmes' incidents), each the same as that person's own inbox.
    let lists = 0;
    const counting = {
      workflow: {
        list: (o: never) => (lists++, env.client.workflow.list(o)),
        getHandle: (id: string) => env.client.workflow.getHandle(id),
      },
    } as unknown as Client;
    const people = [
      supervisor,
      leader,
      countyUser,
      otherCounty,
      { id: 'feng-qing', role: 'leader' as const },
      { id: 'wu-min', role: 'admin' as const },
    ].map((p) => ({ ...p, name: p.id, email: `${p.id}@example.cn` }));
    const inboxes = await createInboxActivities({ client: counting }).collectTodos({ bureau, year: plan.year, people });
    expect(lists).toBeLessThanOrEqual(2);
    expect(inboxes.map((x) => x.person.id)).toEqual(people.map((p) => p.id));
    for (const [i, p] of people.entries())
      expect(kinds(inboxes[i]!.items, caseId)).toEqual(
        kinds(await todoFor(env.client, bureau, p, { year: plan.year }), caseId),
      );
    expect(kinds(inboxes[1]!.items, caseId)).toEqual(['approve']);

    // The county acknowledges in its portal: the item leaves its inbox.
    await visitOps.acknowledge(
      env.client,
      { year: plan.year, bureau, county: county.code },
      { actor: { id: county.code, role: 'county', county: county.code }, receipt: 'R1', signer: '张三', via: 'portal' },
    );
    await until(
      () => todoFor(env.client, bureau, countyUser),
      (x) => !kinds(x, caseId).includes('acknowledge:R1'),
      'the receipt gone from the inbox',
    );

    // GET /api/todo answers with the caller's own items.
    const app = await createServer({
      client: env.client,
      config: { namespace: 'default', bureau, year: plan.year },
      users: loadUsers(USERS),
      evidenceDir: '/nonexistent-evidence',
      archiveDir: '/nonexistent-archive',
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { id: 'zheng-yuan', password: 'heluo-zheng-yuan' },
    });
    expect(login.statusCode).toBe(200);
    const res = await app.inject({
      method: 'GET',
      url: '/api/todo',
      cookies: { guidance_session: login.cookies[0]!.value },
    });
    expect(res.statusCode).toBe(200);
    expect(kinds(res.json().items, caseId)).toEqual(['approve']);
    expect((await app.inject({ method: 'GET', url: '/api/todo' })).statusCode).toBe(401);
    await app.close();

    // The CLI prints the same list.
    const cliEnv = { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', GUIDANCE_USERS: USERS };
    const { stdout } = await run(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', 'todo', '--as', 'sun-li', '--bureau', bureau, '--json'],
      { env: cliEnv },
    );
    expect(kinds(JSON.parse(stdout) as TodoItem[], caseId)).toEqual(
      kinds(await todoFor(env.client, bureau, supervisor), caseId),
    );
    const table = await run(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', 'todo', '--as', plan.approval.approver.id, '--bureau', bureau],
      { env: cliEnv },
    ).catch((e: { stdout: string }) => e);
    expect(table.stdout).toMatch(/审批执法指导意见书|没有待办/);
    const missing = await run(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', 'todo', '--as', 'nobody', '--bureau', bureau],
      { env: cliEnv },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('用户文件中没有用户 nobody');
    await h.terminate('test done');
  });
});
