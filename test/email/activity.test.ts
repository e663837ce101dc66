/**
 * The mail activity against a real SMTP server on loopback (smtp-server), with what arrives parsed
 * by an independent MIME parser (mailparser).
 *
 * Over 300 lines because it is one subject's whole table of cases, sharing their fixtures;
 * split, the same fixtures would be written twice.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailActivities, type EmailDeps } from '../../activities/email';
import type { PlanSmtp } from '../../activities/email/settings';
import { copyKey, messageIdFor } from '../../activities/email/message-id';
import { SentLog } from '../../activities/email/sent-log';
import { letterMailContent, type SendLetterInput } from '../../workflows/shared/email';
import { failureOf } from '../helpers/failure';
import {
  BUREAU,
  COUNTY,
  ISSUE_FILENAME,
  LEADER,
  freePort,
  makePdf,
  sha256,
  startSmtpSink,
  tempDir,
  type SmtpSink,
} from './helpers';

let dir: string;
let pdf: { path: string; sha256: string; bytes: Buffer };
const sinks: SmtpSink[] = [];
const servers: net.Server[] = [];

beforeEach(async () => {
  dir = await tempDir('email-activity');
  pdf = await makePdf(dir);
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  await fs.rm(dir, { recursive: true, force: true });
});

async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  sinks.push(s);
  return s;
}

function deps(extra: Partial<EmailDeps> = {}): EmailDeps {
  return {
    outboxDir: path.join(dir, 'outbox'),
    sentLogDir: path.join(dir, 'sent-log'),
    secret: () => undefined,
    timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
    ...extra,
  };
}

/** A plan's `smtp` block naming a loopback sink (security none: loopback only). */
const loopback = (port: number, over: Partial<PlanSmtp> = {}): PlanSmtp => ({
  host: '127.0.0.1',
  port,
  security: 'none',
  ...over,
});

/** The mail activity over test dirs; with `port`, every input without an `smtp` block gets the plan block of a loopback sink. */
function mailer(port: number | undefined, extra: Partial<EmailDeps> = {}) {
  const { sendLetter } = createEmailActivities(deps(extra));
  return {
    sendLetter: (input: SendLetterInput) =>
      sendLetter(port !== undefined && !input.smtp ? { ...input, smtp: loopback(port) } : input),
  };
}

const content = letterMailContent({
  recipientName: COUNTY.name,
  title: '安全生产执法指导意见书',
  docNumber: '漯应急指导〔2022〕3号',
  bureauName: BUREAU.name,
  issuedOn: '2027-04-15',
  dueDate: '2027-05-15',
  contact: { name: '周明', phone: '0379-6321-1234' },
});

function letter(over: Partial<SendLetterInput> = {}): SendLetterInput {
  return {
    workflowId: 'visit-2027-heluo-xiangshan',
    step: 'letter',
    recipient: COUNTY.address,
    to: [COUNTY],
    cc: [LEADER],
    content,
    attachments: [{ path: pdf.path, sha256: pdf.sha256, filename: ISSUE_FILENAME }],
    sender: BUREAU,
    ...over,
  };
}

function addresses(a: AddressObject | AddressObject[] | undefined): { name: string; address: string | undefined }[] {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) =>
    o.value.map((v) => ({ name: v.name, address: v.address })),
  );
}

