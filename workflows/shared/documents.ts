/**
 * Official documents (公文): the kinds the engine issues, document numbers and Chinese dates, and
 * the renderDocument activity's result. Each kind's data schema is in document-data.ts (refined and
 * keyed by kind in render-document.ts, with the activity's input), what its template sees in document-views.ts.
 * Pure: no Node built-ins, imported by workflow code. Rendering lives in activities/documents.
 */
import { z } from 'zod';

/**
 * The ten kinds of document: nine letters and the 送达回证 (receipt) that records a letter's
 * delivery. One Handlebars template each, `templates/<kind>.hbs`.
 */
export const DocumentKind = z.enum(
  ['notice', 'opinion', 'reminder', 'urge', 'supervise', 'warning', 'summons', 'acceptance', 'bulletin', 'receipt'],
  {
    error:
      '文书种类只能是 notice、opinion、reminder、urge、supervise、warning、summons、acceptance、bulletin、receipt 之一',
  },
);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** 发文字号 such as 漯应急指导〔2022〕3号: a year in 〔〕 and a sequence without leading zeros. */
export const DocNumber = z
  .string()
  .regex(/^\S+〔\d{4}〕[1-9]\d*号$/, '发文字号格式应为“机关代字〔年份〕序号号”，如 漯应急指导〔2022〕3号');

/**
 * Builds a document number (发文字号): bureau short name (机关代字) + series + 〔year〕 + sequence + 号.
 * `formatDocNumber('河洛应急', 2027, 3)` → `河洛应急指导〔2027〕3号`. The year uses 〔〕 (U+3014/3015), never
 * 【】 or ()，and the sequence carries no leading zeros, as GB/T 9704-2012 §7.2.4 requires.
 */
export function formatDocNumber(shortName: string, year: number, seq: number, series = '指导'): string {
  const name = shortName.trim();
  if (!name) throw new Error('机关代字不能为空');
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new Error(`发文年份不正确：${year}`);
  if (!Number.isInteger(seq) || seq < 1) throw new Error(`发文序号应为正整数：${seq}`);
  return `${name}${series}〔${year}〕${seq}号`;
}

/** `2027-05-18` → `2027年5月18日` (Arabic numerals, no leading zeros: GB/T 9704-2012 §7.3.5.1). */
export function formatDateZh(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`日期格式应为 YYYY-MM-DD：${iso}`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/**
 * The file formats a bureau can ask for (plan `formats`): PDF, and OFD (GB/T 33190, 版式文档), the
 * national format many archive systems require for 电子公文归档. Both are drawn from one layout.
 */
export const FileFormat = z.enum(['pdf', 'ofd'], { error: '文书格式只能是 pdf 或 ofd' });
export type FileFormat = z.infer<typeof FileFormat>;

/** The media type of each format (OFD: GB/T 33190's registered `application/ofd`). */
export const FORMAT_MEDIA_TYPE: Record<FileFormat, string> = { pdf: 'application/pdf', ofd: 'application/ofd' };

/** One stored file of a document in a second format: where, its sha256 and size. */
export interface StoredFile {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * What renderDocument returns: enough to find, verify and attach the file. The PDF is always made
 * (the engine's reading copy: previews, proofreading); `ofd` is there when the plan asks for OFD.
 */
export interface RenderResult {
  documentId: string;
  /** Where the PDF was written: `<archiveDir>/<caseId>/<documentId>.pdf`. */
  path: string;
  sha256: string;
  pages: number;
  /** File size in bytes. */
  bytes: number;
  /** The OFD beside it, `<documentId>.ofd`, when the plan's formats include OFD. */
  ofd?: StoredFile;
}

/** Each file of a document with its format: the PDF, then the OFD when one was made. */
export function documentFormats(doc: RenderResult): (StoredFile & { format: FileFormat })[] {
  const pdf = { format: 'pdf' as const, path: doc.path, sha256: doc.sha256, bytes: doc.bytes };
  return doc.ofd ? [pdf, { format: 'ofd' as const, ...doc.ofd }] : [pdf];
}

/**
 * The attachments of a letter's mail: each file in a format the plan asks for (no formats: PDF).
 * `filename` is the PDF's name shown to the recipient; the OFD's is the same with `.ofd`. When the
 * plan asks only for OFD and a document has none (rendered before OFD was asked), the PDF goes, so
 * a letter is never mailed without its document.
 */
export function letterAttachments(
  doc: RenderResult,
  filename: string,
  formats: readonly FileFormat[] | undefined,
): { path: string; sha256: string; filename: string; contentType: string }[] {
  const wanted = formats ?? ['pdf'];
  const base = filename.replace(/\.pdf$/i, '');
  const files = documentFormats(doc).filter((f) => wanted.includes(f.format));
  return (files.length ? files : documentFormats(doc).slice(0, 1)).map((f) => ({
    path: f.path,
    sha256: f.sha256,
    filename: `${base}.${f.format}`,
    contentType: FORMAT_MEDIA_TYPE[f.format],
  }));
}
