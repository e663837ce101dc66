/**
 * The county guidance visit's contract (执法指导): its input, the case record (VisitCase) and the
 * `visitCase` Query. Its Updates are in visit-onsite.ts (evidence, findings, approval) and
 * visit-rectification.ts (reports, review, extension, re-inspection); receipts, roster, county
 * mailboxes, calendar and incidents have their own contracts. Shared by the workflow, the CLI and
 * the HTTP API. Pure: safe inside the workflow sandbox.
 */
import { defineQuery } from '@temporalio/workflow';
import type { ChecklistItemKey } from '../shared/checklist';
import type { RenderResult } from '../shared/documents';
import type { DeliveryRecord } from '../shared/email';
import type { FindingResult, Stage } from '../shared/labels';
import type { County, Enterprise, Plan } from '../shared/plan';
import type { SampleDraw } from '../shared/sampling';
import type { DraftFinding } from '../shared/stats-result';
import type { CalendarApplied } from './calendar-update';
import type { AuditEntry, TimeScale } from './common';
import type { Incident } from './incidents';
import type { Receipt } from './receipts';
import type { RosterCorrection } from './roster';
import type { EnterpriseCheck } from './visit-onsite';
import type { Rectification } from './visit-rectification';

export interface VisitInput {
  programmeWorkflowId: string;
  /** The plan with only this county in `counties`. */
  plan: Plan;
  county: County;
  /** Visit date, `YYYY-MM-DD`. */
  date: string;
  timeScale?: TimeScale;
  timeScaleEpochMs?: number;
  /** Draft findings from the county's imported statistics, pre-filled and editable. */
  statsDrafts?: Pick<DraftFinding, 'item' | 'problem' | 'opinion'>[];
  /** The programme to tell of every move (for its bulletin and digest); absent when run alone. */
  reportTo?: string;
  /** Upsert search attributes (false on services without visibility: the time-skipping test server). */
  visibility?: boolean;
  /** Mail retry overrides (tests); production keeps the default of days. */
  mailRetry?: {
    initialIntervalMs?: number;
    maximumIntervalMs?: number;
    giveUpAfterMs?: number;
    attemptTimeoutMs?: number;
  };
}

export interface EvidenceRecord {
  /** E1, E2, … in the order recorded. */
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  filename: string;
  item: ChecklistItemKey;
  enterprise?: string;
  note?: string;
  by: string;
  at: string;
}

export interface Finding {
  item: ChecklistItemKey;
  result?: FindingResult;
  problem?: string;
  opinion?: string;
  evidence: string[];
  /** True while the text is the statistics draft no person has touched yet. */
  prefilled?: boolean;
  by?: string;
  at?: string;
}

export interface EnterpriseResult {
  enterprise: string;
  /**
   * The problems found (one a line). Before `checks` existed every line was a problem, so a case
   * recorded then still reads this way.
   */
  findings: string[];
  /** Each check with its result: problems enter the letter's opinions and the rectification, clean results are stated once. */
  checks?: EnterpriseCheck[];
  by: string;
  at: string;
}

/** The checks of an enterprise result; a result recorded before `checks` held problems only. */
export function enterpriseChecks(r: Pick<EnterpriseResult, 'findings' | 'checks'>): EnterpriseCheck[] {
  return r.checks ?? r.findings.map((text) => ({ result: '发现问题' as const, text }));
}

export interface LetterRecord {
  docNumber: string;
  issueDate: string;
  dueDate: string;
  document: RenderResult;
  delivery?: DeliveryRecord;
}

export interface VisitCase {
  caseId: string;
  year: number;
  bureau: string;
  county: string;
  countyName: string;
  date: string;
  stage: Stage;
  notice?: { docNumber: string; document: RenderResult; delivery?: DeliveryRecord };
  sample?: SampleDraw;
  evidence: EvidenceRecord[];
  findings: Finding[];
  enterprises: EnterpriseResult[];
  approval: {
    approver: string;
    /** Set when the approver did not answer in time and the deputy took over. */
    passedTo?: string;
    rounds: {
      draft: RenderResult;
      sentAt: string;
      decision?: 'approved' | 'returned';
      by?: string;
      at?: string;
      comment?: string;
      reminders: string[];
    }[];
  };
  letter?: LetterRecord;
  rectification?: Rectification;
  /** Faults that retries could not fix, each waiting for (or retried by) an administrator. */
  incidents: Incident[];
  /** 签收: one per letter that asks the county to act (cases started before receipts have none). */
  receipts?: Receipt[];
  /** Official calendars applied to the case after it started, with the dates each moved. */
  calendars?: CalendarApplied[];
  /** The roster corrected before the draw (更正企业名单, roster.ts); the draw uses it instead of the plan's. */
  correctedRoster?: Enterprise[];
  rosterCorrections?: RosterCorrection[];
  /** The county's mailboxes as corrected on this case (county-emails.ts); absent: the plan's. */
  countyEmails?: string[];
  /** The archive of a cancelled case (a closed case's is `rectification.archive`). */
  archive?: { dir: string; manifestSha256: string; files: number };
  audit: AuditEntry[];
}

export const visitCaseQuery = defineQuery<VisitCase>('visitCase');