describe('sendLetter over SMTP', () => {
  it('delivers subject, From/To/Cc, the Chinese attachment name, its exact bytes and the deterministic Message-ID', async () => {
    const s = await sink();
    const { sendLetter } = mailer(s.port);
    const sent = await sendLetter(letter());

    expect(s.messages).toHaveLength(1);
    const m = s.messages[0]!;
    expect(m.mailFrom).toBe(BUREAU.address);
    expect(m.rcptTo).toEqual([COUNTY.address]); // one envelope recipient per copy

    const parsed = await simpleParser(m.raw);
    expect(parsed.subject).toBe('漯应急指导〔2022〕3号 安全生产执法指导意见书');
    expect(addresses(parsed.from)).toEqual([{ name: BUREAU.name, address: BUREAU.address }]);
    expect(addresses(parsed.to)).toEqual([{ name: COUNTY.name, address: COUNTY.address }]);
    expect(addresses(parsed.cc)).toEqual([{ name: LEADER.name, address: LEADER.address }]);
    expect(parsed.attachments).toHaveLength(1);
    const att = parsed.attachments[0]!;
    expect(att.filename).toBe(ISSUE_FILENAME);
    expect(att.contentType).toBe('application/pdf');
    expect(sha256(att.content)).toBe(pdf.sha256);

    const expectedId = messageIdFor(copyKey('visit-2027-heluo-xiangshan', 'letter', COUNTY.address), BUREAU.address);
    expect(parsed.messageId).toBe(expectedId);
    expect(sent.messageId).toBe(expectedId);
    expect(expectedId).toMatch(/^<guidance\.[0-9a-f]{32}@heluo\.example\.cn>$/);

    // What the letter is and what is due when, in both bodies.
    expect(parsed.text).toContain('《安全生产执法指导意见书》（漯应急指导〔2022〕3号）');
    expect(parsed.text).toContain('2027年5月15日前');
    expect(parsed.html).toContain('2027年5月15日前');
    expect(parsed.html).toContain(BUREAU.name);

    // Headers are 7-bit; the attachment name is given both as RFC 2231 and as RFC 2047.
    const head = m.raw.subarray(0, m.raw.indexOf('\r\n\r\n')).toString('latin1');
    expect(/^[\x20-\x7e\r\n\t]*$/.test(head)).toBe(true);
    const text = m.raw.toString('latin1');
    expect(text).toMatch(/Content-Disposition: attachment;\s+filename\*0\*=utf-8''%E6%BC%AF/);
    expect(text).toMatch(/Content-Type: application\/pdf;\s+name="=\?UTF-8\?B\?/);

    expect(sent).toMatchObject({
      recipient: COUNTY.address,
      transport: 'smtp',
      accepted: [COUNTY.address],
      rejected: [],
      deduplicated: false,
      possibleDuplicate: false,
      attempts: 1,
    });
    expect(sent.response).toMatch(/^250 /);
  });

  it('sends a copy once: a second call for the same (workflow, step, recipient) reads the sent-log', async () => {
    const s = await sink();
    const { sendLetter } = mailer(s.port);
    const first = await sendLetter(letter());
    const connections = s.connections;
    const again = await sendLetter(letter());
    expect(s.messages).toHaveLength(1);
    expect(s.connections).toBe(connections); // the server was not even contacted
    expect(again).toEqual({ ...first, deduplicated: true });

    // A second factory over the same directory (a restarted worker) sees the same log.
    const restarted = mailer(s.port);
    expect((await restarted.sendLetter(letter())).deduplicated).toBe(true);
    // Another recipient of the same step is another copy with another Message-ID.
    const leader = await sendLetter(letter({ recipient: LEADER.address }));
    expect(leader.messageId).not.toBe(first.messageId);
    expect(s.messages).toHaveLength(2);
    expect(s.messages[1]!.rcptTo).toEqual([LEADER.address]);
  });

  it('concurrent attempts on one copy in one worker send it once', async () => {
    const s = await sink();
    const { sendLetter } = mailer(s.port);
    const results = await Promise.all([sendLetter(letter()), sendLetter(letter()), sendLetter(letter())]);
    expect(s.messages).toHaveLength(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
  });

  it('a retry after acceptance and after the sent-log write sends no second copy', async () => {
    const s = await sink();
    let dieOnce = true;
    const { sendLetter } = mailer(s.port, {
      hooks: {
        afterRecorded: () => {
          if (dieOnce) {
            dieOnce = false;
            throw new Error('worker died before Temporal recorded the result');
          }
        },
      },
    });
    await expect(sendLetter(letter())).rejects.toThrow('worker died');
    expect(s.messages).toHaveLength(1);
    const retry = await sendLetter(letter());
    expect(retry.deduplicated).toBe(true);
    expect(retry.possibleDuplicate).toBe(false);
    expect(s.messages).toHaveLength(1);
  });

  it('residual window: dying between the 250 and the sent-log write resends the identical copy, flagged', async () => {
    const s = await sink();
    let dieOnce = true;
    const { sendLetter } = mailer(s.port, {
      hooks: {
        afterAccepted: () => {
          if (dieOnce) {
            dieOnce = false;
            throw new Error('worker died before the sent-log write');
          }
        },
      },
    });
    await expect(sendLetter(letter())).rejects.toThrow('worker died');
    const retry = await sendLetter(letter());
    expect(s.messages).toHaveLength(2);
    // Same Message-ID, same Date, same boundaries: byte for byte the same message.
    expect(s.messages[1]!.raw.equals(s.messages[0]!.raw)).toBe(true);
    expect(retry).toMatchObject({ deduplicated: false, possibleDuplicate: true, attempts: 2 });
  });

  it('a link cut after the whole message was written (RFC 1047) is retried and flagged as a possible duplicate', async () => {
    let cut = true;
    const s = await sink({
      dropReply: () => {
        const now = cut;
        cut = false;
        return now;
      },
    });
    const { sendLetter } = mailer(s.port);
    const f = await failureOf(sendLetter(letter()));
    expect(f.type).toBe('TransientDeliveryFailure');
    expect(f.nonRetryable).toBe(false);
    expect(s.dropped).toHaveLength(1);
    const retry = await sendLetter(letter());
    expect(s.messages).toHaveLength(1);
    expect(retry.possibleDuplicate).toBe(true);
  });

  it('550 for the recipient is a non-retryable PermanentDeliveryFailure and is logged as rejected', async () => {
    const s = await sink({ rcptReply: (a) => (a === COUNTY.address ? 550 : undefined) });
    const { sendLetter } = mailer(s.port);
    const f = await failureOf(sendLetter(letter()));
    expect(f.type).toBe('PermanentDeliveryFailure');
    expect(f.nonRetryable).toBe(true);
    expect(f.details?.[0]).toMatchObject({ recipient: COUNTY.address, responseCode: 550, command: 'RCPT TO' });
    expect(s.messages).toHaveLength(0);
    const rec = await new SentLog(path.join(dir, 'sent-log')).read(
      copyKey('visit-2027-heluo-xiangshan', 'letter', COUNTY.address),
    );
    expect(rec).toMatchObject({ state: 'rejected', lastError: { responseCode: 550 } });
  });

  it('451 for the recipient is a retryable TransientDeliveryFailure', async () => {
    const s = await sink({ rcptReply: () => 451 });
    const { sendLetter } = mailer(s.port);
    const f = await failureOf(sendLetter(letter()));
    expect(f.type).toBe('TransientDeliveryFailure');
    expect(f.nonRetryable).toBe(false);
    expect(f.details?.[0]).toMatchObject({ responseCode: 451 });
  });

  it('connection refused and a silent server (timeout) are transient', async () => {
    const port = await freePort();
    const refused = await failureOf(mailer(port).sendLetter(letter()));
    expect(refused.type).toBe('TransientDeliveryFailure');
    expect(refused.message).toMatch(/ECONNREFUSED|ECONNECTION/);

    const silent = net.createServer(() => undefined); // accepts, never greets
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const timedOut = await failureOf(
      mailer(silentPort, { timeouts: { connectionMs: 500, greetingMs: 500, socketMs: 500 } }).sendLetter(letter()),
    );
    expect(timedOut.type).toBe('TransientDeliveryFailure');
    expect(timedOut.message).toContain('ETIMEDOUT');
  });

  it('a malformed recipient is permanent and the server is never contacted', async () => {
    const s = await sink();
    const { sendLetter } = mailer(s.port);
    for (const bad of [
      'yjj.xiangshan.example.cn',
      'a@b.example.cn, c@d.example.cn',
      '香山县 <yjj@xiangshan.example.cn>',
    ]) {
      const f = await failureOf(sendLetter(letter({ recipient: bad, to: [{ address: bad }], cc: [] })));
      expect(f.type).toBe('PermanentDeliveryFailure');
      expect(f.nonRetryable).toBe(true);
    }
    expect(s.connections).toBe(0);
  });

  it('an attachment whose bytes differ from the recorded sha256, or that is gone, is never sent', async () => {
    const s = await sink();
    const { sendLetter } = mailer(s.port);
    await fs.appendFile(pdf.path, 'tampered');
    const altered = await failureOf(sendLetter(letter()));
    expect(altered.type).toBe('IntegrityError');
    expect(altered.nonRetryable).toBe(true);
    await fs.rm(pdf.path);
    const missing = await failureOf(sendLetter(letter()));
    expect(missing.type).toBe('IntegrityError');
    expect(s.connections).toBe(0);
  });

  it('logs in with the password from the variable the plan names; a wrong password is transient and never echoed', async () => {
    const s = await sink({ auth: { user: 'zhidao', pass: 'pa55-秘密' } });
    const smtp = loopback(s.port, { user: 'zhidao', passwordEnv: 'HELUO_SMTP_PASSWORD' });
    const env = (password: string) => (name: string) => (name === 'HELUO_SMTP_PASSWORD' ? password : undefined);
    await mailer(undefined, { secret: env('pa55-秘密') }).sendLetter(letter({ smtp }));
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.user).toBe('zhidao');

    const f = await failureOf(
      mailer(undefined, { secret: env('wrong-口令-123') }).sendLetter(letter({ step: 'other', smtp })),
    );
    expect(f.type).toBe('TransientDeliveryFailure');
    expect(f.message).toContain('SMTP 登录失败');
    expect(JSON.stringify({ m: f.message, d: f.details })).not.toContain('wrong-口令-123');
  });

  it('a password variable the plan names but this worker lacks is a non-retryable PlanNotServable; nothing is recorded or sent', async () => {
    const s = await sink({ auth: { user: 'zhidao', pass: 'p' } });
    const f = await failureOf(
      mailer(undefined).sendLetter(
        letter({ smtp: loopback(s.port, { user: 'zhidao', passwordEnv: 'HELUO_SMTP_PASSWORD' }) }),
      ),
    );
    expect(f.type).toBe('PlanNotServable');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('HELUO_SMTP_PASSWORD');
    expect(f.message).toContain('zhidao');
    expect(s.connections).toBe(0);
    expect(
      await new SentLog(path.join(dir, 'sent-log')).read(
        copyKey('visit-2027-heluo-xiangshan', 'letter', COUNTY.address),
      ),
    ).toBeUndefined();
  });

  it("each input's plan decides sender and server: two plans through one activity instance", async () => {
    const a = await sink();
    const b = await sink();
    const other = { name: '云岭市应急管理局', address: 'zhidao@yunling.example.cn' };
    const { sendLetter } = mailer(undefined);
    const sentA = await sendLetter(letter({ smtp: loopback(a.port) }));
    const sentB = await sendLetter(
      letter({ workflowId: 'visit-2027-yunling-xiangshan', sender: other, smtp: loopback(b.port) }),
    );
    expect(a.messages.map((m) => m.mailFrom)).toEqual([BUREAU.address]);
    expect(b.messages.map((m) => m.mailFrom)).toEqual([other.address]);
    expect(addresses((await simpleParser(b.messages[0]!.raw)).from)).toEqual([other]);
    // The Message-ID keeps its key and takes the domain of the copy's own sender.
    expect(sentA.messageId).toBe(
      messageIdFor(copyKey('visit-2027-heluo-xiangshan', 'letter', COUNTY.address), BUREAU.address),
    );
    expect(sentB.messageId).toBe(
      messageIdFor(copyKey('visit-2027-yunling-xiangshan', 'letter', COUNTY.address), other.address),
    );
    expect(sentB.messageId).toMatch(/@yunling\.example\.cn>$/);
  });

  it("the operator's override (SMTP_HOST/PORT/…) applies over the plan's block; without one the plan's block is used", async () => {
    const relay = await sink();
    const planServer = await sink();
    const closed = await freePort();
    // The plan names a server this worker cannot reach; the operator points the worker at its relay.
    await mailer(undefined, { smtpOverride: { host: '127.0.0.1', port: relay.port } }).sendLetter(
      letter({ smtp: loopback(closed) }),
    );
    expect(relay.messages).toHaveLength(1);
    // A plan without a block goes to the outbox unless the override names a host.
    await mailer(undefined, { smtpOverride: { host: '127.0.0.1', port: relay.port, security: 'none' } }).sendLetter(
      letter({ step: 'no-block' }),
    );
    expect(relay.messages).toHaveLength(2);
    await mailer(undefined).sendLetter(letter({ step: 'plan', smtp: loopback(planServer.port) }));
    expect(planServer.messages).toHaveLength(1);
    expect(relay.messages).toHaveLength(2);
  });

  it('implicit TLS and STARTTLS are used as configured; STARTTLS required but not offered is not sent in clear', async () => {
    const tls = { rejectUnauthorized: false }; // smtp-server's built-in self-signed test certificate
    const implicit = await sink({ tls: 'implicit' });
    await mailer(undefined, { tls }).sendLetter(letter({ smtp: loopback(implicit.port, { security: 'tls' }) }));
    expect(implicit.messages.map((m) => m.secure)).toEqual([true]);

    const starttls = await sink({ tls: 'starttls' });
    await mailer(undefined, { tls }).sendLetter(
      letter({ step: 'starttls', smtp: loopback(starttls.port, { security: 'starttls' }) }),
    );
    expect(starttls.messages.map((m) => m.secure)).toEqual([true]);

    const plain = await sink();
    const f = await failureOf(
      mailer(undefined, { tls }).sendLetter(
        letter({ step: 'plain', smtp: loopback(plain.port, { security: 'starttls' }) }),
      ),
    );
    expect(f.type).toBe('TransientDeliveryFailure');
    expect(plain.messages).toHaveLength(0);
  });

  it('refuses a plan that would send a password in clear text to a remote host, without connecting', async () => {
    const f = await failureOf(
      mailer(undefined, { secret: () => 'p' }).sendLetter(
        letter({ smtp: { host: 'mail.example.cn', port: 25, security: 'none', user: 'u' } }),
      ),
    );
    expect(f.type).toBe('PlanNotServable');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/security 为 none/);
  });
});

