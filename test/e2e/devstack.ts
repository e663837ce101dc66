/**
 * A real stack on the project's Temporal dev server for the browser tests of each role: the
 * inbox reads visibility (GuidanceWaitingOn), which the time-skipping server lacks. The CLI's dev
 * server with the guidance search attributes, a worker with the real workflows and activities whose
 * emails carry signed receipt links to this dashboard, the HTTP server on loopback, and visits
 * started straight away (visibility on), each on a compressed clock of its own that starts today:
 * the dates people see are today's, and a case reaches its stage at once or, on a fast clock, runs
 * past its due date in seconds. Nothing is mocked.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer } from '../../client/http/server';
import { loadUsers } from '../../client/users';
import { visitOps, type VisitRef } from '../../client/visit';
import { findTemporalCli } from '../../worker/temporal-tools';
import { devServerSearchAttributeFlags } from '../../worker/search-attributes';
import { visitWorkflowId, type Actor } from '../../workflows/contracts/common';
import type { VisitCase, VisitInput } from '../../workflows/contracts/visit';
import { freePort } from '../email/helpers';
import { examplePlan } from '../helpers/plans';
import { FAST_MAIL } from '../helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from '../helpers/worker';
import { USERS_FILE, findingsFor, tempDir } from '../http/helpers';

export { CHROMIUM } from './chromium';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
export const supervisor: Actor = { id: 'sun-li', role: 'supervisor' };
export const leader: Actor = { id: 'zheng-yuan', role: 'leader' };

/** Today in China (UTC+8), the date every visit's clock starts on. */
export const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

export interface VisitOptions {
  /** Simulated milliseconds per day; slow (minutes) unless the test needs days to pass. */
  msPerDay?: number;
  /** Edits to the example plan for this visit alone (raw YAML data, before validation). */
  edit?: (raw: Record<string, any>) => void;
  /** Runs once the plan has been checked, before the visit starts (e.g. to break a template on disk). */
  beforeStart?: () => void;
}

