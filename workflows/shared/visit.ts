/**
 * The county guidance visit (执法指导): its state, Updates and Queries, with the zod schemas the
 * workflow, the CLI and the HTTP API share. Pure: safe inside the workflow sandbox.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ChecklistItemKey } from './checklist';
import type { AuditEntry, TimeScale } from './definitions';
import type { Incident } from './incidents';
import type { Receipt } from './receipts';
import type { CalendarApplied } from './calendar-update';
import { ActorSchema } from './definitions';
import type { DeliveryRecord } from './email';
import type { DocumentKind, RenderResult } from './documents';
import { EnterpriseCheckResult, FindingResult, type Rung } from './labels';
import type { Plan, County, Enterprise } from './plan';
import type { RosterCorrection } from './roster';
import type { SampleDraw } from './sampling';
import type { DraftFinding } from './stats';
import { CalendarDate } from './dates';
import { List } from './lists';
import { Line, Text } from './text';

/** Evidence limits, checked by the store on upload and again by the Update's validator. */
export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;
export const EVIDENCE_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/ofd',
] as const;

export const Stage = z.enum([
  'notice',
  'waiting',
  'onsite',
  'approval',
  'issuing',
  'issued',
  'rectification',
  'reinspection',
  'closed',
  'cancelled',
]);
export type Stage = z.infer<typeof Stage>;

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

// ---------------------------------------------------------------------------------------------
// Updates (human steps) and their argument schemas.

export const AddEvidenceArgs = z.object({
  actor: ActorSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 应为 64 位小写十六进制'),
  size: z
    .number()
    .int()
    .positive('文件为空')
    .max(EVIDENCE_MAX_BYTES, `文件过大：上限 ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB`),
  mediaType: z.enum(EVIDENCE_TYPES, { error: '不接受的文件类型（仅接受 PDF、JPEG、PNG、TIFF、Word、Excel、OFD）' }),
  filename: Line({ min: 1, max: 200, label: '文件名' }),
  item: ChecklistItemKey,
  enterprise: z.string().optional(),
  note: Text({ max: 500, label: '说明' }).optional(),
});
export type AddEvidenceArgs = z.infer<typeof AddEvidenceArgs>;

export const SetFindingArgs = z.object({
  actor: ActorSchema,
  item: ChecklistItemKey,
  result: FindingResult,
  /** One problem a line: each line is a problem of the letter and an item of the county's rectification. */
  problem: Text({ max: 2000, label: '存在问题' }).optional(),
  opinion: Text({ max: 2000, label: '处理意见' }).optional(),
  /** Ids of evidence already added (E1, E2 …). */
  evidence: List(z.string().regex(/^E[1-9]\d{0,5}$/, '证据编号格式应为 E1、E2 …'), {
    max: 50,
    label: '证据编号',
  }).default([]),
});
export type SetFindingArgs = z.input<typeof SetFindingArgs>;

/** One check at a sampled enterprise (核查结果): a problem with its opinion, or a clean result. */
export const EnterpriseCheck = z.object({
  result: EnterpriseCheckResult,
  /** The hazard or problem found; for a clean result what was found in order (e.g. 未发现重大事故隐患). */
  text: Line({ min: 1, max: 2000, label: '核查结果' }),
  /** 处理意见 of a problem; the plan's default opinion when absent. */
  opinion: Line({ max: 2000, label: '处理意见' }).optional(),
});
export type EnterpriseCheck = z.infer<typeof EnterpriseCheck>;

const SetEnterpriseResultFields = z.object({
  actor: ActorSchema,
  enterprise: z.string().min(1),
  /** Each check with its result (发现问题 / 未发现问题). */
  checks: List(EnterpriseCheck, { min: 1, tooFew: '至少填写一条核查结果', max: 50, label: '核查结果' }).optional(),
  /** Older clients: every line a problem (line breaks within it become spaces). */
  findings: List(Line({ min: 1, max: 2000, label: '核查结果' }), {
    min: 1,
    tooFew: '至少填写一条核查结果',
    max: 50,
    label: '核查结果',
  }).optional(),
});

/** The rules across fields, for the Update's schema and the HTTP body's (which has no actor). */
export function enterpriseResultRules<T extends z.ZodType<{ checks?: EnterpriseCheck[]; findings?: string[] }>>(
  schema: T,
) {
  return schema
    .refine((a) => (a.checks === undefined) !== (a.findings === undefined), {
      message: '请填写核查结果（checks），每条注明“发现问题”或“未发现问题”',
      path: ['checks'],
    })
    .refine((a) => !a.checks?.some((c) => c.result === '未发现问题' && c.opinion), {
      message: '“未发现问题”的核查结果不需要处理意见',
      path: ['checks'],
    });
}

