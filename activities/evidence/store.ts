/**
 * Content-addressed evidence store (证据材料): documents and images collected at a visit
 * (文书、影像资料), kept as `<dir>/<first 2 hex>/<sha256>`. Workflows only ever hold the hash,
 * never the bytes. The type is decided from the content (magic bytes), never from the file name,
 * and a refused file leaves nothing behind. An upload may pin what it stores (pins.ts): a pinned
 * file is removed only by `release`, and only once nothing pins it. What a file is: sniff.ts; the
 * accepted types and the refusals: media.ts.
 * Over 300 lines: one class, because put, place and release share the pin protocol step by step.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { renameDurable } from '../durable';
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
import { Pins } from './pins';
import { bufferSource, fileSource, sniffMediaType } from './sniff';
import type { EvidenceStat, EvidenceStoreOptions, PutOptions, StoredFile } from './types';

export { EvidenceError, formatSize, MEDIA_TYPE_LABELS, MEDIA_TYPES } from './media';
export type { EvidenceErrorCode, MediaType } from './media';
export { sniffMediaType } from './sniff';
export type { EvidenceStat, EvidenceStoreOptions, PutOptions, StoredFile } from './types';

const MiB = 1024 * 1024;
/** Prefix of a file being removed by `release`: `.outgoing-<sha256>-<random>` in the store's root. */
export const OUTGOING = '.outgoing-';
const ID = /^[0-9a-f]{64}$/;
/** Read size when copying and hashing. */
const CHUNK = 1024 * 1024;
/** A file on disk or bytes in memory. */
type PutInput = { path: string } | { bytes: Buffer };

/** Stores evidence files by sha256. Safe to share: every write is a temp file renamed into place. */
export class EvidenceStore {
  readonly dir: string;
  readonly maxBytes: number;
  readonly allowedTypes: readonly MediaType[];
  readonly pins: Pins;

  constructor(opts: EvidenceStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.pins = new Pins(path.resolve(opts.pinsDir ?? `${this.dir}.pins`));
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
    return this.putFile(input.path, filename ?? path.basename(input.path), opts);
  }

  /**
   * Lets go of one upload's pin (its Update was refused). The file goes only if it is managed and
   * no pin is left: it is renamed aside first and the pins read again, so an upload that pinned
   * meanwhile, and may have found the file present, gets it back. True when the file was removed.
   */
  async release(sha256: string, pin: string): Promise<boolean> {
    const file = this.pathOf(sha256);
    await this.pins.remove(sha256, pin);
    if (!(await this.pins.isManaged(sha256))) {
      await this.pins.tidy(sha256);
      return false;
    }
    if ((await this.pins.list(sha256)).length > 0) return false;
    // Named by the hash, so a sweep after a crash right here knows what to put back (sweep.ts).
    const aside = path.join(this.dir, `${OUTGOING}${sha256}-${randomBytes(8).toString('hex')}`);
    try {
      await fs.rename(file, aside);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.pins.forget(sha256);
      return false;
    }
    if ((await this.pins.list(sha256)).length > 0) {
      // Same content whether or not that upload has written its own copy since: put it back.
      await fs.rename(aside, file);
      return false;
    }
    await fs.rm(aside, { force: true });
    await this.pins.forget(sha256);
    return true;
  }

  /** Marks a pin as held by an accepted Update: the case's reference, which no sweep removes. */
  async accept(sha256: string, pin: string): Promise<void> {
    this.pathOf(sha256);
    await this.pins.accept(sha256, pin);
  }

