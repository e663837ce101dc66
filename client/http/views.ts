/**
 * What the API shows, built from the workflows' own state (the programme's schedule Query and
 * each visit's case Query) or, once Temporal has let a closed or cancelled case go, from its
 * archive (activities/archive.ts): the board, the overdue list, a case's timeline for the city's
 * staff, and the narrower view a county gets. Also the only way a download is found: a document id
 * or a sha256 is looked up in the case, never taken as a path.
 */
import { openIncident } from '../../workflows/contracts/incidents';
import type { Client } from '@temporalio/client';
import { caseDocuments, listArchivedCases } from '../../activities/archive';
import { VISIT_STATUS_LABEL, type ProgrammeState, type ScheduleEntry } from '../../workflows/contracts/programme';
import { visitWorkflowId } from '../../workflows/contracts/common';
import type { DeliveryRecord } from '../../workflows/shared/email';
import { DOCUMENT_KIND_NAMES, RUNG_LABEL, STAGE_LABEL } from '../../workflows/shared/labels';
import type { VisitCase } from '../../workflows/contracts/visit';
import { UserError } from '../programme';
import { actorName, nameBook, readableLog, type NameBook } from '../names';
import { readCase, readProgramme } from '../record';
import { receiptEvents, receiptsOf } from './views-receipts';

/** 文书种类 by kind, for titles: the documents' own names, plus the approval draft. */
export const DOCUMENT_KIND_LABEL: Record<string, string> = { ...DOCUMENT_KIND_NAMES, draft: '意见书审批稿' };

export interface BoardRow {
  county: string;
  countyName: string;
  date: string;
  /** 1–12. */
  month: number;
  status: ScheduleEntry['status'];
  statusLabel: string;
  stage?: string;
  stageLabel?: string;
  docNumber?: string;
  dueDate?: string;
  rung?: string;
  rungLabel?: string;
  overdue: boolean;
  daysOverdue?: number;
  visitWorkflowId: string;
  /** Set when the visit could not be read (its message). */
  note?: string;
  /** 'archive': read from the case's archive, Temporal no longer keeps its workflow. */
  source?: 'archive';
  /** The open incident (故障) waiting for an administrator's retry, in words. */
  incident?: string;
}

export interface Board {
  year: number;
  bureau: string;
  bureauName: string;
  today: string;
  finished: boolean;
  bends: string[];
  rows: BoardRow[];
  counts: { total: number; started: number; issued: number; rectifying: number; overdue: number; closed: number };
  /** 'archive': the year's programme is gone from Temporal; the board is its archive (or, for a year archived before the programme was, its archived cases). */
  source?: 'archive';
}

const DAY_MS = 86_400_000;
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function stageLabel(stage: string): string {
  return (STAGE_LABEL as Record<string, string>)[stage] ?? stage;
}

/** The board's columns that come from a case: stage, letter, due date, rung, overdue. */
function fillFromCase(row: BoardRow, c: VisitCase, today: string): void {
  row.stage = c.stage;
  row.stageLabel = stageLabel(c.stage);
  row.docNumber = c.letter?.docNumber;
  row.dueDate = c.rectification?.dueDate ?? c.letter?.dueDate;
  const rung = c.rectification?.rung;
  if (rung && rung !== 'none') {
    row.rung = rung;
    row.rungLabel = RUNG_LABEL[rung] ?? rung;
  }
  row.overdue = Boolean(c.rectification?.overdue);
  if (row.overdue && row.dueDate) row.daysOverdue = Math.max(0, daysBetween(row.dueDate, today));
  const open = openIncident(c.incidents);
  if (open) row.incident = `${open.id} ${open.what}失败：${open.error.message}`;
}