export const SetEnterpriseResultArgs = enterpriseResultRules(SetEnterpriseResultFields);
/** The HTTP body: the fields without the actor (the session names it). */
export const SetEnterpriseResultBody = enterpriseResultRules(SetEnterpriseResultFields.omit({ actor: true }));
export type SetEnterpriseResultArgs = z.infer<typeof SetEnterpriseResultArgs>;

export const ActorOnlyArgs = z.object({ actor: ActorSchema });
export type ActorOnlyArgs = z.infer<typeof ActorOnlyArgs>;

export const DecisionArgs = z.object({
  actor: ActorSchema,
  comment: Text({ max: 2000, label: '审批意见' }).optional(),
});
export type DecisionArgs = z.infer<typeof DecisionArgs>;

export const ReturnArgs = z.object({
  actor: ActorSchema,
  comment: Text({ min: 2, max: 2000, label: '退回意见', tooShort: '退回必须写明意见（至少 2 个字）' }),
});
export type ReturnArgs = z.infer<typeof ReturnArgs>;

/**
 * What a visit Update answers (回执): a few fields, never the case. Each answer is written into the
 * workflow's history, so answering with the case wrote a full copy of it per call. A caller that
 * needs more reads the case afterwards (visitCaseQuery). Histories recorded before this hold the
 * old, larger answers; an Update's result is not part of replay.
 */
export interface VisitUpdateResult {
  caseId: string;
  /** The case's stage once the Update applied. */
  stage: Stage;
  /** When it applied (workflow time, an ISO instant). */
  at: string;
}
/** addEvidence: the evidence's id (E1, E2 …) that findings cite. */
export type EvidenceAdded = VisitUpdateResult & { id: string };
/** submitReport: the report's number (第 n 次) and how late it came (0: in time). */
export type ReportSubmitted = VisitUpdateResult & { no: number; daysOverdue: number };
/** reviewReport: the report reviewed, and the due date after it (a return sets a new one). */
export type ReportReviewed = VisitUpdateResult & { no: number; decision: 'accept' | 'return'; dueDate: string };
/** extendDue: the new due date. */
export type DueDateMoved = VisitUpdateResult & { dueDate: string };

export const addEvidenceUpdate = defineUpdate<EvidenceAdded, [AddEvidenceArgs]>('addEvidence');
export const setFindingUpdate = defineUpdate<VisitUpdateResult, [SetFindingArgs]>('setFinding');
export const setEnterpriseResultUpdate = defineUpdate<VisitUpdateResult, [SetEnterpriseResultArgs]>(
  'setEnterpriseResult',
);
export const submitUpdate = defineUpdate<VisitUpdateResult, [ActorOnlyArgs]>('submit');
export const approveUpdate = defineUpdate<VisitUpdateResult, [DecisionArgs]>('approve');
export const returnUpdate = defineUpdate<VisitUpdateResult, [ReturnArgs]>('return');
export const visitCaseQuery = defineQuery<VisitCase>('visitCase');

// ---------------------------------------------------------------------------------------------
// Rectification (整改), after the letter is delivered.

/** 整改状态 of one problem of the letter. */
export const ItemStatus = z.enum(['整改完成', '正在整改', '无法整改'], {
  error: '整改状态只能是 整改完成 / 正在整改 / 无法整改',
});
export type ItemStatus = z.infer<typeof ItemStatus>;

/** Files one rectification report may carry (the CLI and the HTTP upload take as many). */
export const REPORT_MAX_FILES = 10;
/**
 * Entries a report or a re-inspection may list, one per problem of the letter: far above any
 * letter people write, a ceiling on the argument's size, not a rule of the trade.
 */
export const MAX_PROBLEMS = 1000;

export const ReportFile = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 应为 64 位小写十六进制'),
  size: z
    .number()
    .int()
    .positive('文件为空')
    .max(EVIDENCE_MAX_BYTES, `文件过大：上限 ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB`),
  mediaType: z.enum(EVIDENCE_TYPES, { error: '不接受的文件类型（仅接受 PDF、JPEG、PNG、TIFF、Word、Excel、OFD）' }),
  filename: Line({ min: 1, max: 200, label: '文件名' }),
});
export type ReportFile = z.infer<typeof ReportFile>;

