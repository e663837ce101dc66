/**
 * The media type of stored bytes, decided from the content only (magic bytes, and the entries of a
 * ZIP package for OOXML and OFD), never from the file name.
 */
import type fs from 'node:fs/promises';

const MiB = 1024 * 1024;
/** How many leading bytes the sniffer sees. */
const HEAD = 4096;
/** EOCD record (22 bytes) plus the longest possible ZIP comment. */
const ZIP_TAIL = 22 + 0xffff;
/** A central directory larger than this is not worth reading just to name the type. */
const MAX_CENTRAL_DIRECTORY = 4 * MiB;

/** Random access to the bytes being sniffed: a buffer in memory or a file on disk. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export function bufferSource(bytes: Buffer): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

export function fileSource(handle: fs.FileHandle, size: number): ByteSource {
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