function countsOf(rows: BoardRow[]): Board['counts'] {
  const stageIs = (...s: string[]) => rows.filter((r) => r.stage && s.includes(r.stage)).length;
  return {
    total: rows.length,
    started: rows.filter((r) => r.stage).length,
    issued: stageIs('issued', 'rectification', 'closed'),
    rectifying: stageIs('rectification'),
    overdue: rows.filter((r) => r.overdue).length,
    closed: stageIs('closed'),
  };
}

/**
 * The programme board of a year: every county's month, stage, due date, rung and overdue flag. A
 * visit Temporal no longer keeps is read from its archive (`archiveDir`); a year whose programme
 * Temporal no longer keeps is the board of its archived cases.
 */
export async function buildBoard(client: Client, year: number, bureau: string, archiveDir?: string): Promise<Board> {
  let programme: ProgrammeState;
  let fromArchive = false;
  try {
    // The programme's own record: its workflow, else its archive (activities/archive-programme.ts).
    const r = await readProgramme(client, year, bureau, archiveDir);
    programme = r.state;
    fromArchive = r.source === 'archive';
  } catch (err) {
    // A year archived before the programme was: the board of its archived cases alone.
    const archived =
      archiveDir && err instanceof UserError && err.type === 'NotFound'
        ? await archivedBoard(archiveDir, year, bureau)
        : undefined;
    if (archived) return archived;
    throw err;
  }
  const entries = [...programme.entries].sort(
    (a, b) => a.date.localeCompare(b.date) || a.county.localeCompare(b.county),
  );
  const cases = await Promise.allSettled(
    entries.map((e) =>
      e.status === 'scheduled'
        ? Promise.resolve(undefined)
        : readCase(client, { year, bureau, county: e.county }, archiveDir),
    ),
  );
  const rows = entries.map((e, i): BoardRow => {
    const row: BoardRow = {
      county: e.county,
      countyName: e.countyName,
      date: e.date,
      month: Number(e.date.slice(5, 7)),
      status: e.status,
      statusLabel: VISIT_STATUS_LABEL[e.status],
      overdue: false,
      visitWorkflowId: e.visitWorkflowId,
      note: e.note,
    };
    const r = cases[i]!;
    if (r.status === 'rejected') {
      row.note = r.reason instanceof Error ? r.reason.message : '读取失败';
      return row;
    }
    if (!r.value) return row;
    if (r.value.source === 'archive') row.source = 'archive';
    fillFromCase(row, r.value.case, programme.today);
    return row;
  });
  return {
    year,
    bureau,
    bureauName: programme.bureauName,
    today: programme.today,
    finished: programme.finished,
    bends: programme.bends,
    rows,
    counts: countsOf(rows),
    ...(fromArchive ? { source: 'archive' as const } : {}),
  };
}

/** Today in China (UTC+8), `YYYY-MM-DD`. */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * The board of a past year from its archived cases alone (the programme's own schedule is gone
 * with its workflow); undefined when the archive has no case of that year. A folder the archive
 * cannot vouch for is a row with its reason in `note`.
 */
async function archivedBoard(archiveDir: string, year: number, bureau: string): Promise<Board | undefined> {
  const prefix = `${visitWorkflowId(year, bureau, '')}`;
  const today = chinaToday();
  const rows: BoardRow[] = [];
  for (const e of await listArchivedCases(archiveDir)) {
    const c = e.archived?.case;
    if (c ? c.year !== year || c.bureau !== bureau : !e.caseId.startsWith(prefix)) continue;
    const status = c?.stage === 'cancelled' ? 'cancelled' : 'completed';
    const row: BoardRow = {
      county: c?.county ?? e.caseId.slice(prefix.length),
      countyName: c?.countyName ?? e.caseId.slice(prefix.length),
      date: c?.date ?? '',
      month: c ? Number(c.date.slice(5, 7)) : 0,
      status,
      statusLabel: VISIT_STATUS_LABEL[status],
      overdue: false,
      visitWorkflowId: e.caseId,
      source: 'archive',
      note: e.problem,
    };
    if (c) fillFromCase(row, c, today);
    rows.push(row);
  }
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => a.date.localeCompare(b.date) || a.county.localeCompare(b.county));
  // The bureau's name was in the programme's plan, which went with its workflow.
  return {
    year,
    bureau,
    bureauName: bureau,
    today,
    finished: true,
    bends: [],
    rows,
    counts: countsOf(rows),
    source: 'archive',
  };
}

