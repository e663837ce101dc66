/**
 * deliverLetter end to end: a real Temporal test server, a real worker running the mail activity,
 * a real SMTP server on loopback, mailparser reading what arrived.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailActivities, type EmailActivities, type EmailDeps } from '../../activities/email';
import { letterMailContent, type SendLetterInput } from '../../workflows/shared/email';
import type { DeliverLetterRequest } from '../../workflows/lib/delivery';
import type { Smtp } from '../../workflows/shared/plan';
import { createTimeSkippingEnv } from '../helpers/temporal';
import type { deliverLetterWorkflow } from './workflows';
import {
  BUREAU,
  COUNTY,
  COUNTY2,
  LEADER,
  LETTER_FILENAME,
  SUPERVISOR,
  freePort,
  makePdf,
  sha256,
  startSmtpSink,
  tempDir,
  type SmtpSink,
} from './helpers';

// Activity failures are the point of several tests; keep the worker's log to errors.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let dir: string;
let pdf: { path: string; sha256: string; bytes: Buffer };
let seq = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: new DefaultLogger('ERROR') }),
  ]);
  dir = await tempDir('email-workflow');
  pdf = await makePdf(dir);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await env?.teardown();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  cleanups.push(() => s.close());
  return s;
}

/** A plan's `smtp` block naming a loopback sink (security none: loopback only). */
const loopback = (port: number, over: Partial<Smtp> = {}): Smtp => ({
  host: '127.0.0.1',
  port,
  security: 'none',
  passwordEnv: 'SMTP_PASSWORD',
  ...over,
});

interface Fresh {
  taskQueue: string;
  workflowId: string;
  /** The worker's mail deps; `port` (undefined: the outbox) is the SMTP server the plan of later requests names. */
  deps: (port: number | undefined, extra?: Partial<EmailDeps>) => EmailDeps;
  /** A request whose plan mails from BUREAU through the server given to `deps`. */
  request: (over?: Partial<DeliverLetterRequest>) => DeliverLetterRequest;
}

/** Fresh ids and directories per test, so no test sees another's sent-log. */
function fresh(): Fresh {
  seq += 1;
  const id = `t${seq}-${Date.now()}`;
  let port: number | undefined;
  return {
    taskQueue: `email-${id}`,
    workflowId: `visit-2027-heluo-xiangshan-${id}`,
    deps: (p, extra = {}) => {
      port = p;
      return {
        outboxDir: path.join(dir, id, 'outbox'),
        sentLogDir: path.join(dir, id, 'sent-log'),
        secret: () => undefined,
        timeouts: { connectionMs: 1000, greetingMs: 1000, socketMs: 2000 },
        ...extra,
      };
    },
    request: (over = {}) =>
      request({ mail: { sender: BUREAU, ...(port !== undefined ? { smtp: loopback(port) } : {}) }, ...over }),
  };
}

async function runWorker<T>(taskQueue: string, activities: EmailActivities, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  return worker.runUntil(fn());
}

const content = letterMailContent({
  recipientName: COUNTY.name,
  title: '安全生产执法指导意见书',
  docNumber: '河洛应急指导〔2027〕3号',
  bureauName: BUREAU.name,
  issuedOn: '2027-04-15',
  dueDate: '2027-05-15',
  contact: { name: '周明', phone: '0379-6321-1234' },
});

function request(over: Partial<DeliverLetterRequest> = {}): DeliverLetterRequest {
  return {
    step: 'letter',
    to: [COUNTY],
    content,
    attachments: [{ path: pdf.path, sha256: pdf.sha256, filename: LETTER_FILENAME }],
    supervisors: [SUPERVISOR],
    retry: {
      initialIntervalMs: 200,
      backoffCoefficient: 1.5,
      maximumIntervalMs: 500,
      giveUpAfterMs: 60_000,
      attemptTimeoutMs: 10_000,
    },
    mail: { sender: BUREAU },
    ...over,
  };
}

