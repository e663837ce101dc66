/**
 * The to-do inbox (待办): what waits on whom, from a case's state and today's date. One pure
 * function serves three readers — the visit publishes who is waited on as the search attribute
 * GuidanceWaitingOn (so visibility finds a person's cases without a side database), the visit's
 * `todo` Query answers with the items as of its own clock (a practice run's simulated date included),
 * and the client filters and sorts them for one user. Pure: safe inside the workflow sandbox.
 */
import { defineQuery } from '@temporalio/workflow';
import { chinaDay, dayNumber, type AsOf } from './clock';
import type { Role } from '../contracts/common';
import { openIncident } from '../contracts/incidents';
import { RUNG_LABEL } from './labels';
import { openReceipts } from '../contracts/receipts';
import type { VisitCase } from '../contracts/visit';

export type TodoKind =
  | 'approve' // leader: a draft letter to approve (审批意见书)
  | 'onsite' // supervisor: findings to record and submit (现场指导)
  | 'review' // supervisor: a rectification report to review (审核整改报告)
  | 'reinspect' // supervisor: a re-inspection to record (复查)
  | 'incident' // supervisor, admin: a fault waiting for a retry (故障)
  | 'receiptOverdue' // supervisor, admin: a letter the county has not acknowledged in time (逾期未签收)
  | 'acknowledge' // county: a letter to acknowledge (签收)
  | 'report' // county: the rectification report due (整改报告)
  | 'resubmit' // county: a returned report to answer again (退回重报)
  | 'overdue'; // admin: a case past its rectification due date (逾期)

export interface TodoItem {
  kind: TodoKind;
  /** Who must act: a role, narrowed to one user (`user`) or one county (`county`). */
  role: Role;
  user?: string;
  county: string;
  countyName: string;
  caseId: string;
  /** What to do, in Chinese. */
  title: string;
  /** The date it is due (or was due); undefined when it has no deadline. */
  due?: string;
  /** Days until `due` as of `today`; negative when overdue. */
  daysLeft?: number;
  /** The receipt or report it is about, for a form to act on it. */
  ref?: string;
}

/** Asked with the caller's instant (`AsOf`): the case's today is then the caller's, on the case's clock. */
export const todoQuery = defineQuery<TodoItem[], [AsOf?]>('todo');

/** Whose inbox the weekly digest mails: a person of the plan, or a county, with an address. */
export interface InboxPerson {
  id: string;
  role: Role;
  county?: string;
  name: string;
  email: string;
}

/** The order people see: overdue first, then by days left, then items without a deadline. */
export function byUrgency(a: TodoItem, b: TodoItem): number {
  const da = a.daysLeft ?? Number.POSITIVE_INFINITY;
  const db = b.daysLeft ?? Number.POSITIVE_INFINITY;
  return da - db || a.caseId.localeCompare(b.caseId) || a.kind.localeCompare(b.kind);
}

/**
 * Everything the case waits for as of `today`, most urgent first. `dateOf` turns a recorded
 * instant (a draft sent, an incident raised) into the case's own date — a practice run's clock is
 * compressed — defaulting to the China date of the instant.
 */