export const SubmitReportArgs = z.object({
  actor: ActorSchema,
  files: List(ReportFile, {
    min: 1,
    tooFew: '整改报告至少附一个文件',
    max: REPORT_MAX_FILES,
    label: '整改报告附件',
    key: (f) => f.sha256,
    conflict: (sha) => `同一文件以不同文件名附了两次（sha256 ${String(sha).slice(0, 12)}…）`,
  }),
  /** One entry per problem of the letter (index into `rectification.problems`). */
  items: List(
    z.object({
      index: z.number().int().min(0),
      status: ItemStatus,
      /** 正在整改: the date it will be finished. */
      date: CalendarDate.optional(),
      /** 无法整改: why. */
      reason: Line({ max: 1000, label: '无法整改的理由' }).optional(),
    }),
    {
      min: 1,
      tooFew: '至少填写一项整改情况',
      max: MAX_PROBLEMS,
      label: '整改情况',
      key: (i) => i.index,
      conflict: (i) => `第 ${Number(i) + 1} 项重复填写且内容不同`,
    },
  ),
  note: Text({ max: 2000, label: '说明' }).optional(),
});
export type SubmitReportArgs = z.infer<typeof SubmitReportArgs>;

export const ReviewReportArgs = z.object({
  actor: ActorSchema,
  decision: z.enum(['accept', 'return'], { error: '审核结论只能是 accept（验收通过）或 return（退回）' }),
  /** Each reason is one line of the acceptance letter. */
  reasons: List(Line({ min: 1, max: 1000, label: '退回理由' }), { max: 20, label: '退回理由' }).optional(),
});
export type ReviewReportArgs = z.infer<typeof ReviewReportArgs>;

export const ExtendDueArgs = z.object({
  actor: ActorSchema,
  newDueDate: CalendarDate,
  reason: Text({ min: 2, max: 500, label: '延期理由', tooShort: '延期必须写明理由（至少 2 个字）' }),
});
export type ExtendDueArgs = z.infer<typeof ExtendDueArgs>;

export interface LetterSent {
  kind: DocumentKind;
  /** The due date the letter was about (reminders, escalations). */
  dueDate?: string;
  docNumber?: string;
  date: string;
  document: RenderResult;
  delivery?: DeliveryRecord;
}

export interface RectificationReport {
  no: number;
  at: string;
  date: string;
  by: string;
  role: string;
  late: boolean;
  daysOverdue: number;
  files: ReportFile[];
  items: SubmitReportArgs['items'];
  note?: string;
  /** The supervisor's review; `letter` is set once the acceptance or return letter is out. */
  review?: {
    decision: 'accept' | 'return';
    by: string;
    at: string;
    reasons: string[];
    resubmitBy?: string;
    letter?: LetterSent;
  };
}

export interface Rectification {
  /** The problems of the letter the county must answer, in letter order. */
  problems: string[];
  dueDate: string;
  /** Index of the highest rung of the ladder reached, -1 before any. */
  rungIndex: number;
  rung: Rung;
  overdue: boolean;
  reminders: (LetterSent & { daysBefore: number })[];
  escalations: (LetterSent & { rung: string; daysOverdue: number })[];
  reports: RectificationReport[];
  extensions: { by: string; at: string; from: string; to: string; reason: string }[];
  /** 考核扣分 recorded for the annual assessment. */
  deductions: { rung: string; points: number; date: string }[];
  /** Listed in the next 通报 (bulletin). */
  listedInBulletin: boolean;
  /** 复查 results, when the plan asks for a follow-up check after acceptance. */
  reinspection?: { by: string; at: string; date: string; items: RecordReinspectionArgs['items'] };
  closedAt?: string;
  archive?: { dir: string; manifestSha256: string; files: number };
}

/** 复查: a follow-up check of the letter's problems only, after acceptance (plan setting). */
export const RecordReinspectionArgs = z.object({
  actor: ActorSchema,
  date: CalendarDate,
  items: List(
    z.object({
      index: z.number().int().min(0),
      passed: z.boolean(),
      comment: Text({ max: 1000, label: '复查意见' }).optional(),
    }),
    {
      min: 1,
      tooFew: '至少填写一项复查结果',
      max: MAX_PROBLEMS,
      label: '复查结果',
      key: (i) => i.index,
      conflict: (i) => `第 ${Number(i) + 1} 项重复填写且内容不同`,
    },
  ),
});
export type RecordReinspectionArgs = z.infer<typeof RecordReinspectionArgs>;
export const recordReinspectionUpdate = defineUpdate<VisitUpdateResult, [RecordReinspectionArgs]>('recordReinspection');

export const submitReportUpdate = defineUpdate<ReportSubmitted, [SubmitReportArgs]>('submitReport');
export const reviewReportUpdate = defineUpdate<ReportReviewed, [ReviewReportArgs]>('reviewReport');
export const extendDueUpdate = defineUpdate<DueDateMoved, [ExtendDueArgs]>('extendDue');
