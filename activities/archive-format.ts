/**
 * What an archived case folder holds and how it is named (archive.ts writes it, archive-read.ts
 * reads it): the manifest's name and lines, case.json, the documents of a case with their file
 * names and the deliveries, and the error for a folder that does not match its manifest.
 */
import { createHash } from 'node:crypto';
import { chinaDay } from '../workflows/shared/clock';
import type { RenderResult } from '../workflows/shared/documents';
import { FailureType } from '../workflows/shared/errors';
import type { VisitCase } from '../workflows/contracts/visit';

export const MANIFEST = 'MANIFEST.sha256';
/** The whole case record, as the workflow held it when it archived itself. */
export const CASE_FILE = 'case.json';
export const SAFE = /^[A-Za-z0-9._-]+$/;

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export const isNotFound = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** One document a case records, with where it sits in the case. */
export interface CaseDocument {
  /** A DocumentKind, or 'draft' for an approval draft. */
  kind: string;
  document: RenderResult;
  docNumber?: string;
  date?: string;
  /** Approval drafts: the round, from 1. */
  round?: number;
}

/** Every document the case records, in the order they were made. */
export function caseDocuments(c: VisitCase): CaseDocument[] {
  const out: CaseDocument[] = [];
  // The day it went out on the case's clock (its receipt's, a practice year's simulated day); before
  // receipts, the China day its mail completed (an instant's UTC day is the day before until 08:00).
  const chinaDayOf = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso.slice(0, 10) : chinaDay(Date.parse(iso)));
  const completed = c.notice?.delivery?.completedAt;
  const sent = c.receipts?.find((r) => r.kind === 'notice')?.sentAt ?? (completed ? chinaDayOf(completed) : undefined);
  if (c.notice) out.push({ kind: 'notice', document: c.notice.document, docNumber: c.notice.docNumber, date: sent });
  c.approval.rounds.forEach((r, i) =>
    out.push({ kind: 'draft', document: r.draft, round: i + 1, date: chinaDayOf(r.sentAt) }),
  );
  if (c.letter)
    out.push({ kind: 'opinion', document: c.letter.document, docNumber: c.letter.docNumber, date: c.letter.issueDate });
  const r = c.rectification;
  for (const x of [...(r?.reminders ?? []), ...(r?.escalations ?? [])])
    out.push({ kind: x.kind, document: x.document, docNumber: x.docNumber, date: x.date });
  for (const rep of r?.reports ?? []) {
    const l = rep.review?.letter;
    if (l) out.push({ kind: l.kind, document: l.document, docNumber: l.docNumber, date: l.date });
  }
  // 送达回证: one per acknowledged letter, carrying that letter's number.
  for (const rc of c.receipts ?? []) {
    if (rc.certificate)
      out.push({ kind: 'receipt', document: rc.certificate, docNumber: rc.docNumber, date: rc.acknowledged?.date });
  }
  return out;
}

/** The archive's file name of a document: `<documentId>.pdf`, as the renderer wrote it. */
export const documentFile = (d: RenderResult) => `${d.documentId}.pdf`;

/** Each file of a document in the archive with the sha256 the case recorded: the PDF, and the OFD when made. */
export function documentFiles(d: RenderResult): { name: string; sha256: string }[] {
  const pdf = { name: documentFile(d), sha256: d.sha256 };
  return d.ofd ? [pdf, { name: `${d.documentId}.ofd`, sha256: d.ofd.sha256 }] : [pdf];
}

/** Every delivery record of a case, in the order the letters went out. */
export function deliveries(c: VisitCase): unknown[] {
  const out: unknown[] = [];
  if (c.notice?.delivery) out.push(c.notice.delivery);
  if (c.letter?.delivery) out.push(c.letter.delivery);
  for (const r of c.rectification?.reminders ?? []) if (r.delivery) out.push(r.delivery);
  for (const e of c.rectification?.escalations ?? []) if (e.delivery) out.push(e.delivery);
  for (const r of c.rectification?.reports ?? []) if (r.review?.letter?.delivery) out.push(r.review.letter.delivery);
  return out;
}

/** `sha256  name` lines → name → sha256. */
export function parseManifest(text: string): Map<string, string> {
  const listed = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) listed.set(m[2]!, m[1]!);
  }
  return listed;
}

export interface VerifyResult {
  caseId: string;
  ok: boolean;
  changed: string[];
  missing: string[];
  /** Letters whose bytes differ from the sha256 the case recorded (case.json), though the manifest may agree with them. */
  notAsRecorded: string[];
  /** Files in the folder that the manifest does not list (not part of the record; not a failure). */
  unlisted: string[];
}

/** The archive cannot vouch for a case it holds: incomplete, or case.json differs from its manifest line. */
export class ArchiveIntegrityError extends Error {
  override name = 'ArchiveIntegrityError';
  readonly type = FailureType.IntegrityError;
}