describe('sendLetter without SMTP: the outbox', () => {
  it('writes one .eml per copy that a mail program (and mailparser) reads back, once', async () => {
    const { sendLetter } = mailer(undefined);
    const sent = await sendLetter(letter());
    await sendLetter(letter()); // deduplicated
    await sendLetter(letter({ recipient: LEADER.address }));

    const outbox = path.join(dir, 'outbox');
    const files = (await fs.readdir(outbox)).sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
    const countyFile = files.find((f) => f.includes(COUNTY.address))!;
    expect(countyFile).toMatch(/^visit-2027-heluo-xiangshan--letter--yjj@xiangshan\.example\.cn--[0-9a-f]{12}\.eml$/);
    expect(sent).toMatchObject({ transport: 'outbox', accepted: [COUNTY.address], deduplicated: false });
    expect(sent.response).toContain(countyFile);

    const parsed = await simpleParser(await fs.readFile(path.join(outbox, countyFile)));
    expect(parsed.subject).toBe('漯应急指导〔2022〕3号 安全生产执法指导意见书');
    expect(addresses(parsed.from)).toEqual([{ name: BUREAU.name, address: BUREAU.address }]);
    expect(addresses(parsed.to)).toEqual([{ name: COUNTY.name, address: COUNTY.address }]);
    expect(addresses(parsed.cc)).toEqual([{ name: LEADER.name, address: LEADER.address }]);
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.headers.get('x-envelope-to')).toBe(COUNTY.address);
    expect(parsed.attachments[0]!.filename).toBe(ISSUE_FILENAME);
    expect(sha256(parsed.attachments[0]!.content)).toBe(pdf.sha256);
    // No temporary files are left behind.
    expect((await fs.readdir(outbox)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a crash between writing the .eml and the sent-log rewrites the same file, not a second one', async () => {
    let dieOnce = true;
    const { sendLetter } = mailer(undefined, {
      hooks: {
        afterAccepted: () => {
          if (dieOnce) {
            dieOnce = false;
            throw new Error('died');
          }
        },
      },
    });
    await expect(sendLetter(letter())).rejects.toThrow('died');
    const outbox = path.join(dir, 'outbox');
    const [file] = await fs.readdir(outbox);
    const before = await fs.readFile(path.join(outbox, file!));
    const retry = await sendLetter(letter());
    expect(await fs.readdir(outbox)).toEqual([file]);
    expect((await fs.readFile(path.join(outbox, file!))).equals(before)).toBe(true);
    expect(retry.possibleDuplicate).toBe(false);
  });
});
