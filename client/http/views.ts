/**
 * What a case shows: everything with its timeline for the city's staff, and the narrower view a
 * county gets of its own case. Built from the visit's case Query or, once Temporal has let a closed
 * or cancelled case go, from its archive; the server's file paths never leave.
 */
import type { VisitCase } from '../../workflows/contracts/visit';
import { actorName, readableLog, type NameBook } from '../names';
import { receiptEvents, receiptsOf } from './views-receipts';
import { DOCUMENT_KIND_LABEL, NO_NAMES, documentsOf, emailsOf, filesOf, stageLabel } from './views-files';

export interface TimelineEvent {
  at: string;
  by: string;
  /** Who acted, in words (client/names.ts): 系统, a name, a county's bureau. */
  who: string;
  role: string;
  action: string;
  detail: string;
}

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
