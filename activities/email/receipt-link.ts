/**
 * The signed receipt link (签收链接) in a letter's email. The workflow names what the link is for
 * (case, receipt, last valid date: workflows/contracts/receipts.ts ReceiptLinkRef); the mail activity
 * signs it here and the HTTP server checks it, so the key never enters workflow history.
 *
 * Token: base64url(JSON {c, r, e}) "." base64url(HMAC-SHA256(key, first part)). Expiry is in the
 * token and checked by the server; single use is kept by the case itself (a second acknowledgement
 * of the same receipt is refused by the workflow), so no table of used tokens is needed.
 *
 * The key: GUIDANCE_RECEIPT_SECRET, or else a random key kept as `receipt-link.key` in the
 * process's object store (activities/storage; `receiptLinkKeyFrom`): on this host's disk the file
 * `<data dir>/receipt-link.key` (created on first use, mode 0600, atomically; a file without a
 * usable key is replaced), in a cluster's bucket an object every worker and dashboard reads, so
 * they all sign and check with one key without setup.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { ReceiptLinkRef } from '../../workflows/contracts/receipts';
import { syncDirSync, tempNameFor } from '../durable';
import { LocalDiskStore } from '../storage/local';
import { sha256Hex, type ObjectStore } from '../storage/object-store';

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

export type TokenCheck =
  | { ok: true; ref: ReceiptLinkRef }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired'; ref?: ReceiptLinkRef };

/** Checks a token's signature and, against `today` (YYYY-MM-DD, China time), its expiry. */
export function checkReceiptToken(key: Buffer, token: string, today: string): TokenCheck {
  const m = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(key, m[1]!));
  const given = Buffer.from(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  let ref: ReceiptLinkRef;
  try {
    const raw = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as {
      c?: unknown;
      r?: unknown;
      e?: unknown;
    };
    if (
      typeof raw.c !== 'string' ||
      typeof raw.r !== 'string' ||
      typeof raw.e !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(raw.e)
    )
      return { ok: false, reason: 'malformed' };
    ref = { caseId: raw.c, receipt: raw.r, expires: raw.e };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (today > ref.expires) return { ok: false, reason: 'expired', ref };
  return { ok: true, ref };
}

/** Bytes of a generated key, and the least a key may have (HMAC-SHA256: a shorter key is guessable). */
export const RECEIPT_KEY_BYTES = 32;
const KEY_FILE = 'receipt-link.key';
/** A repair lock older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 10_000;

/** The key in the file, 'absent', or 'bad' (empty, short, not hex: never to be signed with). */
function readKeyFile(file: string): Buffer | 'absent' | 'bad' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  return parseKey(text);
}

/** The key a key file's text holds, or 'bad'. */
function parseKey(text: string): Buffer | 'bad' {
  const hex = text.trim();
  if (hex.length < RECEIPT_KEY_BYTES * 2 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return 'bad';
  return Buffer.from(hex, 'hex');
}

/** The configured secret as a key, refused when too short to be one. */
function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret, 'utf8');
  if (key.length < RECEIPT_KEY_BYTES) throw new Error(`GUIDANCE_RECEIPT_SECRET 至少需要 ${RECEIPT_KEY_BYTES} 个字符`);
  return key;
}

/**
 * A fresh key in a temp file beside `file`, already on the disk (fsync) before anyone can see it.
 * Not `writeFileDurable`: the key is placed by link(2), which fails when the name exists, so of two
 * processes starting together exactly one key wins (below).
 */
