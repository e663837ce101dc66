/**
 * Content-addressed evidence store (证据材料): documents and images collected at a visit
 * (文书、影像资料), kept as `<dir>/<first 2 hex>/<sha256>`. Workflows only ever hold the hash,
 * never the bytes. The type is decided from the content (magic bytes), never from the file name,
 * and a refused file leaves nothing behind. An upload may pin what it stores (pins.ts): a pinned
 * file is removed only by `release`, and only once nothing pins it.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { EVIDENCE_TYPES } from '../../workflows/contracts/visit-onsite';
import { renameDurable } from '../durable';
import { Pins, type PinRecord } from './pins';

/**
 * Media types the store accepts: the same list the visit's Updates validate against (one source).
 * OOXML and OFD are ZIP packages told apart by their entries.
 */
export const MEDIA_TYPES = EVIDENCE_TYPES;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** The names users know the accepted types by, for messages. */
export const MEDIA_TYPE_LABELS: Record<MediaType, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/tiff': 'TIFF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/ofd': 'OFD',
};

export type EvidenceErrorCode = 'Empty' | 'TooLarge' | 'TypeRefused' | 'NotFound' | 'BadId';

/** A file refused by the store, or an id it cannot serve. The message is Chinese: people read it. */
export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';

  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    /** The media type sniffed from the content, for TypeRefused. */
    readonly detectedType?: string,
  ) {
    super(message);
  }
}

export interface EvidenceStoreOptions {
  /** Root directory of the store; created on first use. */
  dir: string;
  /** Largest accepted file; default 20 MiB. */
  maxBytes?: number;
  /** Accepted types; default all of MEDIA_TYPES. */
  allowedTypes?: readonly MediaType[];
  /** Where pins are kept; default `<dir>.pins` beside the store. */
  pinsDir?: string;
}

/** Asks `put` to pin the file for the Update of this case (see pins.ts). */
export interface PutOptions {
  pin?: Pick<PinRecord, 'caseId'>;
}

export interface StoredFile {
  sha256: string;
  size: number;
  mediaType: MediaType;
  /** True when the same content was already stored; nothing was written. */
  deduplicated: boolean;
  /** The pin this put holds on the file, when asked for one. */
  pin?: string;
}

export interface EvidenceStat {
  sha256: string;
  size: number;
  /** Sniffed again from the stored bytes. */
  mediaType: string;
  modified: Date;
}

const MiB = 1024 * 1024;
/** Prefix of a file being removed by `release`: `.outgoing-<sha256>-<random>` in the store's root. */
export const OUTGOING = '.outgoing-';
const ID = /^[0-9a-f]{64}$/;
/** Read size when copying; also how many leading bytes the sniffer sees. */
const CHUNK = 1024 * 1024;
const HEAD = 4096;
/** EOCD record (22 bytes) plus the longest possible ZIP comment. */
const ZIP_TAIL = 22 + 0xffff;
/** A central directory larger than this is not worth reading just to name the type. */
const MAX_CENTRAL_DIRECTORY = 4 * MiB;