export class DevStack {
  readonly contexts: BrowserContext[] = [];
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly worker: Worker,
    readonly running: Promise<void>,
    readonly dirs: TestDirs,
    readonly app: FastifyInstance,
    readonly url: string,
    readonly queue: string,
    /** The key the worker signs receipt links with and the server checks them with. */
    readonly key: Buffer,
    readonly bureau: string,
    readonly year: number,
    readonly today: string,
  ) {}

  static async start(): Promise<DevStack> {
    const cli = findTemporalCli();
    if (!cli.path) throw new Error('Temporal CLI not built: run `npm run setup`');
    const port = await freePort();
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.path },
        ip: '127.0.0.1',
        port,
        extraArgs: devServerSearchAttributeFlags(),
      },
    });
    const today = chinaToday();
    const year = Number(today.slice(0, 4));
    const bureau = `r${Math.random().toString(36).slice(2, 8)}`;
    const key = randomBytes(32);
    const dirs = testDirs();
    const evidenceDir = path.join(path.dirname(dirs.archiveDir), 'evidence');
    const counties = examplePlan().counties.map((c) => c.code);
    // The server first: its address goes into the receipt links the worker's emails carry.
    const app = await createServer({
      client: env.client,
      config: { namespace: env.namespace ?? 'default', bureau, year, logLevel: 'silent', refreshSeconds: 2 },
      users: loadUsers(USERS_FILE, counties),
      evidenceDir,
      archiveDir: dirs.archiveDir,
      receiptKey: key,
      // Current cases however slow a loaded machine makes a query (the last answer has its own tests).
      caseReadBudgetMs: 120_000,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const queue = uniqueQueue('roles');
    const deps = testActivityDeps(env, queue, dirs);
    const worker = await createTestWorker(env, queue, {
      ...deps,
      email: { ...deps.email, receiptLinks: { baseUrl: url, key } },
    });
    const running = worker.run();
    return new DevStack(env, worker, running, dirs, app, url, queue, key, bureau, year, today);
  }

  ref(county: string): VisitRef {
    return { year: this.year, bureau: this.bureau, county };
  }

  caseId(county: string): string {
    return visitWorkflowId(this.year, this.bureau, county);
  }

  /** Starts a county's visit dated today, on its own clock in the middle of today (notice and visit day at once). */
  async startVisit(county: string, opts: VisitOptions = {}): Promise<void> {
    const plan = examplePlan((raw) => {
      raw.year = this.year;
      raw.bureau.code = this.bureau;
      opts.edit?.(raw);
    });
    const c = plan.counties.find((x) => x.code === county)!;
    const msPerDay = opts.msPerDay ?? 600_000;
    const input: VisitInput = {
      programmeWorkflowId: 'test',
      plan: { ...plan, counties: [c] },
      county: c,
      date: this.today,
      mailRetry: FAST_MAIL,
      visibility: true,
      timeScale: { msPerDay, startDate: this.today },
      // Scheduled work falls due at 09:00 (simulated): the clock starts at 10:48, so the visit day
      // has begun, and today lasts most of a simulated day more.
      timeScaleEpochMs: Date.now() - 0.45 * msPerDay,
    };
    opts.beforeStart?.();
    await this.env.client.workflow.start('countyVisitWorkflow', {
      workflowId: this.caseId(county),
      taskQueue: this.queue,
      args: [input],
    });
  }

  get(county: string): Promise<VisitCase> {
    return visitOps.get(this.env.client, this.ref(county));
  }

  async waitCase(county: string, ok: (c: VisitCase) => boolean, what: string, timeoutMs = 60_000): Promise<VisitCase> {
    const deadline = Date.now() + timeoutMs;
    let last: VisitCase | undefined;
    while (Date.now() < deadline) {
      last = await this.get(county).catch(() => undefined);
      if (last && ok(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${county} never reached: ${what} (stage ${last?.stage})`);
  }

  /** Every checklist item but `skip` (a person records that one in the browser) and the sampled enterprises. */
  async fillFindings(county: string, skip: string[] = []): Promise<void> {
    const ref = this.ref(county);
    const c = await this.waitCase(county, (x) => x.stage === 'onsite', 'onsite');
    for (const f of findingsFor().filter((x) => !skip.includes(x.item)))
      await visitOps.setFinding(this.env.client, ref, { actor: supervisor, ...(f as any) });
    for (const e of c.sample!.enterprises)
      await visitOps.setEnterpriseResult(this.env.client, ref, {
        actor: supervisor,
        enterprise: e.id,
        findings: ['现场检查记录未载明隐患整改期限。'],
      });
  }

  /** On site → findings → submitted; returns once the leader's draft exists. */
  async toApproval(county: string): Promise<VisitCase> {
    await this.fillFindings(county);
    await visitOps.submit(this.env.client, this.ref(county), { actor: supervisor });
    return this.waitCase(county, (x) => x.approval.rounds.length === 1, 'the draft');
  }

  /** … → approved → the letter delivered: the case in rectification. */
  async toRectification(county: string): Promise<VisitCase> {
    await this.toApproval(county);
    await visitOps.approve(this.env.client, this.ref(county), { actor: leader, comment: '同意' });
    return this.waitCase(county, (x) => x.stage === 'rectification', 'rectification');
  }

  /** A fresh headless Chromium with its own profile (Debian's chromium, driven by playwright-core). */
  async page(): Promise<Page> {
    const context = await chromium.launchPersistentContext(tempDir('guidance-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1360, height: 820 },
      args: CHROMIUM_ARGS,
    });
    this.contexts.push(context);
    return context.pages()[0] ?? context.newPage();
  }

  /** Logs an example user in (password `heluo-<id>`); the dashboard opens on the inbox. */
  async login(page: Page, id: string): Promise<void> {
    await page.goto(`${this.url}/#/login`);
    await page.fill('input[name=id]', id);
    await page.fill('input[name=password]', `heluo-${id}`);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#logout');
  }

  async teardown(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.app.close();
    this.worker.shutdown();
    await this.running;
    await this.env.teardown();
  }
}