function writeFreshKey(file: string): string {
  const tmp = tempNameFor(file);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(RECEIPT_KEY_BYTES).toString('hex'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The key: the configured secret, or the data directory's key file (made on first use).
 *
 * The file is never visible half-made: a fresh key is written and fsync'ed to a temp file, then
 * hard-linked to the final name. link(2) fails when the name exists (O_EXCL's semantics), so of
 * worker and dashboard starting together exactly one key wins and both read it. A file that holds
 * no usable key (empty after a full disk, short, not hex: anyone could forge links with it) is
 * refused and replaced by a new key under a lock file, so processes that find it together still
 * agree on one key. Links signed with the refused key stop working, as they should.
 */
export function receiptLinkKey(opts: { secret?: string; dataDir: string }): Buffer {
  if (opts.secret !== undefined) return secretKey(opts.secret);
  mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, KEY_FILE);
  const lock = `${file}.lock`;
  const deadline = Date.now() + 3 * STALE_LOCK_MS;
  for (;;) {
    const found = readKeyFile(file);
    if (Buffer.isBuffer(found)) return found;
    if (found === 'absent') {
      const tmp = writeFreshKey(file);
      try {
        linkSync(tmp, file);
        syncDirSync(opts.dataDir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        unlinkSync(tmp);
      }
      continue;
    }
    let fd: number;
    try {
      fd = openSync(lock, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() > deadline)
        throw new Error(`签收链接密钥文件 ${file} 无效，且无法取得锁 ${lock} 来重新生成；请检查后删除该锁文件`);
      const age = Date.now() - (statSyncOrNull(lock)?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else sleepSync(20);
      continue;
    }
    try {
      // Looked at again under the lock: another process may have replaced it already.
      if (readKeyFile(file) === 'bad') {
        process.emitWarning(
          `签收链接密钥文件 ${file} 无效（为空、过短或不是十六进制），已重新生成；此前发出的签收链接失效`,
        );
        const tmp = writeFreshKey(file);
        renameSync(tmp, file);
        syncDirSync(opts.dataDir);
      }
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

function statSyncOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/**
 * The key every worker and dashboard sharing `objects` (the process's object store,
 * `storeFromConfig`) signs and checks receipt links with: the configured secret, or the store's
 * `receipt-link.key`, made on first use.
 *
 * On this host's disk that is `receiptLinkKey`'s file in the store's root (the data directory),
 * mode 0600 and repaired under a lock as before. In a bucket the key is created with
 * `putIfAbsent` (a conditional write): of processes starting together on several hosts exactly
 * one creates it, and the others, refused, read the winner's. A key object without a usable key
 * is replaced through `receipt-link.key.repair-<sha256 of the bad bytes>`, also created with
 * `putIfAbsent`, so every process that finds the same bad key agrees on its replacement. That
 * object is kept (a few bytes): removed, a process that read the bad key late would make another.
 */
export async function receiptLinkKeyFrom(opts: { secret?: string; objects: ObjectStore }): Promise<Buffer> {
  if (opts.secret !== undefined) return secretKey(opts.secret);
  if (opts.objects instanceof LocalDiskStore) return receiptLinkKey({ dataDir: opts.objects.root });
  const fresh = () => Buffer.from(randomBytes(RECEIPT_KEY_BYTES).toString('hex'));
  // A handful of rounds: a key is created once, so only a store that loses writes needs more.
  for (let round = 0; round < 5; round++) {
    const bytes = await opts.objects.get(KEY_FILE);
    if (bytes === undefined) {
      await opts.objects.putIfAbsent(KEY_FILE, fresh());
      continue; // read back, ours or the winner's
    }
    const found = parseKey(Buffer.from(bytes).toString('utf8'));
    if (Buffer.isBuffer(found)) return found;
    const repair = `${KEY_FILE}.repair-${sha256Hex(bytes)}`;
    if (await opts.objects.putIfAbsent(repair, fresh())) {
      process.emitWarning(
        `对象存储中的签收链接密钥 ${KEY_FILE} 无效（为空、过短或不是十六进制），已重新生成；此前发出的签收链接失效`,
      );
    }
    const replacement = await opts.objects.get(repair);
    if (replacement !== undefined) await opts.objects.put(KEY_FILE, replacement);
  }
  throw new Error(`无法在对象存储中建立签收链接密钥 ${KEY_FILE}`);
}
