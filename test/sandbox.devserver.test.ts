/**
 * `guidance sandbox` on the real dev server (the project's Temporal CLI build, the embedded
 * default's own start): the example plan on a fast practice clock (2 s a
 * simulated day). The dashboard says 演练模式 with a simulated date that advances, the first notice
 * goes to the practice outbox marked 【演练】, the first visit reaches 现场指导 and stays there —
 * nobody is simulated — until a person acts through the dashboard's API; stopping ends it all.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env';
import { connectClient, type TemporalConfig } from '../config/temporal';
import { endPracticeRuns, exampleLogins, startSandbox, type Sandbox } from '../client/sandbox';
import { ensureDevServer, type RunningService } from '../worker/service';
import { loadUsers } from '../client/users';
import { visitWorkflowId } from '../workflows/contracts/common';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import { examplePlan } from './helpers/plans';
import { login } from './http/helpers';
import { waitFor } from './helpers/wait';
import { workflowBundle } from './helpers/worker';

const MS_PER_DAY = 2000;
const CHROMIUM = '/usr/bin/chromium';
let sandbox: Sandbox;
let outbox: string;
let temporal: TemporalConfig;
let service: RunningService;

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function mode(): Promise<{ practice: boolean; today: string; label: string }> {
  return (await sandbox.app.inject({ method: 'GET', url: '/api/mode' })).json();
}

const firstVisit = () =>
  sandbox.client.workflow.getHandle(
    visitWorkflowId(sandbox.plan.year, sandbox.plan.bureau.code, sandbox.firstNotice.county),
  );
const firstCase = () => firstVisit().query(visitCaseQuery);

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-'));
  // The worker's production route, a prebuilt bundle (GUIDANCE_WORKFLOW_BUNDLE): vitest's require
  // cannot resolve the workflows' directory the way tsx does. Set before the configuration is read.
  const bundleFile = path.join(dir, 'workflows.bundle.js');
  writeFileSync(bundleFile, (await workflowBundle()).code);
  process.env.GUIDANCE_WORKFLOW_BUNDLE = bundleFile;
  const port = await freePort();
  temporal = {
    external: false,
    connection: { address: `127.0.0.1:${port}` },
    namespace: 'default',
    taskQueue: `sandbox-${Date.now().toString(36)}`,
    dataDir: path.join(dir, 'data'),
    devServerPort: port,
    uiPort: await freePort(),
  };
  const config = loadConfig({
    ...process.env,
    GUIDANCE_DATA_DIR: temporal.dataDir,
    GUIDANCE_OUTBOX_DIR: path.join(dir, 'outbox'),
    GUIDANCE_SENT_LOG_DIR: path.join(dir, 'sent-log'),
  });
  // The embedded default's own start, done here first so the test can look at the server after the
  // sandbox stops (the sandbox then finds it listening and uses it, as a second `npm start` would).
  service = await ensureDevServer(temporal);
  sandbox = await startSandbox({ plan: examplePlan(), temporal, msPerDay: MS_PER_DAY, config, http: { port: 0 } });
  outbox = sandbox.outboxDir;
});
afterAll(async () => {
  await sandbox?.stop();
  await service?.stop();
});

describe('the practice year on the dev server', () => {
  it('runs apart from the real programme: practice ids, its own task queue, the outbox under practice/', () => {
    expect(sandbox.plan.bureau.code).toMatch(/^heluo-practice-/);
    expect(sandbox.programmeId).toBe(`guidance-2027-${sandbox.plan.bureau.code}`);
    expect(sandbox.taskQueue).toMatch(/-practice$/);
    expect(path.basename(outbox)).toBe('practice');
    expect(sandbox.plan.smtp).toBeUndefined();
  });

  it('says 演练模式 with a simulated date that advances', async () => {
    const first = await mode();
    expect(first).toMatchObject({ practice: true, label: '演练模式' });
    expect(first.today >= sandbox.timeScale.startDate).toBe(true);
    const later = await waitFor(
      async () => {
        const m = await mode();
        return m.today > first.today ? m : undefined;
      },
      4 * MS_PER_DAY,
      'the next simulated day',
    );
    expect(later.today > first.today).toBe(true);
  });

  it('sends the first notice to the practice outbox, its subject marked 【演练】', async () => {
    const { county } = sandbox.firstNotice;
    const file = await waitFor(
      async () => readdirSync(outbox).find((f) => f.endsWith('.eml') && f.includes(`-${county}--notice--`)),
      90_000,
      'the notice in the outbox',
    );
    const mail = await simpleParser(readFileSync(path.join(outbox, file)));
    expect(mail.subject).toMatch(/^【演练】【执法指导通知】/);
    const c = await firstCase();
    expect(c.notice?.delivery?.status).toBeDefined();
    // The notice went out on the day the sandbox announced, on the practice clock.
    expect(c.audit.find((a) => a.action === 'notice')).toBeDefined();
  });

  it("the notice's receipt link opens the practice dashboard, which accepts it (not the real one's port)", async () => {
    const { county } = sandbox.firstNotice;
    const file = await waitFor(
      async () => readdirSync(outbox).find((f) => f.endsWith('.eml') && f.includes(`-${county}--notice--`)),
      90_000,
      'the notice in the outbox',
    );
    const mail = await simpleParser(readFileSync(path.join(outbox, file)));
    const link = /(https?:\/\/\S+?)\/receipt\.html#([A-Za-z0-9_.-]+)/.exec(mail.text ?? '');
    expect(link, mail.text).not.toBeNull();
    expect(link![1]).toBe(sandbox.url);
    // Over the network, at the link's own address: the practice dashboard knows the practice case.
    const res = await fetch(`${link![1]}/api/receipt?token=${link![2]}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { receipt: string; docNumber?: string; acknowledged?: unknown };
    expect(body.receipt).toBe('R1');
    expect(body.docNumber).toBe((await firstCase()).notice?.docNumber);
    expect(body.acknowledged).toBeUndefined();
  });

  it('the first visit reaches 现场指导 and waits there for people, several simulated days long', async () => {
    const onsite = await waitFor(
      async () => {
        const c = await firstCase();
        return c.stage === 'onsite' ? c : undefined;
      },
      90_000,
      'the first visit on site',
    );
    expect(onsite.date).toBe(sandbox.firstNotice.visitDate);
    const since = (await mode()).today;
    await new Promise((r) => setTimeout(r, 4 * MS_PER_DAY));
    expect((await mode()).today > since).toBe(true);
    const still: VisitCase = await firstCase();
    expect(still.stage).toBe('onsite');
    expect(still.findings.every((f) => f.result === undefined)).toBe(true);
    expect(still.approval.rounds).toHaveLength(0);
    expect(still.audit.filter((a) => a.role !== 'system')).toEqual([]);
  });

  it('a person acts through the dashboard API with the example login', async () => {
    const { 'sun-li': cookie } = await login(sandbox.app, ['sun-li']);
    const res = await sandbox.app.inject({
      method: 'POST',
      url: `/api/years/${sandbox.plan.year}/cases/${sandbox.firstNotice.county}/findings`,
      headers: { cookie: cookie! },
      payload: {
        item: 'plan.compile',
        result: '不符合',
        problem: '列入计划的一般生产经营单位不足三分之一。',
        opinion: '调整年度监督检查计划。',
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const c = await firstCase();
    expect(c.findings.find((f) => f.item === 'plan.compile')?.result).toBe('不符合');
    expect(c.audit.some((a) => a.by === 'sun-li')).toBe(true);
  });

  it('prints the example logins with their published passwords', async () => {
    const logins = await exampleLogins(loadUsers(path.resolve(__dirname, '../examples/users.yaml')));
    expect(logins.find((u) => u.id === 'admin')?.password).toBe('heluo-admin');
    expect(logins.find((u) => u.id === 'xiangshan')?.password).toBe('heluo-xiangshan');
    expect(logins.every((u) => u.password === `heluo-${u.id}`)).toBe(true);
  });

  it.skipIf(!existsSync(CHROMIUM))('the dashboard shows the banner, on the login page already', async () => {
    const context = await chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'sandbox-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      locale: 'zh-CN',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${sandbox.url}/#/login`);
      const banner = page.locator('#practice-banner');
      await banner.waitFor();
      const text = await banner.innerText();
      expect(text).toContain('演练模式');
      expect(text).toContain('不是真实执法指导');
      expect(text).toMatch(/今天（模拟）：\d{4}-\d{2}-\d{2}/);
      expect(await page.title()).toMatch(/^【演练】/);
      // The date moves on with the practice clock.
      const shown = /今天（模拟）：(\d{4}-\d{2}-\d{2})/.exec(text)![1]!;
      await waitFor(
        async () => ((await banner.innerText()).includes(shown) ? undefined : true),
        4 * MS_PER_DAY,
        'the banner on the next simulated day',
      );
    } finally {
      await context.close();
    }
  });

  it('stopping ends the practice workflows and the dashboard; the next run would find nothing left', async () => {
    await sandbox.stop();
    expect(sandbox.app.server.listening).toBe(false);
    const client = await connectClient(temporal);
    try {
      expect((await client.workflow.getHandle(sandbox.programmeId).describe()).status.name).toBe('TERMINATED');
      expect((await client.workflow.getHandle(firstVisit().workflowId).describe()).status.name).toBe('TERMINATED');
      const left = await waitFor(
        async () => {
          const ended = await endPracticeRuns(client, sandbox.taskQueue, 'test');
          return ended.length === 0 ? ended : undefined;
        },
        10_000,
        'no practice workflow left running',
      );
      expect(left).toEqual([]);
    } finally {
      await client.connection.close();
    }
  });
});
