/**
 * Content-addressed evidence store (证据材料): documents and images collected at a visit
 * (文书、影像资料), kept as `evidence/<first 2 hex>/<sha256>` in the process's object store
 * (activities/storage: the data directory on one host, `<data>/evidence/…` as always, or an S3
 * bucket every dashboard, CLI and worker of a cluster shares). Workflows only ever hold the hash,
 * never the bytes. The type is decided from the content (magic bytes), never from the file name,
 * and a refused file leaves nothing behind. An upload may pin what it stores (pins.ts): a pinned
 * file is removed only by `release`, and only once nothing pins it. What a file is: sniff.ts; the
 * accepted types and the refusals: media.ts.
 * Over 300 lines: one class, because put, place and release share the pin protocol step by step.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LocalDiskStore } from '../storage/local';
import { keySegments, sha256Hex, StorageIntegrityError, type ObjectStore } from '../storage/object-store';
import {
  checkSize,
  checkType,
  EvidenceError,
  formatSize,
  isNotFound,
  MEDIA_TYPES,
  notStored,
  type MediaType,
} from './media';
import { localPath, makeReadOnly, modifiedOf, sizeOf } from './objects';
import { Pins } from './pins';
import { bufferSource, sniffMediaType } from './sniff';
import type { EvidenceStat, EvidenceStoreOptions, PutOptions, StoredFile } from './types';

export { EvidenceError, formatSize, MEDIA_TYPE_LABELS, MEDIA_TYPES } from './media';
export type { EvidenceErrorCode, MediaType } from './media';
export { sniffMediaType } from './sniff';
export type { EvidenceStat, EvidenceStoreOptions, PutOptions, StoredFile } from './types';

const MiB = 1024 * 1024;
/**
 * Prefix of a file being removed by `release`: `.outgoing-<sha256>-<ms since 1970>-<random>` in the
 * store's folder (the time tells the sweep a crash's leftover from a live release, on any host).
 */
export const OUTGOING = '.outgoing-';
/** The store's key prefix in the process's object store; the pins are `<prefix>.pins/`. */
export const EVIDENCE_PREFIX = 'evidence';
const ID = /^[0-9a-f]{64}$/;
/** Read size when reading a file to store. */
const CHUNK = 1024 * 1024;
/** A file on disk or bytes in memory. */
type PutInput = { path: string } | { bytes: Buffer };
/** A stored file read back: its bytes, or why there are none to give. */
export type ReadResult = { bytes: Buffer } | { absent: true } | { damaged: true };

/**
 * Stores evidence files by sha256 in an object store. Safe to share between processes and hosts:
 * every object is written whole, and pins are created atomically (pins.ts).
 */
export class EvidenceStore {
  readonly objects: ObjectStore;
  /** Key prefix of the files (`evidence`); the pins are under `<prefix>.pins/`. */
  readonly prefix: string;
  /** Where the files are, for people: the local folder, or the prefix in the bucket. */
  readonly dir: string;
  readonly maxBytes: number;
  readonly allowedTypes: readonly MediaType[];
  readonly pins: Pins;

