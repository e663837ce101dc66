/**
 * A real stack for the API and browser tests: Temporal's time-skipping server, a worker with the
 * real workflows and activities, the example plan's programme for next year (香山县 and 清河县 on
 * fixed March dates), and the HTTP server over them. Nothing is mocked.
 */
import { sleepWatched } from '../helpers/temporal';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createServer, type HttpConfig } from '../../client/http/server';
import { hashToken } from '../../client/passwords';
import { loadUsers, Users } from '../../client/users';
import { visitOps } from '../../client/visit';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import { scheduleQuery } from '../../workflows/contracts/programme';
import { programmeWorkflowId } from '../../workflows/contracts/common';
import type { Plan } from '../../workflows/shared/plan';
import type { VisitCase } from '../../workflows/contracts/visit';
import { examplePlan } from '../helpers/plans';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from '../helpers/worker';

export const FAST_MAIL = { initialIntervalMs: 1000, maximumIntervalMs: 2000, giveUpAfterMs: 60_000 };
export const USERS_FILE = path.resolve(__dirname, '../../examples/users.yaml');
/** An admin API token added to the example users for the bearer-token tests. */
export const ADMIN_TOKEN = randomBytes(32).toString('base64url');

export interface Stack {
  env: TestWorkflowEnvironment;
  worker: Worker;
  running: Promise<void>;
  queue: string;
  dirs: TestDirs;
  evidenceDir: string;
  plan: Plan;
  /** Visit dates of 香山县 (counties[0]) and 清河县 (counties[1]). */
  dates: [string, string];
  users: Users;
  config: HttpConfig;
  app: FastifyInstance;
  teardown(): Promise<void>;
}

/** First Monday of March of `year`, plus `weeks` weeks (March has no public holidays in China). */
function marchMonday(year: number, weeks: number): string {
  const d = new Date(Date.UTC(year, 2, 1 + weeks * 7));
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export async function startStack(
  opts: { refreshSeconds?: number; caseReadBudgetMs?: number; formats?: ('pdf' | 'ofd')[] } = {},
): Promise<Stack> {
  const env = await createTimeSkippingEnv();
  const queue = uniqueQueue('http');
  const dirs = testDirs();
  const evidenceDir = path.join(path.dirname(dirs.archiveDir), 'evidence');
  const worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  const running = worker.run();
  const year = new Date(Number(await env.currentTimeMs()) + 8 * 3_600_000).getUTCFullYear() + 1;
  const dates: [string, string] = [marchMonday(year, 0), marchMonday(year, 1)];
  const plan = examplePlan((raw) => {
    raw.year = year;
    raw.bureau.code = `h${Math.random().toString(36).slice(2, 8)}`;
    raw.counties[0].date = dates[0];
    raw.counties[1].date = dates[1];
    if (opts.formats) raw.formats = opts.formats;
  });
  const programme = await env.client.workflow.start('programmeWorkflow', {
    workflowId: programmeWorkflowId(plan.year, plan.bureau.code),
    taskQueue: queue,
    args: [{ plan, mailRetry: FAST_MAIL }],
  });
  // The stack is ready once the programme has placed its counties: a test's first query must see them.
  for (let i = 0; ; i++) {
    const s = await programme.query(scheduleQuery).catch(() => undefined);
    if (s && s.entries.length === plan.counties.length) break;
    if (i > 200) throw new Error('the programme never placed its counties');
    await new Promise((r) => setTimeout(r, 50));
  }
  const example = loadUsers(
    USERS_FILE,
    plan.counties.map((c) => c.code),
  );
  const users = new Users([...example.records, { id: 'script', role: 'admin', tokens: [hashToken(ADMIN_TOKEN)] }]);
  const config: HttpConfig = {
    namespace: env.namespace ?? 'default',
    bureau: plan.bureau.code,
    year,
    logLevel: 'silent',
    refreshSeconds: opts.refreshSeconds,
  };
  const app = await createServer({
    client: env.client,
    config,
    users,
    evidenceDir,
    archiveDir: dirs.archiveDir,
    uiUrl: 'http://localhost:8233',
    // Tests of other things read current cases, however slow a loaded machine makes a query: the
    // last answer (client/case-reads.ts) has its own tests, which pass a budget.
    caseReadBudgetMs: opts.caseReadBudgetMs ?? 120_000,
  });
  return {
    env,
    worker,
    running,
    queue,
    dirs,
    evidenceDir,
    plan,
    dates,
    users,
    config,
    app,
    async teardown() {
      await app.close();
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** Logs each example user in (password `heluo-<id>`); their session cookies, by id. */
export async function login(app: FastifyInstance, ids: readonly string[]): Promise<Record<string, string>> {
  const cookies: Record<string, string> = {};
  for (const id of ids) {
    const res = await app.inject({ method: 'POST', url: '/api/login', payload: { id, password: `heluo-${id}` } });
    if (res.statusCode !== 200) throw new Error(`login ${id}: ${res.statusCode} ${res.body}`);
    cookies[id] = String(res.headers['set-cookie']).split(';')[0]!;
  }
  return cookies;
}

/** Advances the test server's clock to noon China time on `date`. */
export async function skipTo(env: TestWorkflowEnvironment, date: string, hourCst = 12): Promise<void> {
  const target = Date.parse(`${date}T${String(hourCst).padStart(2, '0')}:00:00+08:00`);
  await sleepWatched(env, Math.max(0, target - Number(await env.currentTimeMs())));
}

export async function waitForCase(
  s: Stack,
  county: string,
  ok: (c: VisitCase) => boolean,
  what: string,
): Promise<VisitCase> {
  const ref = { year: s.plan.year, bureau: s.plan.bureau.code, county };
  let last: VisitCase | undefined;
  for (let i = 0; i < 600; i++) {
    last = await visitOps.get(s.env.client, ref).catch(() => undefined);
    if (last && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${county} never reached: ${what} (stage ${last?.stage})`);
}

/** A small valid PDF (the store sniffs `%PDF-`), unique per call. */
export function pdfBytes(label = 'test'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${label} ${randomBytes(8).toString('hex')}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A multipart/form-data body. */
export function multipart(
  fields: Record<string, string>,
  files: { name: string; filename: string; content: Buffer; type?: string }[],
) {
  const boundary = `----guidance${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'application/pdf'}\r\n\r\n`,
      ),
    );
    chunks.push(f.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Every file under a directory (relative paths), to prove a refusal stored nothing. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** A fresh temp directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every checklist item filled (two 不符合 with problem and opinion), for the findings route. */
export function findingsFor(evidenceId?: string) {
  return CHECKLIST_KEYS.map((item) =>
    item === 'plan.compile'
      ? {
          item,
          result: '不符合',
          problem: '列入计划的一般生产经营单位不足三分之一。',
          opinion: '调整年度监督检查计划，报县政府批准后重新报备。',
        }
      : item === 'standard.archive'
        ? {
            item,
            result: '不符合',
            problem: '2卷行政处罚案卷自由裁量依据未载明。',
            opinion: '对照案卷评查标准逐卷整改。',
            evidence: evidenceId ? [evidenceId] : [],
          }
        : { item, result: '符合' },
  );
}