export function caseTodos(c: VisitCase, today: string, dateOf: (iso: string) => string = chinaDate): TodoItem[] {
  const items: TodoItem[] = [];
  const base = { county: c.county, countyName: c.countyName, caseId: c.caseId };
  const add = (kind: TodoKind, role: Role, title: string, due?: string, extra: Partial<TodoItem> = {}) =>
    items.push({
      kind,
      role,
      title,
      ...base,
      ...(due ? { due, daysLeft: dayNumber(due) - dayNumber(today) } : {}),
      ...extra,
    });
  if (c.stage === 'closed' || c.stage === 'cancelled') return items;

  if (c.stage === 'onsite') add('onsite', 'supervisor', `${c.countyName}：录入现场指导结论并提交审批`, c.date);
  const round = c.approval.rounds.at(-1);
  if (c.stage === 'approval' && round && !round.decision) {
    add('approve', 'leader', `${c.countyName}：审批执法指导意见书`, dateOf(round.sentAt), {
      user: c.approval.passedTo ?? c.approval.approver,
    });
  }
  const r = c.rectification;
  if (r && c.stage === 'rectification') {
    const waiting = r.reports.find((x) => !x.review);
    const last = r.reports.at(-1);
    if (waiting)
      add('review', 'supervisor', `${c.countyName}：审核第 ${waiting.no} 次整改报告`, waiting.date, {
        ref: String(waiting.no),
      });
    else if (last?.review?.decision === 'return')
      add('resubmit', 'county', `整改报告被退回，请重新整改并报送`, last.review.resubmitBy ?? r.dueDate, {
        county: c.county,
      });
    else
      add('report', 'county', `报送整改报告（意见书 ${c.letter?.docNumber ?? ''}）`, r.dueDate, { county: c.county });
    if (r.overdue && !waiting)
      add(
        'overdue',
        'admin',
        `${c.countyName}：整改逾期（${r.rung === 'none' ? '尚未督办' : `已${RUNG_LABEL[r.rung]}`}）`,
        r.dueDate,
      );
  }
  if (c.stage === 'reinspection') add('reinspect', 'supervisor', `${c.countyName}：录入复查结果`);
  const incident = openIncident(c.incidents);
  if (incident) {
    for (const role of ['supervisor', 'admin'] as const)
      add('incident', role, `${c.countyName}：故障待处理（${incident.what}）`, dateOf(incident.at));
  }
  for (const rc of openReceipts(c.receipts)) {
    const name = rc.docNumber ? `${rc.title} ${rc.docNumber}` : rc.title;
    add('acknowledge', 'county', `签收 ${name}`, rc.dueBy, { ref: rc.id });
    if (today > rc.dueBy) {
      for (const role of ['supervisor', 'admin'] as const)
        add('receiptOverdue', role, `${c.countyName}：${name} 逾期未签收`, rc.dueBy, { ref: rc.id });
    }
  }
  return items.sort(byUrgency);
}

/** The China (UTC+8) date of an instant. */
function chinaDate(iso: string): string {
  return chinaDay(Date.parse(iso));
}

/**
 * The GuidanceWaitingOn tokens of a case: `role:<role>`, `user:<id>` and `county:<code>`. They
 * leave out time (a receipt turning overdue changes no state), so a case with an open receipt
 * names the supervisors and admins too and the `todo` Query decides by date. With
 * `approverFromStage`, a case in approval names its approver from the moment it is submitted, not
 * only once the draft is rendered (which audits nothing, so it would publish nothing).
 */
export function waitingOn(c: VisitCase, opts: { approverFromStage?: boolean } = {}): string[] {
  const tokens = new Set<string>();
  if (opts.approverFromStage && c.stage === 'approval')
    tokens.add(`user:${c.approval.passedTo ?? c.approval.approver}`);
  for (const item of caseTodos(c, '0000-01-01')) {
    tokens.add(
      item.user ? `user:${item.user}` : item.role === 'county' ? `county:${item.county}` : `role:${item.role}`,
    );
  }
  if (openReceipts(c.receipts).length > 0) ['role:supervisor', 'role:admin'].forEach((t) => tokens.add(t));
  if (c.rectification && c.stage === 'rectification') tokens.add('role:admin');
  return [...tokens].sort();
}

/** The items of `all` that are this user's, most urgent first. */
export function todosFor(user: { id: string; role: Role; county?: string }, all: readonly TodoItem[]): TodoItem[] {
  return all
    .filter(
      (i) =>
        i.role === user.role &&
        (i.user === undefined || i.user === user.id) &&
        (user.role !== 'county' || i.county === user.county),
    )
    .sort(byUrgency);
}

/** A one-line label of a kind, for tables. */
export const TODO_KIND_LABEL: Record<TodoKind, string> = {
  approve: '待审批',
  onsite: '现场指导',
  review: '待审核报告',
  reinspect: '待复查',
  incident: '故障',
  receiptOverdue: '逾期未签收',
  acknowledge: '待签收',
  report: '待报整改报告',
  resubmit: '退回重报',
  overdue: '整改逾期',
};

/** `还剩 3 天` / `今天到期` / `逾期 2 天` (the CLI's table, the weekly digest). */
export function daysText(daysLeft: number | undefined): string {
  if (daysLeft === undefined) return '';
  if (daysLeft === 0) return '今天到期';
  return daysLeft > 0 ? `还剩 ${daysLeft} 天` : `逾期 ${-daysLeft} 天`;
}