  /** Whether the content with this hash is stored. */
  async has(sha256: string): Promise<boolean> {
    try {
      return (await fs.stat(this.pathOf(sha256))).isFile();
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Where the content with this hash lives (whether or not it exists). Refuses anything but a sha256. */
  pathOf(sha256: string): string {
    // The id becomes a path: only 64 lower-case hex digits, so `..` or `/` can never get through.
    if (typeof sha256 !== 'string' || !ID.test(sha256)) {
      const shown = JSON.stringify(String(sha256).slice(0, 80));
      throw new EvidenceError('BadId', `证据编号格式不正确，应为 64 位小写十六进制 sha256：${shown}`);
    }
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Re-hashes the stored file: false when it no longer matches its name (altered or damaged). */
  async verify(sha256: string): Promise<boolean> {
    const file = this.pathOf(sha256);
    const hash = createHash('sha256');
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (e) {
      if (isNotFound(e)) throw notStored(sha256);
      throw e;
    }
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
    return hash.digest('hex') === sha256;
  }

  /** Size, sniffed type and time of storage of a stored file. */
  async stat(sha256: string): Promise<EvidenceStat> {
    const file = this.pathOf(sha256);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (e) {
      if (isNotFound(e)) throw notStored(sha256);
      throw e;
    }
    try {
      const st = await handle.stat();
      const mediaType = await sniffMediaType(fileSource(handle, st.size));
      return { sha256, size: st.size, mediaType, modified: st.mtime };
    } finally {
      await handle.close();
    }
  }

  private async putBytes(bytes: Buffer, filename: string | undefined, opts: PutOptions): Promise<StoredFile> {
    // Every check runs in memory before the disk is touched.
    checkSize(bytes.length, this.maxBytes, filename);
    const mediaType = checkType(await sniffMediaType(bufferSource(bytes)), this.allowedTypes, filename);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const placed = await this.place(sha256, bytes.length, opts, async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const temp = this.tempPath();
      try {
        const handle = await fs.open(temp, 'wx', 0o444);
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await this.commit(temp, sha256);
      } finally {
        await fs.rm(temp, { force: true });
      }
    });
    return { sha256, size: bytes.length, mediaType, ...placed };
  }

  /**
   * One pass over the source: hash and copy into a temp file together, then sniff the copy, so
   * the type checked is that of the exact bytes stored even if the source changes meanwhile.
   */
  private async putFile(source: string, filename: string, opts: PutOptions): Promise<StoredFile> {
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
      // Refuse by the declared size first: a 2 GB upload should not be copied to be refused.
      checkSize(st.size, this.maxBytes, filename);

      await fs.mkdir(this.dir, { recursive: true });
      const temp = this.tempPath();
      try {
        const { sha256, size } = await this.copyHashing(src, temp, filename);
        checkSize(size, this.maxBytes, filename);
        const out = await fs.open(temp, 'r');
        let mediaType: MediaType;
        try {
          mediaType = checkType(await sniffMediaType(fileSource(out, size)), this.allowedTypes, filename);
        } finally {
          await out.close();
        }
        const placed = await this.place(sha256, size, opts, () => this.commit(temp, sha256));
        return { sha256, size, mediaType, ...placed };
      } finally {
        await fs.rm(temp, { force: true });
      }
    } finally {
      await src.close();
    }
  }

  /** Copies `src` into a new temp file, hashing as it goes; stops as soon as the limit is passed. */
  private async copyHashing(
    src: fs.FileHandle,
    temp: string,
    filename: string,
  ): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256');
    const out = await fs.open(temp, 'wx', 0o444);
    let size = 0;
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        size += bytesRead;
        // The file grew after stat: stop reading rather than copy an unbounded stream.
        if (size > this.maxBytes) {
          throw new EvidenceError('TooLarge', `${filename}：文件过大：超过上限 ${formatSize(this.maxBytes)}`);
        }
        hash.update(buf.subarray(0, bytesRead));
        await out.write(buf, 0, bytesRead);
      }
      await out.sync();
    } finally {
      await out.close();
    }
    return { sha256: hash.digest('hex'), size };
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
   * Same content already stored? A file of another size under the same name is damaged (a
   * content address cannot legitimately differ in size), so it is rewritten rather than trusted.
   */
  private async alreadyStored(sha256: string, size: number): Promise<boolean> {
    try {
      const st = await fs.stat(this.pathOf(sha256));
      return st.isFile() && st.size === size;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /**
   * Renames the synced temp file into place; the shard's folder and the store's root are synced
   * after it, so the new name and a shard made for it survive a crash.
   */
  private async commit(temp: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await renameDurable(temp, target);
  }

  /** Temp files live in the store's root: same file system as the target, so rename is atomic. */
  private tempPath(): string {
    return path.join(this.dir, `.incoming-${process.pid}-${randomBytes(8).toString('hex')}`);
  }
}
