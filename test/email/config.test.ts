/**
 * Mail configuration (the worker's part from the environment, the plan's SMTP block with the
 * operator's override on top), the sent-log's integrity handling, and the pure content helpers
 * the workflows use.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailActivities } from '../../activities/email';
import { EmailConfigError, emailDepsFromConfig } from '../../activities/email/config';
import { effectiveSmtp } from '../../activities/email/settings';
import { loadConfig } from '../../config/env';
import { copyKey } from '../../activities/email/message-id';
import { SentLog } from '../../activities/email/sent-log';
import { chineseDate, failureNoticeContent, letterMailContent, MAIL_RETRY_DEFAULT } from '../../workflows/shared/email';
import { BUREAU, COUNTY, tempDir } from './helpers';

const smtp = {
  host: 'mail.heluo.example.cn',
  port: 587,
  security: 'starttls' as const,
  user: 'zhidao',
  passwordEnv: 'HELUO_SMTP_PASSWORD',
};

describe('emailDepsFromConfig', () => {
  it('without SMTP variables: the outbox and the sent-log under the working directory, no override', () => {
    const deps = emailDepsFromConfig(loadConfig({}, '/srv/guidance').mail);
    expect(deps).toEqual({
      outboxDir: path.resolve('/srv/guidance', 'outbox'),
      sentLogDir: path.resolve('/srv/guidance', 'data', 'mail-sent-log'),
    });
  });

  it('takes the operator override and moved directories from the environment', () => {
    const deps = emailDepsFromConfig(
      loadConfig(
        {
          SMTP_HOST: 'relay.example.cn',
          SMTP_PORT: '465',
          SMTP_SECURITY: 'tls',
          SMTP_USER: 'other',
          GUIDANCE_OUTBOX_DIR: 'mail/out',
          GUIDANCE_SENT_LOG_DIR: '/var/lib/guidance/sent',
        },
        '/srv',
      ).mail,
    );
    expect(deps.smtpOverride).toEqual({ host: 'relay.example.cn', port: 465, security: 'tls', user: 'other' });
    expect(deps.outboxDir).toBe(path.resolve('/srv/mail/out'));
    expect(deps.sentLogDir).toBe(path.resolve('/var/lib/guidance/sent'));
  });

  it('refuses a bad port, a bad security mode (naming the variable), an unreadable CA file', () => {
    expect(() => emailDepsFromConfig(loadConfig({ SMTP_PORT: '70000' }).mail)).toThrow(/SMTP_PORT/);
    expect(() => emailDepsFromConfig(loadConfig({ SMTP_SECURITY: 'ssl' }).mail)).toThrow(/SMTP_SECURITY/);
    expect(() => emailDepsFromConfig(loadConfig({ SMTP_TLS_CA_FILE: 'no/such/ca.pem' }).mail)).toThrow(
      EmailConfigError,
    );
    expect(() => emailDepsFromConfig(loadConfig({ SMTP_TLS_CA_FILE: 'no/such/ca.pem' }).mail)).toThrow(
      /SMTP_TLS_CA_FILE/,
    );
  });

  it('reads a private CA for TLS verification', async () => {
    const dir = await tempDir('email-config');
    try {
      await fs.writeFile(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const deps = emailDepsFromConfig(loadConfig({ SMTP_TLS_CA_FILE: 'ca.pem' }, dir).mail);
      expect(deps.tls?.ca).toContain('BEGIN CERTIFICATE');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("effectiveSmtp: the plan's block, the operator's override on top", () => {
  it('neither names a server: the outbox', () => {
    expect(effectiveSmtp(undefined, {})).toBeUndefined();
    // A port alone names no server.
    expect(effectiveSmtp(undefined, { port: 2525 })).toBeUndefined();
  });

  it("no override: exactly the plan's block, defaults applied", () => {
    expect(effectiveSmtp(smtp)).toEqual(smtp);
    expect(effectiveSmtp({ host: 'mail.heluo.example.cn', port: 587 })).toEqual({
      host: 'mail.heluo.example.cn',
      port: 587,
      security: 'starttls',
      passwordEnv: 'SMTP_PASSWORD',
    });
  });

  it("the override replaces host, port, security and user field by field; the password variable stays the plan's", () => {
    expect(effectiveSmtp(smtp, { host: 'relay.example.cn', port: 465, security: 'tls', user: 'other' })).toEqual({
      host: 'relay.example.cn',
      port: 465,
      security: 'tls',
      user: 'other',
      passwordEnv: 'HELUO_SMTP_PASSWORD',
    });
    expect(effectiveSmtp(smtp, { host: 'relay.example.cn' })).toEqual({ ...smtp, host: 'relay.example.cn' });
  });

  it('the override alone configures SMTP, the port following the security mode', () => {
    expect(effectiveSmtp(undefined, { host: 'relay.example.cn', security: 'tls' })).toEqual({
      host: 'relay.example.cn',
      port: 465,
      security: 'tls',
      passwordEnv: 'SMTP_PASSWORD',
    });
    expect(effectiveSmtp(undefined, { host: 'relay.example.cn' })?.port).toBe(587);
  });

  it('a block that does not hold is a non-retryable PlanNotServable', () => {
    const err = (() => {
      try {
        effectiveSmtp({ host: 'mail.heluo.example.cn', port: 70000 });
      } catch (e) {
        return e as ApplicationFailure;
      }
    })();
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err?.type).toBe('PlanNotServable');
    expect(err?.nonRetryable).toBe(true);
    expect(err?.message).toContain('smtp.port');
  });
});

describe('sent-log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('email-sentlog');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes records atomically, leaving no temporary files', async () => {
    const log = new SentLog(dir);
    const key = copyKey('w', 's', COUNTY.address);
    const rec = {
      version: 1 as const,
      key,
      messageId: '<x@y.cn>',
      workflowId: 'w',
      step: 's',
      recipient: COUNTY.address,
      state: 'intent' as const,
      transport: 'smtp' as const,
      attempts: 1,
      date: '2027-04-15T00:00:00.000Z',
      firstAttemptAt: '2027-04-15T00:00:00.000Z',
      lastAttemptAt: '2027-04-15T00:00:00.000Z',
    };
    await log.write(rec);
    await log.write({ ...rec, state: 'accepted', response: '250 OK' });
    expect(await log.read(key)).toMatchObject({ state: 'accepted', response: '250 OK' });
    expect(await fs.readdir(dir)).toEqual([`${key}.json`]);
    expect(await log.read(copyKey('w', 's', 'other@example.cn'))).toBeUndefined();
  });

  it('a damaged record stops the send with a non-retryable IntegrityError instead of guessing', async () => {
    const { sendLetter } = createEmailActivities({ outboxDir: path.join(dir, 'out'), sentLogDir: dir });
    const key = copyKey('w', 'letter', COUNTY.address);
    await fs.writeFile(path.join(dir, `${key}.json`), '{"version":1,"state":"acc');
    const err = await sendLetter({
      workflowId: 'w',
      step: 'letter',
      recipient: COUNTY.address,
      to: [COUNTY],
      content: { subject: 's', paragraphs: ['p'] },
      sender: BUREAU,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('IntegrityError');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect(await fs.readdir(dir)).toEqual([`${key}.json`]); // nothing was sent to the outbox
  });

  it('message ids are per (workflow, step, recipient), case-insensitive in the address', () => {
    expect(copyKey('w', 's', 'YJJ@Xiangshan.example.cn')).toBe(copyKey('w', 's', 'yjj@xiangshan.example.cn'));
    expect(copyKey('w', 's', 'a@b.cn')).not.toBe(copyKey('w', 's2', 'a@b.cn'));
    expect(copyKey('w', 's', 'a@b.cn')).not.toBe(copyKey('w2', 's', 'a@b.cn'));
    // No ambiguity from separators inside the parts.
    expect(copyKey('a:b', 'c', 'x@y.cn')).not.toBe(copyKey('a', 'b:c', 'x@y.cn'));
  });
});

describe('content helpers', () => {
  it('says what the letter is and what is due when', () => {
    const c = letterMailContent({
      recipientName: '香山县应急管理局',
      title: '安全生产执法指导意见书',
      docNumber: '河洛应急指导〔2027〕3号',
      bureauName: '河洛市应急管理局',
      issuedOn: '2027-04-15',
      dueDate: '2027-05-15',
      contact: { name: '周明', phone: '0379-6321-1234' },
    });
    expect(c.subject).toBe('河洛应急指导〔2027〕3号 安全生产执法指导意见书');
    expect(c.paragraphs[0]).toBe('香山县应急管理局：');
    expect(c.paragraphs.join('')).toContain('于2027年5月15日前将整改结果报告我局');
    expect(c.signature).toEqual(['河洛市应急管理局', '2027年4月15日']);
    expect(chineseDate('2027-01-05')).toBe('2027年1月5日');
  });

  it('the failure notice names each failed address and its reason', () => {
    const c = failureNoticeContent({
      subject: '河洛应急指导〔2027〕3号 安全生产执法指导意见书',
      workflowId: 'visit-2027-heluo-xiangshan',
      step: 'letter',
      recipients: [
        {
          address: 'a@x.cn',
          role: 'to',
          status: 'failed',
          at: 't',
          error: { type: 'PermanentDeliveryFailure', message: '550 No such user' },
          deduplicated: false,
          possibleDuplicate: false,
        },
        { address: 'b@x.cn', role: 'cc', status: 'accepted', at: 't', deduplicated: false, possibleDuplicate: false },
      ],
    });
    expect(c.subject).toBe('【送达失败】河洛应急指导〔2027〕3号 安全生产执法指导意见书');
    const text = c.paragraphs.join('\n');
    expect(text).toContain('a@x.cn（收件人）：PermanentDeliveryFailure，550 No such user');
    expect(text).toContain('已送达：b@x.cn');
  });

  it('the default mail profile retries for days, not minutes', () => {
    expect(MAIL_RETRY_DEFAULT.giveUpAfterMs).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(MAIL_RETRY_DEFAULT.attemptTimeoutMs).toBeGreaterThan(30_000 + 30_000 + 120_000); // the SMTP socket timeouts
  });
});