/** The overdue cases of a board, most overdue first. */
export function overdueRows(board: Board): BoardRow[] {
  return board.rows.filter((r) => r.overdue).sort((a, b) => (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0));
}

// ---------------------------------------------------------------------------------------------
// Documents, files, emails of a case

export interface DocumentRef {
  documentId: string;
  kind: string;
  title: string;
  docNumber?: string;
  date?: string;
  sha256: string;
  bytes: number;
  pages: number;
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

// ---------------------------------------------------------------------------------------------
// Timelines

export interface TimelineEvent {
  at: string;
  by: string;
  /** Who acted, in words (client/names.ts): 系统, a name, a county's bureau. */
  who: string;
  role: string;
  action: string;
  detail: string;
}

/** A name book that knows nobody: the case's own county only. */
const NO_NAMES: NameBook = nameBook({});

/** Every person id a case records (evidence, findings, approvals, reports, reviews, retries) with the name to show. */
function namesIn(c: VisitCase, book: NameBook): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (id: string | undefined, role: string) => {
    if (id && !(id in out)) out[id] = actorName(book, id, role, c);
  };
  for (const e of c.evidence) add(e.by, 'supervisor');
  for (const f of c.findings) add(f.by, 'supervisor');
  for (const r of c.approval.rounds) add(r.by, 'leader');
  for (const rep of c.rectification?.reports ?? []) {
    add(rep.by, rep.role);
    add(rep.review?.by, 'supervisor');
  }
  for (const x of c.rectification?.extensions ?? []) add(x.by, 'supervisor');
  for (const i of c.incidents) add(i.retriedBy, 'admin');
  return out;
}

/** What the city's staff see of a case: everything, with its documents, files and emails; people by name (`book`). */
export function staffView(c: VisitCase, links: { temporalUi?: string }, book: NameBook = NO_NAMES) {
  return {
    kind: 'staff' as const,
    case: withoutServerPaths(c),
    stageLabel: stageLabel(c.stage),
    documents: documentsOf(c),
    files: filesOf(c, book),
    emails: emailsOf(c),
    receipts: receiptsOf(c),
    timeline: readableLog(book, c.audit, c) as TimelineEvent[],
    names: namesIn(c, book),
    links,
  };
}

/**
 * What a county sees of its own case: the letters addressed to it, its rectification and its
 * reports. Not the evidence, the findings in progress, the drafts or the internal audit log.
 */