  constructor(opts: EvidenceStoreOptions) {
    if (opts.objects) {
      this.objects = opts.objects;
      this.prefix = opts.prefix ?? EVIDENCE_PREFIX;
    } else if (opts.dir !== undefined) {
      // The folder `<root>/<name>` is the key prefix `<name>` of a disk store rooted beside it, so
      // the pins (`<name>.pins`) stay where they always were: beside the folder.
      const dir = path.resolve(opts.dir);
      this.objects = new LocalDiskStore(path.dirname(dir));
      this.prefix = path.basename(dir);
    } else throw new Error('EvidenceStore 需要 objects 或 dir');
    keySegments(this.prefix);
    const where = (prefix: string) => localPath(this.objects, prefix) ?? `${prefix}/`;
    this.dir = where(this.prefix);
    this.pins = new Pins(this.objects, `${this.prefix}.pins`, where(`${this.prefix}.pins`));
    this.maxBytes = opts.maxBytes ?? 20 * MiB;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1) throw new Error(`maxBytes 应为正整数：${this.maxBytes}`);
    this.allowedTypes = opts.allowedTypes ?? MEDIA_TYPES;
  }

  /**
   * Stores a file or buffer and returns its hash. `filename` names the file in messages (for a
   * path, its base name by default); it never decides the type. With `pin`, the file is pinned
   * before the store looks for the content, so a concurrent `release` cannot take it away.
   */
  async put(input: PutInput, filename?: string): Promise<StoredFile>;
  async put(
    input: PutInput,
    filename: string | undefined,
    opts: Required<PutOptions>,
  ): Promise<StoredFile & { pin: string }>;
  async put(input: PutInput, filename?: string, opts: PutOptions = {}): Promise<StoredFile> {
    if ('bytes' in input) return this.putBytes(input.bytes, filename, opts);
    const name = filename ?? path.basename(input.path);
    return this.putBytes(await this.readSource(input.path, name), name, opts);
  }

  /**
   * Lets go of one upload's pin (its Update was refused). The file goes only if it is managed and
   * no pin is left: it is moved aside first and the pins read again, so an upload that pinned
   * meanwhile, and may have found the file present, gets it back. True when the file was removed.
   * On a bucket "moved aside" is a copy then a delete: the pins are read again only once the file
   * is gone from its key, which is all the protocol needs.
   */
  async release(sha256: string, pin: string): Promise<boolean> {
    const key = this.keyOf(sha256);
    await this.pins.remove(sha256, pin);
    if (!(await this.pins.isManaged(sha256))) {
      await this.pins.tidy(sha256);
      return false;
    }
    if ((await this.pins.list(sha256)).length > 0) return false;
    const bytes = await this.objects.get(key);
    if (bytes === undefined) {
      await this.pins.forget(sha256);
      return false;
    }
    // Named by the hash and the time, so a sweep after a crash right here knows what to put back (sweep.ts).
    const aside = `${this.prefix}/${OUTGOING}${sha256}-${Date.now()}-${randomBytes(8).toString('hex')}`;
    await this.objects.put(aside, bytes);
    await this.objects.delete(key);
    if ((await this.pins.list(sha256)).length > 0) {
      // Same content whether or not that upload has written its own copy since: put it back.
      await this.writeFile(sha256, bytes);
      await this.objects.delete(aside);
      return false;
    }
    await this.objects.delete(aside);
    await this.pins.forget(sha256);
    return true;
  }

  /** Marks a pin as held by an accepted Update: the case's reference, which no sweep removes. */
  async accept(sha256: string, pin: string): Promise<void> {
    this.keyOf(sha256);
    await this.pins.accept(sha256, pin);
  }

  /** Whether the content with this hash is stored. */
  async has(sha256: string): Promise<boolean> {
    return (await sizeOf(this.objects, this.keyOf(sha256))) !== undefined;
  }

  /** The object key of the content with this hash (whether or not it exists). Refuses anything but a sha256. */
  keyOf(sha256: string): string {
    // The id becomes a key: only 64 lower-case hex digits, so `..` or `/` can never get through.
    if (typeof sha256 !== 'string' || !ID.test(sha256)) {
      const shown = JSON.stringify(String(sha256).slice(0, 80));
      throw new EvidenceError('BadId', `证据编号格式不正确，应为 64 位小写十六进制 sha256：${shown}`);
    }
    return `${this.prefix}/${sha256.slice(0, 2)}/${sha256}`;
  }

  /** The local file of the content with this hash, on a store on this host's disk (tests, tools). */
  pathOf(sha256: string): string {
    const file = localPath(this.objects, this.keyOf(sha256));
    if (file === undefined) throw new Error('证据库不在本机磁盘上（对象存储），没有本地路径');
    return file;
  }

  /** The stored bytes, re-hashed: `damaged` when they no longer match their name (altered or damaged). */
  async read(sha256: string): Promise<ReadResult> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.objects.get(this.keyOf(sha256));
    } catch (e) {
      // A bucket's object unlike the sha256 kept with it.
      if (e instanceof StorageIntegrityError) return { damaged: true };
      throw e;
    }
    if (bytes === undefined) return { absent: true };
    if (sha256Hex(bytes) !== sha256) return { damaged: true };
    return { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  /** Re-hashes the stored file: false when it no longer matches its name (altered or damaged). */
  async verify(sha256: string): Promise<boolean> {
    const r = await this.read(sha256);
    if ('absent' in r) throw notStored(sha256);
    return 'bytes' in r;
  }

  /** Size, sniffed type and (on this host's disk) time of storage of a stored file. */
  async stat(sha256: string): Promise<EvidenceStat> {
    const key = this.keyOf(sha256);
    const bytes = await this.objects.get(key);
    if (bytes === undefined) throw notStored(sha256);
    const mediaType = await sniffMediaType(bufferSource(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    const modified = await modifiedOf(this.objects, key).catch(() => undefined);
    return { sha256, size: bytes.length, mediaType, ...(modified && { modified }) };
  }

  /** Every check runs in memory before the store is touched: a refused file leaves nothing behind. */
  private async putBytes(bytes: Buffer, filename: string | undefined, opts: PutOptions): Promise<StoredFile> {
    checkSize(bytes.length, this.maxBytes, filename);
    const mediaType = checkType(await sniffMediaType(bufferSource(bytes)), this.allowedTypes, filename);
    const sha256 = sha256Hex(bytes);
    const placed = await this.place(sha256, bytes.length, opts, () => this.writeFile(sha256, bytes, mediaType));
    return { sha256, size: bytes.length, mediaType, ...placed };
  }

  /**
   * Reads a file to store, once: the type checked and the hash stored are those of the exact
   * bytes read, even if the file changes meanwhile. Refused by its size before it is read, and
   * again as soon as it grows past the limit while being read.
   */
  private async readSource(source: string, filename: string): Promise<Buffer> {
    let src: fs.FileHandle;
    try {
      src = await fs.open(source, 'r');
    } catch (e) {
      if (isNotFound(e)) throw new EvidenceError('NotFound', `${filename}：文件不存在`);
      throw e;
    }
    try {
      const st = await src.stat();
      if (!st.isFile()) throw new EvidenceError('NotFound', `${filename}：不是普通文件`);
      // Refuse by the declared size first: a 2 GB upload should not be read to be refused.
      checkSize(st.size, this.maxBytes, filename);
      const chunks: Buffer[] = [];
      let size = 0;
      for (;;) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, this.maxBytes + 1));
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        size += bytesRead;
        // The file grew after stat: stop reading rather than hold an unbounded stream.
        if (size > this.maxBytes) {
          throw new EvidenceError('TooLarge', `${filename}：文件过大：超过上限 ${formatSize(this.maxBytes)}`);
        }
        chunks.push(buf.subarray(0, bytesRead));
      }
      return Buffer.concat(chunks, size);
    } finally {
      await src.close();
    }
  }

  /**
   * Pins (when asked) and only then looks for the content: once the pin is down no `release` can
   * remove the file, so finding it present is safe to rely on. Writes it (`write`) when absent.
   */
  private async place(
    sha256: string,
    size: number,
    opts: PutOptions,
    write: () => Promise<void>,
  ): Promise<{ deduplicated: boolean; pin?: string }> {
    const pin = opts.pin ? await this.pins.add(sha256, opts.pin) : undefined;
    try {
      if (await this.alreadyStored(sha256, size)) return { deduplicated: true, ...(pin && { pin }) };
      // A damaged copy being rewritten may be an older, unpinned case's file: it stays unmanaged.
      if (pin && !(await this.has(sha256))) await this.pins.markManaged(sha256);
      await write();
      return { deduplicated: false, ...(pin && { pin }) };
    } catch (e) {
      if (pin) await this.release(sha256, pin).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Same content already stored? An object of another size under the same name is damaged (a
   * content address cannot legitimately differ in size), so it is rewritten rather than trusted.
   */
  private async alreadyStored(sha256: string, size: number): Promise<boolean> {
    return (await sizeOf(this.objects, this.keyOf(sha256))) === size;
  }

  /**
   * Writes the content under its key, whole and durably (the object store's `put`), and read-only
   * on this host's disk. Without the hash check when putting back bytes a release moved aside.
   */
  private async writeFile(sha256: string, bytes: Uint8Array, contentType?: MediaType): Promise<void> {
    const key = this.keyOf(sha256);
    await this.objects.put(key, bytes, contentType ? { sha256, contentType } : {});
    await makeReadOnly(this.objects, key);
  }
}
