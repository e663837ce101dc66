/**
 * The signed receipt link (签收链接) in a letter's email. The workflow names what the link is for
 * (case, receipt, last valid date: workflows/shared/receipts.ts ReceiptLinkRef); the mail activity
 * signs it here and the HTTP server checks it, so the key never enters workflow history.
 *
 * Token: base64url(JSON {c, r, e}) "." base64url(HMAC-SHA256(key, first part)). Expiry is in the
 * token and checked by the server; single use is kept by the case itself (a second acknowledgement
 * of the same receipt is refused by the workflow), so no table of used tokens is needed.
 *
 * The key: GUIDANCE_RECEIPT_SECRET, or else a random key kept in `<data dir>/receipt-link.key`
 * (created on first use, mode 0600) — worker and dashboard of one machine share it without setup;
 * on a cluster with several machines set the variable on every worker and dashboard.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReceiptLinkRef } from '../../workflows/shared/receipts';

export interface ReceiptLinkSettings {
  /** The dashboard's address as the counties reach it, e.g. https://zhidao.example.gov.cn. */
  baseUrl: string;
  key: Buffer;
}

const sign = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function receiptToken(key: Buffer, ref: ReceiptLinkRef): string {
  const body = Buffer.from(JSON.stringify({ c: ref.caseId, r: ref.receipt, e: ref.expires })).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** The page a county opens from its email; it asks who signs before anything is recorded. */
export function receiptUrl(settings: ReceiptLinkSettings, ref: ReceiptLinkRef): string {
  return `${settings.baseUrl.replace(/\/+$/, '')}/receipt.html#${receiptToken(settings.key, ref)}`;
}

export type TokenCheck = { ok: true; ref: ReceiptLinkRef } | { ok: false; reason: 'malformed' | 'signature' | 'expired'; ref?: ReceiptLinkRef };

/** Checks a token's signature and, against `today` (YYYY-MM-DD, China time), its expiry. */
export function checkReceiptToken(key: Buffer, token: string, today: string): TokenCheck {
  const m = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(key, m[1]!));
  const given = Buffer.from(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  let ref: ReceiptLinkRef;
  try {
    const raw = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { c?: unknown; r?: unknown; e?: unknown };
    if (typeof raw.c !== 'string' || typeof raw.r !== 'string' || typeof raw.e !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.e)) return { ok: false, reason: 'malformed' };
    ref = { caseId: raw.c, receipt: raw.r, expires: raw.e };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (today > ref.expires) return { ok: false, reason: 'expired', ref };
  return { ok: true, ref };
}

/** The key: the configured secret, or the data directory's key file (made on first use). */
export function receiptLinkKey(opts: { secret?: string; dataDir: string }): Buffer {
  if (opts.secret) return Buffer.from(opts.secret, 'utf8');
  const file = path.join(opts.dataDir, 'receipt-link.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  } catch {
    mkdirSync(opts.dataDir, { recursive: true });
    try {
      // `wx`: when worker and dashboard start together, one writes and the other reads its key.
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch {
      /* made by the other process */
    }
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  }
}