export function countyView(c: VisitCase, book: NameBook = NO_NAMES) {
  const r = c.rectification;
  const events: Omit<TimelineEvent, 'who'>[] = [];
  if (c.notice)
    events.push({
      at: c.notice.delivery?.completedAt ?? c.date,
      by: 'system',
      role: 'system',
      action: 'notice',
      detail: `收到执法指导通知 ${c.notice.docNumber}`,
    });
  if (c.letter)
    events.push({
      at: c.letter.delivery?.completedAt ?? c.letter.issueDate,
      by: 'system',
      role: 'system',
      action: 'issue',
      detail: `收到执法指导意见书 ${c.letter.docNumber}，整改期限 ${c.letter.dueDate}`,
    });
  for (const x of r?.reminders ?? [])
    events.push({
      at: x.delivery?.completedAt ?? x.date,
      by: 'system',
      role: 'system',
      action: 'reminder',
      detail: `${DOCUMENT_KIND_LABEL[x.kind] ?? x.kind}（到期前 ${x.daysBefore} 天）`,
    });
  for (const x of r?.escalations ?? [])
    events.push({
      at: x.delivery?.completedAt ?? x.date,
      by: 'system',
      role: 'system',
      action: 'escalation',
      detail: `${DOCUMENT_KIND_LABEL[x.kind] ?? x.kind}${x.docNumber ? ` ${x.docNumber}` : ''}（逾期 ${x.daysOverdue} 天）`,
    });
  for (const rep of r?.reports ?? []) {
    events.push({
      at: rep.at,
      by: rep.by,
      role: rep.role,
      action: 'submitReport',
      detail: `报送整改报告（第 ${rep.no} 次，${rep.files.length} 个文件${rep.late ? `，逾期 ${rep.daysOverdue} 天` : ''}）`,
    });
    if (rep.review)
      events.push({
        at: rep.review.at,
        by: rep.review.by,
        role: 'supervisor',
        action: 'reviewReport',
        detail: rep.review.decision === 'accept' ? '整改验收通过' : `整改报告退回：${rep.review.reasons.join('；')}`,
      });
  }
  // A receipt's `by` is the signer's own name, as signed.
  const signed = receiptEvents(c).map((e) => ({ ...e, who: e.by }));
  for (const x of r?.extensions ?? [])
    events.push({
      at: x.at,
      by: x.by,
      role: 'supervisor',
      action: 'extendDue',
      detail: `整改期限由 ${x.from} 延至 ${x.to}：${x.reason}`,
    });
  return {
    kind: 'county' as const,
    case: {
      caseId: c.caseId,
      year: c.year,
      bureau: c.bureau,
      county: c.county,
      countyName: c.countyName,
      date: c.date,
      stage: c.stage,
      notice: c.notice ? { docNumber: c.notice.docNumber } : undefined,
      letter: c.letter
        ? { docNumber: c.letter.docNumber, issueDate: c.letter.issueDate, dueDate: c.letter.dueDate }
        : undefined,
      rectification: r
        ? {
            problems: r.problems,
            dueDate: r.dueDate,
            rung: r.rung,
            overdue: r.overdue,
            reports: r.reports.map((rep) => ({
              no: rep.no,
              at: rep.at,
              by: rep.by,
              late: rep.late,
              items: rep.items,
              note: rep.note,
              files: rep.files,
              review: rep.review
                ? { decision: rep.review.decision, at: rep.review.at, reasons: rep.review.reasons }
                : undefined,
            })),
            extensions: r.extensions.map((x) => ({ from: x.from, to: x.to, at: x.at, reason: x.reason })),
            closedAt: r.closedAt,
          }
        : undefined,
    },
    stageLabel: stageLabel(c.stage),
    documents: documentsOf(c).filter((d) => d.county),
    files: filesOf(c, book).filter((f) => f.county),
    emails: emailsOf(c).filter((e) => e.county),
    receipts: receiptsOf(c),
    timeline: [...events.map((e): TimelineEvent => ({ ...e, who: actorName(book, e.by, e.role, c) })), ...signed].sort(
      (a, b) => a.at.localeCompare(b.at),
    ),
    // Only the report authors: the county never sees who collected the evidence.
    names: Object.fromEntries((r?.reports ?? []).map((rep) => [rep.by, actorName(book, rep.by, rep.role, c)])),
  };
}

/**
 * The case without the server's file paths (each document's `path`, the archive's `dir`, the
 * directories in incident messages): the browser downloads by document id and never needs them.
 */
export function withoutServerPaths<T>(value: T): T {
  const ABS = /(?<![\w/.])\/(?:[^\s"'，。；：（）]+\/)+[^\s"'，。；：（）]*/g;
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => {
    if ((key === 'path' || key === 'dir') && typeof v === 'string') return undefined;
    // The file's own name stays (a person must know which template), its directory goes.
    if (key === 'message' && typeof v === 'string') return v.replace(ABS, (m) => `…/${m.split('/').pop() ?? ''}`);
    return v;
  }) as T;
}
