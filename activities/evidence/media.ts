/**
 * What the evidence store (证据材料) accepts and how it refuses: the media types, the names people
 * know them by, the store's error with a Chinese message, and sizes as file managers show them.
 */
import { EVIDENCE_TYPES } from '../../workflows/contracts/visit-onsite';

const MiB = 1024 * 1024;

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

/** Refuses an empty file or one over `maxBytes`, naming both sizes so they differ when shown. */
export function checkSize(size: number, maxBytes: number, filename: string | undefined): void {
  const prefix = filename ? `${filename}：` : '';
  if (size === 0) throw new EvidenceError('Empty', `${prefix}文件为空（0 字节）`);
  if (size > maxBytes) {
    let shown = formatSize(size);
    let limit = formatSize(maxBytes);
    // Just over the limit both round alike ("20 MB，上限 20 MB"): then the bytes tell them apart.
    if (shown === limit) [shown, limit] = [`${shown}（${size} 字节）`, `${limit}（${maxBytes} 字节）`];
    throw new EvidenceError('TooLarge', `${prefix}文件过大：${shown}，上限 ${limit}`);
  }
}

/** The sniffed type if it is one of `allowed`; otherwise a refusal naming what the file really is. */
export function checkType(detected: string, allowed: readonly MediaType[], filename: string | undefined): MediaType {
  const accepted = allowed.find((t) => t === detected);
  if (accepted) return accepted;
  const prefix = filename ? `${filename}：` : '';
  const labels = allowed.map((t) => MEDIA_TYPE_LABELS[t]).join('、');
  throw new EvidenceError('TypeRefused', `${prefix}不接受的文件类型：${detected}（仅接受 ${labels}）`, detected);
}

/** The refusal for a hash the store does not hold. */
export function notStored(sha256: string): EvidenceError {
  return new EvidenceError('NotFound', `证据材料不存在：${sha256}`);
}

/** A file system error that means "no such file". */
export function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
