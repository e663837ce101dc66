/**
 * The visit's rectification Updates (整改), after the letter is delivered: the county's report, its
 * review, a due date extended and the re-inspection (复查), with their zod argument schemas and the
 * rectification record the case keeps. Pure: safe inside the workflow sandbox.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { CalendarDate } from '../shared/dates';
import type { DocumentKind, RenderResult } from '../shared/documents';
import type { DeliveryRecord } from '../shared/email';
import type { Rung } from '../shared/labels';
import { List } from '../shared/lists';
import { Line, Text } from '../shared/text';
import { ActorSchema } from './common';
import { EVIDENCE_MAX_BYTES, EVIDENCE_TYPES, type VisitUpdateResult } from './visit-onsite';

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

/** submitReport: the report's number (第 n 次) and how late it came (0: in time). */
export type ReportSubmitted = VisitUpdateResult & { no: number; daysOverdue: number };
/** reviewReport: the report reviewed, and the due date after it (a return sets a new one). */
export type ReportReviewed = VisitUpdateResult & { no: number; decision: 'accept' | 'return'; dueDate: string };
/** extendDue: the new due date. */
export type DueDateMoved = VisitUpdateResult & { dueDate: string };

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
