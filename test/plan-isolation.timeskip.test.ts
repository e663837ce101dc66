/**
 * The plan a programme was started with is the plan its activities use. One worker, wired exactly
 * as the production worker is (workerActivities: no plan, mail settings from its configuration),
 * runs visits from two plans:
 *   A — the example plan (河洛市; no SMTP block, so its mail goes to the worker's outbox);
 *   B — another bureau (云岭市) from its own plan file, with its own sender, its own SMTP block
 *       (a loopback server), and a templatesDir holding a copy of templates/ whose notice.hbs
 *       carries a marker phrase and whose wording.yaml changes the notice mail's subject.
 * Each visit's notice must be rendered with its own plan's templates and mailed from its own
 * plan's sender, with its own plan's wording, through its own plan's transport.
 *
 * And the programme's first step, checkPlanServable, refuses a plan this worker cannot serve.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { simpleParser, type AddressObject } from 'mailparser';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES_DIR } from '../activities/documents/templates';
import { loadConfig } from '../config/env';
import { loadPlanFile } from '../client/plan';
import { workerActivities } from '../worker/worker';
import { FailureType } from '../workflows/shared/errors';
import type { Plan } from '../workflows/shared/plan';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { failureOf } from './helpers/failure';
import { rawExamplePlan } from './helpers/plans';
import { createTimeSkippingEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver } from './helpers/visit-driver';
import { startProgramme } from '../client/programme';
import { visitWorkflowId } from '../workflows/contracts/common';
import { uniqueQueue, workflowBundle } from './helpers/worker';

const MARKER = '本通知依云岭市应急管理局执法指导专用模板制发';
const B_SUBJECT = '【云岭市执法指导通知】';
const B_SENDER = { name: '云岭市应急管理局', address: 'zhidao@yunling.example.cn' };

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let root: string;
let activities: ReturnType<typeof workerActivities>;
let d: VisitDriver;

/** Plan B's directory: a plan file and its own templates (a copy of the built-in ones, marked). */
function writePlanB(year: number, smtpPort: number): string {
  const dir = path.join(root, 'yunling');
  const tpl = path.join(dir, 'templates');
  mkdirSync(dir, { recursive: true });
  cpSync(BUILTIN_TEMPLATES_DIR, tpl, { recursive: true });
  const notice = path.join(tpl, 'notice.hbs');
  writeFileSync(
    notice,
    readFileSync(notice, 'utf8').replace('<h1>四、有关要求</h1>', `<h1>四、有关要求</h1>\n<p>${MARKER}。</p>`),
  );
  // The bureau's own wording, only the notice mail's subject changed.
  writeFileSync(
    path.join(tpl, 'wording.yaml'),
    stringify({ mail: { notice: { subject: `${B_SUBJECT}{{docNumber}} {{county}}` } } }),
  );

  const raw = rawExamplePlan();
  raw.year = year;
  raw.bureau = {
    ...raw.bureau,
    code: `yunling${Math.random().toString(36).slice(2, 6)}`,
    name: B_SENDER.name,
    shortName: '云岭应急',
    address: '云岭市建设路 1 号',
    email: B_SENDER.address,
  };
  raw.templatesDir = 'templates'; // relative to the plan file, as a bureau would write it
  raw.smtp = { host: '127.0.0.1', port: smtpPort, security: 'none' };
  const file = path.join(dir, 'plan.yaml');
  writeFileSync(file, stringify(raw));
  return file;
}

function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

function fromOf(a: AddressObject | AddressObject[] | undefined): { name: string; address: string | undefined }[] {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) =>
    o.value.map((v) => ({ name: v.name, address: v.address })),
  );
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'plan-isolation-'));
  env = await createTimeSkippingEnv();
  sink = await startSmtpSink();
  const queue = uniqueQueue('isolation');
  // The worker's own configuration, as its environment would give it: directories only, no plan,
  // no SMTP override.
  const config = loadConfig(
    { GUIDANCE_DATA_DIR: 'data', GUIDANCE_OUTBOX_DIR: 'outbox', GUIDANCE_SENT_LOG_DIR: 'sent-log' },
    root,
  );
  activities = workerActivities({ dataDir: config.dataDir, taskQueue: queue, client: env.client, mail: config.mail });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: queue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  running = worker.run();
  d = new VisitDriver(env, queue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await sink?.close();
  await env?.teardown();
});