/** Final attempt number of each activity, by envelope recipient, from the workflow's history. */
async function attemptsByRecipient(handle: WorkflowHandle): Promise<Record<string, number>> {
  const history = await handle.fetchHistory();
  const recipientOf = new Map<string, string>();
  const out: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    const payload = scheduled?.input?.payloads?.[0]?.data;
    if (scheduled && payload) {
      const input = JSON.parse(Buffer.from(payload).toString('utf8')) as SendLetterInput;
      recipientOf.set(String(e.eventId), input.recipient);
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const r = recipientOf.get(String(started.scheduledEventId));
      if (r) out[r] = started.attempt ?? 0;
    }
  }
  return out;
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('deliverLetter', () => {
  it('sends one copy per recipient, each carrying the full To/Cc, and returns the delivery record', async () => {
    const t = fresh();
    const s = await sink();
    const record = await runWorker(t.taskQueue, createEmailActivities(t.deps(s.port)), () =>
      env.client.workflow.execute<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [t.request({ step: 'escalation:supervise', to: [COUNTY, COUNTY2], cc: [LEADER] })],
      }),
    );

    expect(record).toMatchObject({
      workflowId: t.workflowId,
      step: 'escalation:supervise',
      status: 'delivered',
      accepted: [COUNTY.address, COUNTY2.address, LEADER.address],
      rejected: [],
      attachments: [{ filename: LETTER_FILENAME, sha256: pdf.sha256 }],
    });
    expect(record.supervisorNotice).toBeUndefined();
    expect(s.messages.map((m) => m.rcptTo)).toEqual(
      expect.arrayContaining([[COUNTY.address], [COUNTY2.address], [LEADER.address]]),
    );
    expect(s.messages).toHaveLength(3);

    const ids = new Set<string>();
    for (const m of s.messages) {
      const p = await simpleParser(m.raw);
      const rcpt = m.rcptTo[0]!;
      const entry = record.recipients.find((r) => r.address === rcpt)!;
      expect(p.messageId).toBe(entry.messageId);
      expect(entry.response).toMatch(/^250 /);
      expect(entry.role).toBe(rcpt === LEADER.address ? 'cc' : 'to');
      ids.add(p.messageId!);
      expect(p.subject).toBe('河洛应急指导〔2027〕3号 安全生产执法指导意见书');
      expect(p.from?.value).toEqual([{ name: BUREAU.name, address: BUREAU.address }]);
      expect((Array.isArray(p.to) ? p.to : [p.to!]).flatMap((a) => a.value.map((v) => v.address))).toEqual([
        COUNTY.address,
        COUNTY2.address,
      ]);
      expect((Array.isArray(p.cc) ? p.cc : [p.cc!]).flatMap((a) => a.value)).toEqual([
        { name: LEADER.name, address: LEADER.address },
      ]);
      expect(p.attachments.map((a) => a.filename)).toEqual([LETTER_FILENAME]);
      expect(sha256(p.attachments[0]!.content)).toBe(pdf.sha256);
    }
    expect(ids.size).toBe(3);
  });

  it('outage: the server is down, the send retries, the server comes up, exactly one copy arrives', async () => {
    const t = fresh();
    const port = await freePort();
    const real = createEmailActivities(t.deps(port));
    let failures = 0;
    const activities: EmailActivities = {
      sendLetter: async (input) => {
        try {
          return await real.sendLetter(input);
        } catch (err) {
          failures += 1;
          throw err;
        }
      },
    };
    let s: SmtpSink | undefined;
    const record = await runWorker(t.taskQueue, activities, async () => {
      const handle = await env.client.workflow.start<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [t.request()],
      });
      // Real time here (nobody awaits the result yet, so the test server does not skip).
      await until(() => failures >= 3, 'three refused attempts');
      s = await sink({ port });
      await until(() => s!.messages.length >= 1, 'the copy to arrive');
      const result = await handle.result();
      expect((await attemptsByRecipient(handle))[COUNTY.address]).toBeGreaterThanOrEqual(4);
      return result;
    });
    // Give a stray late attempt the chance to show itself before counting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(s!.messages).toHaveLength(1);
    expect(s!.messages[0]!.rcptTo).toEqual([COUNTY.address]);
    expect(record.status).toBe('delivered');
    expect(record.recipients[0]).toMatchObject({ status: 'accepted', deduplicated: false, possibleDuplicate: false });
    expect(failures).toBeGreaterThanOrEqual(3);
  });

  it('with the default profile, retries across a two-day outage (time skipped) and delivers once', async () => {
    const t = fresh();
    const port = await freePort();
    const real = createEmailActivities(t.deps(port));
    const scheduled: number[] = [];
    let s: SmtpSink | undefined;
    const activities: EmailActivities = {
      sendLetter: async (input) => {
        // Attempt times are the test server's clock, which skips ahead while the test awaits.
        const at = Context.current().info.currentAttemptScheduledTimestampMs;
        scheduled.push(at);
        if (!s && at - scheduled[0]! >= 2 * 86_400_000) s = await sink({ port });
        return real.sendLetter(input);
      },
    };
    const record = await runWorker(t.taskQueue, activities, () =>
      env.client.workflow.execute<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [t.request({ retry: undefined })], // MAIL_RETRY_DEFAULT
      }),
    );
    expect(record.status).toBe('delivered');
    expect(s!.messages).toHaveLength(1);
    // Backoff in test-server time: 1 min, 2 min, 4 min … capped at an hour, for two days. (The test
    // server stamps an attempt when it schedules the retry, so one stamp follows a failure at once.)
    const gaps = scheduled
      .slice(1)
      .map((v, i) => v - scheduled[i]!)
      .filter((g) => g > 1000);
    expect(gaps.slice(0, 3).map((g) => Math.round(g / 60_000))).toEqual([1, 2, 4]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3_600_000 + 1000);
    expect(scheduled.at(-1)! - scheduled[0]!).toBeGreaterThanOrEqual(2 * 86_400_000);
    expect(scheduled.length).toBeGreaterThan(40);
  });

  it('a retry after the server accepted (worker died before Temporal recorded it) sends no second copy', async () => {
    const t = fresh();
    const s = await sink();
    let died = false;
    const activities = createEmailActivities(
      t.deps(s.port, {
        hooks: {
          afterRecorded: () => {
            if (!died) {
              died = true;
              throw new Error('simulated crash after acceptance');
            }
          },
        },
      }),
    );
    const { record, attempts } = await runWorker(t.taskQueue, activities, async () => {
      const handle = await env.client.workflow.start<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [t.request()],
      });
      const result = await handle.result();
      return { record: result, attempts: await attemptsByRecipient(handle) };
    });
    expect(died).toBe(true);
    expect(attempts[COUNTY.address]).toBe(2); // Temporal did retry the activity …
    expect(s.messages).toHaveLength(1); // … and the server got one copy
    expect(record.recipients[0]).toMatchObject({ status: 'accepted', deduplicated: true, possibleDuplicate: false });
    expect(record.recipients[0]!.messageId).toBe((await simpleParser(s.messages[0]!.raw)).messageId);
  });

  it('550 for the county: non-retryable, recorded as a failed delivery, the supervisor is told, the workflow completes', async () => {
    const t = fresh();
    const s = await sink({ rcptReply: (a) => (a === COUNTY.address ? 550 : undefined) });
    const { record, attempts, status, history } = await runWorker(
      t.taskQueue,
      createEmailActivities(t.deps(s.port)),
      async () => {
        const handle = await env.client.workflow.start<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
          taskQueue: t.taskQueue,
          workflowId: t.workflowId,
          args: [t.request({ cc: [LEADER] })],
        });
        const result = await handle.result();
        return {
          record: result,
          attempts: await attemptsByRecipient(handle),
          status: (await handle.describe()).status.name,
          history: await handle.fetchHistory(),
        };
      },
    );
    expect(status).toBe('COMPLETED');
    // The failure path (catch, notice) replays deterministically from its recorded history.
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, t.workflowId);
    expect(attempts[COUNTY.address]).toBe(1); // not retried
    expect(record.status).toBe('partial');
    expect(record.accepted).toEqual([LEADER.address]);
    expect(record.rejected).toEqual([COUNTY.address]);
    const failed = record.recipients.find((r) => r.address === COUNTY.address)!;
    expect(failed).toMatchObject({
      status: 'failed',
      role: 'to',
      error: { type: 'PermanentDeliveryFailure', responseCode: 550 },
    });
    expect(failed.response).toMatch(/^550 /);
    expect(failed.messageId).toMatch(/^<guidance\.[0-9a-f]{32}@heluo\.example\.cn>$/);

    // The supervisor's notice arrived, naming the county's address and the reason.
    expect(record.supervisorNotice).toMatchObject({
      status: 'sent',
      recipients: [{ address: SUPERVISOR.address, status: 'accepted' }],
    });
    const notices = s.messages.filter((m) => m.rcptTo[0] === SUPERVISOR.address);
    expect(notices).toHaveLength(1);
    const notice = await simpleParser(notices[0]!.raw);
    expect(notice.subject).toBe('【送达失败】河洛应急指导〔2027〕3号 安全生产执法指导意见书');
    expect(notice.text).toContain(COUNTY.address);
    expect(notice.text).toContain('550');
    expect(notice.attachments).toHaveLength(0);
    expect(s.messages.filter((m) => m.rcptTo[0] === COUNTY.address)).toHaveLength(0);
  });

  it('a mailbox that answers 4xx for the whole default week is given up, recorded as failed and reported', async () => {
    const t = fresh();
    const s = await sink({ rcptReply: (a) => (a === COUNTY.address ? 452 : undefined) });
    const record = await runWorker(t.taskQueue, createEmailActivities(t.deps(s.port)), () =>
      env.client.workflow.execute<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [t.request({ retry: undefined })], // MAIL_RETRY_DEFAULT: 7 days, skipped
      }),
    );
    expect(record.status).toBe('failed');
    const failed = record.recipients[0]!;
    expect(failed.error?.type).toBe('TransientDeliveryFailure');
    expect(failed.error?.message).toContain('重试 7 天后仍未送达');
    expect(failed.error?.message).toContain('452');
    expect(s.rcptAttempts.filter((a) => a === COUNTY.address).length).toBeGreaterThan(150);
    expect(record.supervisorNotice?.status).toBe('sent');
    expect(s.messages.map((m) => m.rcptTo)).toEqual([[SUPERVISOR.address]]);
  });

  it('without an SMTP server the letter goes to the outbox, and the record says so', async () => {
    const t = fresh();
    const outboxDeps = t.deps(undefined);
    const record = await runWorker(t.taskQueue, createEmailActivities(outboxDeps), () =>
      env.client.workflow.execute<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [t.request({ cc: [LEADER] })],
      }),
    );
    expect(record.status).toBe('delivered');
    expect(record.recipients.map((r) => r.transport)).toEqual(['outbox', 'outbox']);
    const files = await fs.readdir(outboxDeps.outboxDir);
    expect(files).toHaveLength(2);
    for (const f of files) {
      const p = await simpleParser(await fs.readFile(path.join(outboxDeps.outboxDir, f)));
      const entry = record.recipients.find((r) => r.address === p.headers.get('x-envelope-to'))!;
      expect(p.messageId).toBe(entry.messageId);
      expect(entry.response).toContain(f);
      expect(p.attachments.map((a) => a.filename)).toEqual([LETTER_FILENAME]);
      expect(sha256(p.attachments[0]!.content)).toBe(pdf.sha256);
    }
  });

  it('the SMTP password reaches the server but never the workflow history', async () => {
    const t = fresh();
    const password = 'Zx9-口令-never-in-history';
    const s = await sink({ auth: { user: 'zhidao', pass: password } });
    // The plan names the variable; only the worker's environment holds the value.
    const deps = t.deps(s.port, { secret: (name) => (name === 'HELUO_SMTP_PASSWORD' ? password : undefined) });
    const history = await runWorker(t.taskQueue, createEmailActivities(deps), async () => {
      const handle = await env.client.workflow.start<typeof deliverLetterWorkflow>('deliverLetterWorkflow', {
        taskQueue: t.taskQueue,
        workflowId: t.workflowId,
        args: [
          t.request({
            mail: { sender: BUREAU, smtp: loopback(s.port, { user: 'zhidao', passwordEnv: 'HELUO_SMTP_PASSWORD' }) },
          }),
        ],
      });
      await handle.result();
      return handle.fetchHistory();
    });
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.user).toBe('zhidao');
    // Every string and every payload's bytes, decoded, in one text.
    const parts: string[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
      else if (typeof v === 'string') parts.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(history);
    const raw = parts.join('\n');
    expect(raw).toContain(COUNTY.address); // the history is readable here …
    expect(raw).toContain('HELUO_SMTP_PASSWORD'); // … names the plan's password variable …
    expect(raw).not.toContain(password); // … and holds no password
    expect(raw).not.toContain(pdf.bytes.subarray(0, 64).toString('utf8')); // nor the PDF bytes
  });
});
