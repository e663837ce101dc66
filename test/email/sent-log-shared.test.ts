/**
 * Exactly-once across hosts (issue 24, point 3): two mail activities standing for two workers on
 * two hosts — separate local data directories, one PostgreSQL — send the same copy through a real
 * SMTP server on loopback. With the shared sent-log (sent-log-pg.ts) the copy is accepted once,
 * whichever host gets there first or retries; with today's local sent-log and two directories the
 * same runs send it twice (kept below as the local mode's stated limit: one sent-log directory
 * must be shared by every worker, EmailDeps.sentLogDir).
 */
import path from 'node:path';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../config/database';
import { createEmailActivities, type EmailDeps } from '../../activities/email';
import { PgSentLog } from '../../activities/email/sent-log-pg';
import { createSentStatusActivities } from '../../activities/email/sent-status';
import { readDeliveries } from '../../activities/archive-deliveries';
import { letterMailContent, type SendLetterInput } from '../../workflows/shared/email';
import { startTestPostgres, type TestPostgres } from '../helpers/shared-db';
import { BUREAU, COUNTY, makePdf, startSmtpSink, tempDir, type SmtpSink } from './helpers';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);
afterAll(async () => pg?.stop(), 30_000);

let dir: string;
let sink: SmtpSink;
const pools: Pool[] = [];
beforeEach(async () => {
  dir = await tempDir('sent-log-shared');
});
afterEach(async () => {
  await sink?.close();
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

type Mode = 'shared' | 'local';

/** Two hosts: each its own data directory (sent-log, outbox) and, shared, its own pool on one database. */
async function twoHosts(mode: Mode, hooksOfA: EmailDeps['hooks'] = {}) {
  const url = mode === 'shared' ? await pg.freshDatabase() : undefined;
  const host = (name: string, hooks: EmailDeps['hooks']) => {
    const pool = url ? openDatabase(url) : undefined;
    if (pool) pools.push(pool);
    return createEmailActivities({
      outboxDir: path.join(dir, name, 'outbox'),
      sentLogDir: path.join(dir, name, 'sent-log'),
      ...(pool ? { sentLog: new PgSentLog(pool) } : {}),
      secret: () => undefined,
      timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
      hooks,
    });
  };
  return { a: host('a', hooksOfA), b: host('b', {}), url };
}

async function letter(): Promise<SendLetterInput> {
  const pdf = await makePdf(dir);
  return {
    workflowId: 'visit-2027-heluo-xiangshan',
    step: 'letter',
    recipient: COUNTY.address,
    to: [COUNTY],
    cc: [],
    content: letterMailContent({
      recipientName: COUNTY.name,
      title: '安全生产执法指导意见书',
      docNumber: '河洛应急指导〔2027〕3号',
      bureauName: BUREAU.name,
      issuedOn: '2027-04-15',
      dueDate: '2027-05-15',
      contact: { name: '周明', phone: '0379-6321-1234' },
    }),
    attachments: [{ path: pdf.path, sha256: pdf.sha256, filename: 'letter.pdf' }],
    sender: BUREAU,
    smtp: { host: '127.0.0.1', port: sink.port, security: 'none' },
  };
}

/** Both hosts at once, many times over (each round a copy of its own). */
async function race(mode: Mode, rounds: number): Promise<number[]> {
  sink = await startSmtpSink();
  const { a, b } = await twoHosts(mode);
  const base = await letter();
  const per: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const input = { ...base, step: `letter-${i}` };
    const before = sink.messages.length;
    const [x, y] = await Promise.all([a.sendLetter(input), b.sendLetter(input)]);
    expect(x.messageId).toBe(y.messageId);
    per.push(sink.messages.length - before);
  }
  return per;
}

/** Host A's attempt is accepted by the server and recorded, but Temporal never hears of it; Temporal retries on host B. */
async function lostResult(mode: Mode) {
  sink = await startSmtpSink();
  const { a, b, url } = await twoHosts(mode, {
    afterRecorded: () => {
      throw new Error('worker A lost before reporting to Temporal');
    },
  });
  const input = await letter();
  await expect(a.sendLetter(input)).rejects.toThrow('worker A lost');
  const retry = await b.sendLetter(input);
  return { retry, arrived: sink.messages.length, input, url };
}

describe('the shared sent-log (PostgreSQL): one copy whatever host sends it', () => {
  it('two hosts racing on the same copy: the server accepts it once per copy', async () => {
    expect(await race('shared', 8)).toEqual(Array(8).fill(1));
  }, 60_000);

  it('a retry on host B after host A sent it and died before telling Temporal: nothing sent again', async () => {
    const { retry, arrived, input, url } = await lostResult('shared');
    expect(arrived).toBe(1);
    expect(retry.deduplicated).toBe(true);
    // A third host, with an empty directory of its own, knows the letter left and can archive its delivery.
    const pool = openDatabase(url!);
    pools.push(pool);
    const shared = new PgSentLog(pool);
    const status = createSentStatusActivities({ sentLogDir: path.join(dir, 'c', 'sent-log'), sentLog: shared });
    const mailed = await status.letterMailed({
      workflowId: input.workflowId,
      step: input.step,
      recipients: [COUNTY.address],
    });
    expect(mailed.status).toBe('sent');
    const deliveries = await readDeliveries(shared, input.workflowId);
    expect(deliveries.map((d) => [d.step, d.state])).toEqual([['letter', 'accepted']]);
  }, 60_000);

  it("host A's SMTP reply lost (RFC 1047): host B's retry knows the copy may be there and says so", async () => {
    let drop = true;
    sink = await startSmtpSink({ dropReply: () => (drop ? !(drop = false) : false) });
    const { a, b } = await twoHosts('shared');
    const input = await letter();
    await expect(a.sendLetter(input)).rejects.toThrow();
    expect(sink.dropped).toHaveLength(1);
    const retry = await b.sendLetter(input);
    expect(sink.messages).toHaveLength(1);
    expect(retry.possibleDuplicate).toBe(true);
    // And a third attempt, back on A, finds it accepted.
    expect((await a.sendLetter(input)).deduplicated).toBe(true);
    expect(sink.messages).toHaveLength(1);
  }, 60_000);
});

describe('the shared sent-log under load', () => {
  it('more copies at once than the pool has connections: every one sent once, none waits forever', async () => {
    sink = await startSmtpSink();
    const pool = openDatabase(await pg.freshDatabase(), 2);
    pools.push(pool);
    const { sendLetter } = createEmailActivities({
      outboxDir: path.join(dir, 'outbox'),
      sentLogDir: path.join(dir, 'sent-log'),
      sentLog: new PgSentLog(pool),
      secret: () => undefined,
      timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
    });
    const base = await letter();
    await Promise.all(Array.from({ length: 6 }, (_, i) => sendLetter({ ...base, step: `letter-${i}` })));
    expect(sink.messages).toHaveLength(6);
  }, 30_000);
});

describe("today's local sent-log on two hosts (its limit: one directory must serve every worker)", () => {
  it('two hosts racing: each sends its own copy', async () => {
    expect(await race('local', 3)).toEqual([2, 2, 2]);
  }, 60_000);

  it('a retry on host B after host A sent it: sent a second time', async () => {
    const { retry, arrived } = await lostResult('local');
    expect(arrived).toBe(2);
    expect(retry.deduplicated).toBe(false);
  }, 60_000);
});