describe('a programme uses the plan it was started with, not one the worker loaded (time-skipping)', () => {
  it("renders each plan's notice with its own templates and mails it from its own sender, wording and transport", async () => {
    const { year, date } = await d.visitDate();
    const planA: Plan = d.planFor(year); // the example plan
    const planB: Plan = loadPlanFile(writePlanB(year, sink.port));
    expect(planB.templatesDir).toBe(path.join(root, 'yunling', 'templates'));
    expect(planB.wording.mail.notice.subject.startsWith(B_SUBJECT)).toBe(true);

    const [hA, hB] = await Promise.all([d.start(planA, 0, date), d.start(planB, 0, date)]);
    await d.skipTo(date);
    const [a, b] = await Promise.all([d.waitForStage(hA, 'onsite'), d.waitForStage(hB, 'onsite')]);

    // Rendering: B's notice carries B's marker; A's, rendered by the same worker, does not.
    expect(b.notice?.document.path).toBeDefined();
    expect(pdfText(b.notice!.document.path)).toContain(MARKER);
    expect(pdfText(b.notice!.document.path)).toContain(B_SENDER.name);
    expect(pdfText(a.notice!.document.path)).not.toContain(MARKER);

    // Mail for B: through B's SMTP server, from B's sender, with B's subject.
    expect(b.notice?.delivery?.status).toBe('delivered');
    const mails = await Promise.all(sink.messages.map(async (m) => ({ m, p: await simpleParser(m.raw) })));
    const noticeB = mails.find(({ p }) => p.subject?.startsWith(B_SUBJECT));
    expect(noticeB, mails.map(({ p }) => p.subject).join('\n')).toBeDefined();
    expect(noticeB!.m.mailFrom).toBe(B_SENDER.address);
    expect(fromOf(noticeB!.p.from)).toEqual([B_SENDER]);
    expect(noticeB!.p.subject).toContain(b.notice!.docNumber);
    expect(noticeB!.p.messageId).toMatch(/@yunling\.example\.cn>$/);
    // Nothing of A's went through B's server.
    expect(sink.messages.every((m) => m.mailFrom === B_SENDER.address)).toBe(true);

    // Mail for A: no SMTP block in plan A, so the worker's outbox; A's sender, the default wording.
    expect(a.notice?.delivery?.status).toBe('delivered');
    const outbox = path.join(root, 'outbox');
    const emls = await Promise.all(
      readdirSync(outbox)
        .filter((f) => f.endsWith('.eml'))
        .map((f) => simpleParser(readFileSync(path.join(outbox, f)))),
    );
    const noticeA = emls.find((p) => p.subject?.includes(a.notice!.docNumber));
    expect(noticeA, emls.map((p) => p.subject).join('\n')).toBeDefined();
    expect(fromOf(noticeA!.from)).toEqual([{ name: planA.bureau.name, address: planA.bureau.email }]);
    expect(noticeA!.subject?.startsWith('【执法指导通知】')).toBe(true);
    expect(emls.every((p) => !p.subject?.startsWith(B_SUBJECT))).toBe(true);
  });
});

describe('a programme started from its own plan file (time-skipping)', () => {
  it("its visit renders with the programme's templates and mails from the programme's sender", async () => {
    const { year, date } = await d.visitDate(3);
    const planB: Plan = loadPlanFile(writePlanB(year, sink.port));
    const county = planB.counties[0]!;
    const handle = await startProgramme(
      env.client,
      { ...planB, counties: [{ ...county, date }] },
      { taskQueue: d.queue, visibility: false, mailRetry: FAST_MAIL },
    );
    expect(handle.workflowId).toContain(planB.bureau.code);
    await d.skipTo(date);
    const h = env.client.workflow.getHandle(visitWorkflowId(year, planB.bureau.code, county.code));
    const v = await d.waitForStage(h, 'onsite');
    expect(pdfText(v.notice!.document.path)).toContain(MARKER);
    const mails = await Promise.all(sink.messages.map(async (m) => ({ m, p: await simpleParser(m.raw) })));
    const notice = mails.find(({ p }) => p.subject?.includes(v.notice!.docNumber));
    expect(notice, mails.map(({ p }) => p.subject).join('\n')).toBeDefined();
    expect(notice!.m.mailFrom).toBe(B_SENDER.address);
    expect(notice!.p.subject?.startsWith(B_SUBJECT)).toBe(true);
  });
});

describe('checkPlanServable refuses a plan this worker cannot serve', () => {
  const mock = new MockActivityEnvironment();
  const check = (input: Parameters<typeof activities.checkPlanServable>[0]) =>
    mock.run(activities.checkPlanServable, input) as Promise<void>;

  it('serves the example plan and a plan whose templates and SMTP block it has', async () => {
    const { bureau } = rawExamplePlan();
    await expect(check({ sender: { name: bureau.name, address: bureau.email } })).resolves.toBeUndefined();
    const tpl = mkdtempSync(path.join(root, 'tpl-'));
    cpSync(BUILTIN_TEMPLATES_DIR, tpl, { recursive: true });
    await expect(
      check({ templatesDir: tpl, smtp: { host: '127.0.0.1', port: sink.port, security: 'none' }, sender: B_SENDER }),
    ).resolves.toBeUndefined();
  });

  it('a templatesDir missing on this worker: non-retryable PlanNotServable naming the directory', async () => {
    const missing = path.join(root, 'on-another-machine', 'templates');
    const f = await failureOf(check({ templatesDir: missing, sender: B_SENDER }));
    expect(f.type).toBe(FailureType.PlanNotServable);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain(missing);
  });

  it('a templatesDir whose templates fail the check here: PlanNotServable naming the template', async () => {
    const tpl = mkdtempSync(path.join(root, 'broken-'));
    cpSync(BUILTIN_TEMPLATES_DIR, tpl, { recursive: true });
    writeFileSync(
      path.join(tpl, 'notice.hbs'),
      readFileSync(path.join(tpl, 'notice.hbs'), 'utf8').replace('</title>', '</title><p>{{visit.room}}</p>'),
    );
    const f = await failureOf(check({ templatesDir: tpl, sender: B_SENDER }));
    expect(f.type).toBe(FailureType.PlanNotServable);
    expect(f.message).toContain('notice.hbs');
  });

  it("a password variable the plan names but this worker's environment lacks: PlanNotServable naming the variable", async () => {
    const name = 'GUIDANCE_TEST_ABSENT_SMTP_PASSWORD';
    expect(process.env[name]).toBeUndefined();
    const f = await failureOf(
      check({
        smtp: { host: 'mail.yunling.example.cn', port: 587, security: 'starttls', user: 'zhidao', passwordEnv: name },
        sender: B_SENDER,
      }),
    );
    expect(f.type).toBe(FailureType.PlanNotServable);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain(name);
    expect(f.message).toContain('zhidao');
  });
});
