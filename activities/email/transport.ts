/**
 * The two ways a copy leaves the worker: SMTP (nodemailer) when the plan (or the operator's
 * override) names a server, otherwise the outbox directory (one `.eml` per copy) so `npm start` works offline and a
 * person can open every letter in a mail program.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { z } from 'zod';
import type { SmtpSchema } from '../../workflows/shared/plan';
import { writeFileDurable } from '../durable';
import { whereIs } from '../archive-store';
import type { ObjectStore } from '../storage/object-store';

export type SmtpConfig = z.output<typeof SmtpSchema>;

export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

/** Well below the mail profile's 5-minute attempt timeout, so a hung attempt ends on its own first. */
export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = { connectionMs: 30_000, greetingMs: 30_000, socketMs: 120_000 };

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** nodemailer transport options for the plan's `smtp` block; the password only ever comes in here. */
export function smtpTransportOptions(
  smtp: SmtpConfig,
  password: string | undefined,
  timeouts: SmtpTimeouts,
  tls: ConnectionOptions | undefined,
): SMTPTransport.Options {
  if (smtp.security === 'none' && smtp.user && !LOOPBACK.has(smtp.host)) {
    // A password in clear text over the network is refused outright rather than configured.
    throw new Error(
      `SMTP 配置错误：security 为 none 时不得向非本机服务器 ${smtp.host} 发送口令，请改用 tls 或 starttls`,
    );
  }
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user ? { user: smtp.user, pass: password ?? '' } : undefined,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    ...(tls ? { tls } : {}),
    // nodemailer's logger would print the SMTP dialogue; the AUTH line must never reach a log.
    logger: false,
    debug: false,
  };
}

export interface Handed {
  response: string;
  accepted: string[];
  rejected: string[];
}

export type SmtpTransport = nodemailer.Transporter<SMTPTransport.SentMessageInfo>;

/**
 * A nodemailer transport over `options`. Not pooled: every sendMail opens its own connection, so
 * one transport can be kept per SMTP setting and shared by concurrent copies.
 */
export function createSmtpTransport(options: SMTPTransport.Options): SmtpTransport {
  return nodemailer.createTransport(options);
}

/**
 * Sends `raw` to exactly one envelope recipient. `onStreamed` fires once every byte of the message
 * has been handed to nodemailer, i.e. from then on the server may have the complete message.
 */
export async function sendViaSmtp(
  transport: SmtpTransport,
  envelope: { from: string; to: string },
  raw: Buffer,
  onStreamed: () => void,
): Promise<Handed> {
  const stream = Readable.from([raw]);
  stream.once('end', onStreamed);
  const info = await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw: stream });
  return {
    response: info.response,
    accepted: info.accepted.map(addressText),
    rejected: info.rejected.map(addressText),
  };
}

function addressText(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}

/** A readable, unique, file-system-safe name for the copy. */
export function outboxFileName(workflowId: string, step: string, recipient: string, key: string): string {
  const safe = (s: string, n: number): string => s.replace(/[^A-Za-z0-9._@-]+/g, '_').slice(0, n);
  return `${safe(workflowId, 80)}--${safe(step, 60)}--${safe(recipient, 80)}--${key.slice(0, 12)}.eml`;
}

/**
 * Writes the copy into the outbox atomically: its folder on this host, or a store (the process
 * store's `outbox/` part in a cluster, so the copies of every worker are in one place). Re-writing
 * the same copy replaces the file with identical bytes, so the outbox is idempotent even without
 * the sent-log.
 */
export async function writeToOutbox(
  outbox: string | ObjectStore,
  fileName: string,
  raw: Buffer,
): Promise<Handed & { file: string }> {
  let target: string;
  if (typeof outbox === 'string') {
    await fs.mkdir(outbox, { recursive: true });
    target = path.join(outbox, fileName);
    await writeFileDurable(target, raw);
  } else {
    await outbox.put(fileName, raw, { contentType: 'message/rfc822' });
    target = whereIs(outbox, fileName);
  }
  return { response: `已写入发件箱 ${fileName}`, accepted: [], rejected: [], file: target };
}
