/**
 * The object storage interface (对象存储, index.ts says why) and what both stores share: the key
 * rules, the errors, the sha256 checks.
 */
import { createHash } from 'node:crypto';

export interface PutObjectOptions {
  /** MIME type kept with the object where the store can (S3); the local store ignores it. */
  contentType?: string;
  /** The bytes' sha256 (hex) as the caller knows it: the write is refused when the bytes differ. */
  sha256?: string;
}

export interface ObjectHead {
  size: number;
  /** Hex sha256 of the stored bytes; always known for an object this interface wrote. */
  sha256?: string;
}

/** The storage every shared file goes through. */
export interface ObjectStore {
  /** Writes (or replaces) the object whole: a reader sees the old bytes or the new, never part. */
  put(key: string, bytes: Uint8Array, opts?: PutObjectOptions): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  head(key: string): Promise<ObjectHead | undefined>;
  /** Every key that starts with `prefix` (a string prefix, as S3 means it), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; nothing happens when there is none. */
  delete(key: string): Promise<void>;
  /** Creates the object only if no object has the key: true when this call created it. */
  putIfAbsent(key: string, bytes: Uint8Array, opts?: PutObjectOptions): Promise<boolean>;
}

/** A key or prefix that no store accepts. */
export class StorageKeyError extends Error {
  override name = 'StorageKeyError';
}

/** Stored or given bytes that are not the ones their sha256 says. */
export class StorageIntegrityError extends Error {
  override name = 'StorageIntegrityError';
}

/** Marks the local store's temp files; refused in keys so a key can never name one. */
const RESERVED = '.tmp-';

function badKey(key: unknown, why: string): StorageKeyError {
  return new StorageKeyError(`存储键不合法（${why}）：${JSON.stringify(String(key).slice(0, 120))}`);
}

/** Checks a key and returns its segments: relative, '/'-separated, no empty, '.' or '..' segment. */
export function keySegments(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw badKey(key, '不能为空');
  if (key.length > 1024) throw badKey(key, '长度超过 1024');
  // A NUL ends a path in the kernel; a backslash is a separator on Windows; both would let a key
  // name something other than what it says.
  if (/[\0\\]/.test(key)) throw badKey(key, '不能含 NUL 或反斜杠');
  if (key.startsWith('/')) throw badKey(key, '不能是绝对路径');
  const segments = key.split('/');
  for (const s of segments) {
    if (s === '') throw badKey(key, '不能有空的路径段');
    if (s === '.' || s === '..') throw badKey(key, '不能含 . 或 .. 路径段');
    if (s.includes(RESERVED)) throw badKey(key, `不能含保留字样 ${RESERVED}`);
  }
  return segments;
}

/** Checks a list prefix: empty, or a key's beginning (it may end with '/'). */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return;
  keySegments(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** Hex sha256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Refuses bytes whose sha256 is not the one the caller gave. */
export function checkGivenSha256(key: string, bytes: Uint8Array, given: string | undefined): string {
  const actual = sha256Hex(bytes);
  if (given !== undefined && given.toLowerCase() !== actual) {
    throw new StorageIntegrityError(`写入 ${key} 的内容与给定的 sha256 不符：给定 ${given}，实际 ${actual}`);
  }
  return actual;
}