/** Random access to the bytes being sniffed: a buffer in memory or a file on disk. */
interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

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
  async put(input: { path: string } | { bytes: Buffer }, filename?: string): Promise<StoredFile>;
  async put(
    input: { path: string } | { bytes: Buffer },
    filename: string | undefined,
    opts: Required<PutOptions>,
  ): Promise<StoredFile & { pin: string }>;
  async put(
    input: { path: string } | { bytes: Buffer },
    filename?: string,
    opts: PutOptions = {},
  ): Promise<StoredFile> {
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
    this.checkSize(bytes.length, filename);
    const mediaType = this.checkType(await sniffMediaType(bufferSource(bytes)), filename);
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
      this.checkSize(st.size, filename);

      await fs.mkdir(this.dir, { recursive: true });
      const temp = this.tempPath();
      try {
        const { sha256, size } = await this.copyHashing(src, temp, filename);
        this.checkSize(size, filename);
        const out = await fs.open(temp, 'r');
        let mediaType: MediaType;
        try {
          mediaType = this.checkType(await sniffMediaType(fileSource(out, size)), filename);
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

  private checkSize(size: number, filename: string | undefined): void {
    const prefix = filename ? `${filename}：` : '';
    if (size === 0) throw new EvidenceError('Empty', `${prefix}文件为空（0 字节）`);
    if (size > this.maxBytes) {
      let shown = formatSize(size);
      let limit = formatSize(this.maxBytes);
      // Just over the limit both round alike ("20 MB，上限 20 MB"): then the bytes tell them apart.
      if (shown === limit) [shown, limit] = [`${shown}（${size} 字节）`, `${limit}（${this.maxBytes} 字节）`];
      throw new EvidenceError('TooLarge', `${prefix}文件过大：${shown}，上限 ${limit}`);
    }
  }

  private checkType(detected: string, filename: string | undefined): MediaType {
    const accepted = this.allowedTypes.find((t) => t === detected);
    if (accepted) return accepted;
    const prefix = filename ? `${filename}：` : '';
    const labels = this.allowedTypes.map((t) => MEDIA_TYPE_LABELS[t]).join('、');
    throw new EvidenceError('TypeRefused', `${prefix}不接受的文件类型：${detected}（仅接受 ${labels}）`, detected);
  }
}

function notStored(sha256: string): EvidenceError {
  return new EvidenceError('NotFound', `证据材料不存在：${sha256}`);
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Bytes for messages in the unit people use (MB = 2^20 bytes, as file managers show it): `21.3 MB`. */
export function formatSize(bytes: number): string {
  const fmt = (v: number, unit: string) => {
    const tenths = Math.round(v * 10);
    return `${tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1)} ${unit}`;
  };
  if (bytes >= MiB) return fmt(bytes / MiB, 'MB');
  if (bytes >= 1024) return fmt(bytes / 1024, 'KB');
  return `${bytes} 字节`;
}

function bufferSource(bytes: Buffer): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

function fileSource(handle: fs.FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
  };
}

const startsWith = (head: Buffer, ...bytes: number[]) => bytes.every((b, i) => head[i] === b);

/**
 * The media type of some bytes, from their content only. Returns accepted types exactly and
 * names common refused ones (text/html, legacy Office, plain ZIP…) so the refusal says what the
 * file really is.
 */
export async function sniffMediaType(src: ByteSource): Promise<string> {
  const head = await src.read(0, HEAD);
  if (startsWith(head, 0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (startsWith(head, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (startsWith(head, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (startsWith(head, 0x49, 0x49, 0x2a, 0x00) || startsWith(head, 0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
  if (startsWith(head, 0x50, 0x4b, 0x03, 0x04)) return zipPackageType(await zipEntryNames(src));
  if (startsWith(head, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'application/x-ole-storage'; // .doc/.xls/.wps
  if (startsWith(head, 0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (startsWith(head, 0x52, 0x49, 0x46, 0x46) && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (startsWith(head, 0x52, 0x61, 0x72, 0x21, 0x1a, 0x07)) return 'application/vnd.rar';
  if (startsWith(head, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return 'application/x-7z-compressed';
  if (startsWith(head, 0x50, 0x4b, 0x05, 0x06)) return 'application/zip'; // empty archive
  return textType(head);
}

/** Tells the ZIP-based formats apart by their entries (null: the directory could not be read). */
function zipPackageType(names: string[] | null): string {
  if (!names) return 'application/zip';
  const has = (p: (n: string) => boolean) => names.some(p);
  // GB/T 33190: an OFD package has its entry file OFD.xml at the root.
  if (has((n) => n === 'OFD.xml')) return 'application/ofd';
  if (has((n) => n === '[Content_Types].xml')) {
    // Macro-enabled documents (docm/xlsm) carry code; they are named so they are refused.
    const macros = has((n) => /(^|\/)vbaProject\.bin$/i.test(n));
    if (has((n) => n.startsWith('word/'))) {
      return macros
        ? 'application/vnd.ms-word.document.macroEnabled.12'
        : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    }
    if (has((n) => n.startsWith('xl/'))) {
      return macros
        ? 'application/vnd.ms-excel.sheet.macroEnabled.12'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    }
    if (has((n) => n.startsWith('ppt/')))
      return 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
  }
  return 'application/zip';
}

/**
 * Entry names from the ZIP central directory, found through the end-of-central-directory record
 * (ZIP64 included). Reads only the tail and the directory, never the compressed data.
 */
async function zipEntryNames(src: ByteSource): Promise<string[] | null> {
  const tailStart = Math.max(0, src.size - ZIP_TAIL);
  const tail = await src.read(tailStart, src.size - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: the locator sits just before the EOCD and points at the ZIP64 EOCD record.
    if (eocd < 20 || tail.readUInt32LE(eocd - 20) !== 0x07064b50) return null;
    const record = await src.read(Number(tail.readBigUInt64LE(eocd - 12)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) return null;
    cdSize = Number(record.readBigUInt64LE(40));
    cdOffset = Number(record.readBigUInt64LE(48));
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > src.size) return null;
  const cd = await src.read(cdOffset, cdSize);
  const names: string[] = [];
  let p = 0;
  while (p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50) {
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    names.push(cd.subarray(p + 46, p + 46 + nameLength).toString('utf8'));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** HTML, other text, or unknown binary, judged from the first bytes. */
function textType(head: Buffer): string {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/^<(!doctype html|html|head|body|script|iframe|meta|title|div|p|a|img|style|table)[\s>/]/.test(text))
    return 'text/html';
  if (text.startsWith('<?xml') || text.startsWith('<svg'))
    return text.includes('<svg') ? 'image/svg+xml' : 'application/xml';
  // Control bytes other than tab, CR, LF, FF mean binary.
  return head.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)
    ? 'application/octet-stream'
    : 'text/plain';
}
