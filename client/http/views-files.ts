/**
 * A case's documents, files and emails as the API lists them: the only way a download is found
 * (a document id or a sha256 is looked up in the case, never taken as a path).
 */
import { caseDocuments } from '../../activities/archive';
import type { DeliveryRecord } from '../../workflows/shared/email';
import { DOCUMENT_KIND_NAMES, STAGE_LABEL } from '../../workflows/shared/labels';
import type { VisitCase } from '../../workflows/contracts/visit';
import { actorName, nameBook, type NameBook } from '../names';

/** 文书种类 by kind, for titles: the documents' own names, plus the approval draft. */
export const DOCUMENT_KIND_LABEL: Record<string, string> = { ...DOCUMENT_KIND_NAMES, draft: '意见书审批稿' };

/** A stage's name for people (the stage itself when unknown). */
export function stageLabel(stage: string): string {
  return (STAGE_LABEL as Record<string, string>)[stage] ?? stage;
}

/** A name book that knows nobody: the case's own county only. */
export const NO_NAMES: NameBook = nameBook({});

export interface DocumentRef {
  documentId: string;
  kind: string;
  title: string;
  docNumber?: string;
  date?: string;
  sha256: string;
  bytes: number;
  pages: number;
  /** The OFD beside the PDF, when the plan asked for OFD (`?format=ofd` downloads it). */
  ofd?: { sha256: string; bytes: number };
  /** Whether the county may see and download it (drafts are internal). */
  county: boolean;
}

export interface FileRef {
  sha256: string;
  filename: string;
  mediaType: string;
  size: number;
  /** 'evidence' (internal, collected at the visit) or 'report' (the county's rectification report). */
  source: 'evidence' | 'report';
  label: string;
  by: string;
  /** Who uploaded it, in words. */
  byName: string;
  at: string;
  county: boolean;
}

export interface EmailRef {
  step: string;
  subject: string;
  status: DeliveryRecord['status'];
  completedAt?: string;
  recipients: { address: string; role: string; status: string; at?: string }[];
  county: boolean;
}

/** Every document the case holds, in the order they were made; drafts are internal. */
export function documentsOf(c: VisitCase): DocumentRef[] {
  return caseDocuments(c).map(({ kind, document: d, docNumber, date, round }) => ({
    documentId: d.documentId,
    kind,
    title: round ? `意见书审批稿（第 ${round} 稿）` : (DOCUMENT_KIND_LABEL[kind] ?? kind),
    docNumber,
    date,
    sha256: d.sha256,
    bytes: d.bytes,
    pages: d.pages,
    ...(d.ofd ? { ofd: { sha256: d.ofd.sha256, bytes: d.ofd.bytes } } : {}),
    county: kind !== 'draft',
  }));
}

/** Evidence and rectification report files. */
export function filesOf(c: VisitCase, book: NameBook = NO_NAMES): FileRef[] {
  const out: FileRef[] = c.evidence.map((e) => ({
    sha256: e.sha256,
    filename: e.filename,
    mediaType: e.mediaType,
    size: e.size,
    source: 'evidence' as const,
    label: `证据 ${e.id}`,
    by: e.by,
    byName: actorName(book, e.by, 'supervisor', c),
    at: e.at,
    county: false,
  }));
  for (const rep of c.rectification?.reports ?? []) {
    for (const f of rep.files) {
      out.push({
        ...f,
        source: 'report',
        label: `整改报告（第 ${rep.no} 次）`,
        by: rep.by,
        byName: actorName(book, rep.by, rep.role, c),
        at: rep.at,
        county: true,
      });
    }
  }
  return out;
}

function email(d: DeliveryRecord | undefined, county: boolean): EmailRef[] {
  if (!d) return [];
  return [
    {
      step: d.step,
      subject: d.subject,
      status: d.status,
      completedAt: d.completedAt,
      recipients: d.recipients.map((r) => ({ address: r.address, role: r.role, status: r.status, at: r.at })),
      county,
    },
  ];
}

/** Every email the case sent, with what happened to each copy. */
export function emailsOf(c: VisitCase): EmailRef[] {
  const r = c.rectification;
  return [
    ...email(c.notice?.delivery, true),
    ...email(c.letter?.delivery, true),
    ...(r?.reminders ?? []).flatMap((x) => email(x.delivery, true)),
    ...(r?.escalations ?? []).flatMap((x) => email(x.delivery, true)),
    ...(r?.reports ?? []).flatMap((x) => email(x.review?.letter?.delivery, true)),
  ];
}
