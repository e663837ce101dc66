/**
 * Per-case caps (每案上限). The dashboard, the CLI and the API read a case by the `visitCase` Query,
 * and the server refuses a Query answer over its blob size limit (2 MiB by default): a case larger
 * than that can no longer be shown. Each field an Update fills has a maximum, but how often an
 * Update may append did not, so a case could grow without end (evidence, returns, reports,
 * extensions, corrections, and the audit entry every accepted Update adds).
 *
 * Two kinds of cap, both checked in the validators (a refused call leaves no trace):
 * - counts, for what is appended (`CASE_LIMITS`): they also bound the history and what the
 *   workflow adds by itself afterwards (a draft per round, letters and receipts per report);
 * - a byte budget for people's text: the case as JSON (UTF-8), with the letter's problems counted
 *   twice before the letter is issued (the rectification copies them), may not pass
 *   `EDIT_BUDGET_BYTES` through on-site edits and corrections, nor `PROGRESS_BUDGET_BYTES` through
 *   the Updates that move a case on (a full on-site record still leaves room for the reports).
 * The rest, up to the Query limit, is for what the workflow adds itself (docs/architecture.md
 * gives the sums). Handlers never re-check: validators do not run on replay.
 * Pure: safe inside the workflow sandbox.
 */
import type { VisitCase } from '../contracts/visit';

/** How many of each appended record a case accepts. */
export const CASE_LIMITS = {
  /** 证据材料 per case: about 3.3 KB each at the field maxima (record and audit entry). */
  evidence: 200,
  /** 退回修改 of the draft by the approver (each return makes a new draft round). */
  returns: 20,
  /** 整改报告 returned by the supervisors (each return opens a new report round and its letters). */
  reportReturns: 20,
  /** 延长整改期限. */
  extensions: 20,
  /** 应用节假日安排 (two yearly calendars per case, each published once or twice). */
  calendars: 10,
  /** 更正企业名单 before the draw. */
  rosterCorrections: 10,
  /** 更正县区收件邮箱. */
  emailCorrections: 20,
} as const;

/** The server's limit on a Query's answer (Temporal's default blob size limit). */
export const QUERY_LIMIT_BYTES = 2 * 1024 * 1024;
/** On-site edits and corrections stop here. */
export const EDIT_BUDGET_BYTES = 1_200_000;
/** Approval, reports, reviews, extensions and re-inspection stop here. */
export const PROGRESS_BUDGET_BYTES = 1_500_000;
/** What one audit entry adds besides its text (time, actor, action, JSON punctuation). */
const AUDIT_ENTRY_BYTES = 160;

/** UTF-8 length of a string, without an encoder (the workflow sandbox has no Buffer). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair: one 4-byte character
      i++;
    } else n += 3; // a lone surrogate is written as U+FFFD, 3 bytes too
  }
  return n;
}

/** Size of a value as JSON, in UTF-8 bytes: what a Query answer or a payload carries. */
export function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? '');
}

/**
 * The case's size as it will be once its letter is issued: before, the findings' problems and the
 * enterprises' results are counted a second time for the rectification's copy of them.
 */
export function caseBytes(state: VisitCase): number {
  const pending = state.rectification
    ? 0
    : jsonBytes(state.findings.map((f) => f.problem ?? '')) + jsonBytes(state.enterprises.map((e) => e.findings));
  return jsonBytes(state) + pending;
}

/**
 * The refusal for an Update that would take the case past `budget`, or undefined. `next` holds
 * the parts of the case the Update replaces, as they would be; `auditText` the audit entry's text.
 */
export function overBudget(
  state: VisitCase,
  next: Partial<VisitCase>,
  auditText: string,
  budget: number,
): string | undefined {
  const bytes = caseBytes({ ...state, ...next }) + utf8Bytes(auditText) + AUDIT_ENTRY_BYTES;
  if (bytes <= budget) return undefined;
  const kb = (n: number) => Math.round(n / 1024);
  return `本案记录已达上限（约 ${kb(budget)} KB，本次操作后将为 ${kb(bytes)} KB），不能再添加；请精简文字，或联系管理员`;
}

/** The refusal when `count` records of a kind already reached `max` (本案证据材料已达上限 200 件), or undefined. */
export function overCount(count: number, max: number, what: string, unit = '次'): string | undefined {
  return count >= max
    ? `本案${what}已达上限 ${max} ${unit}，不能再${what.startsWith('证据') ? '添加' : '进行'}`
    : undefined;
}
