/**
 * The renderDocument activity's input (文书生成): each kind's data schema with its cross-field rules,
 * keyed by kind, and the input a workflow passes. The fields themselves are in document-data.ts.
 * Pure: imported by workflow code.
 */
import { z } from 'zod';
import {
  AcceptanceBase,
  BulletinBase,
  NoticeBase,
  OpinionBase,
  ReceiptBase,
  ReminderBase,
  SummonsBase,
  SuperviseBase,
  UrgeBase,
  WarningBase,
} from './document-data';
import type { DocumentKind, FileFormat } from './documents';

const notBefore = (a: string, b: string) => a >= b;

export const NoticeData = NoticeBase.superRefine((d, ctx) => {
  if (d.visit.endDate && !notBefore(d.visit.endDate, d.visit.date)) {
    ctx.addIssue({ code: 'custom', path: ['visit', 'endDate'], message: '结束日期早于指导日期' });
  }
});
export const OpinionData = OpinionBase.superRefine((d, ctx) => {
  if (!notBefore(d.issueDate, d.visitDate))
    ctx.addIssue({ code: 'custom', path: ['issueDate'], message: '成文日期早于指导日期' });
  if (d.dueDate <= d.issueDate) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: '整改期限应晚于成文日期' });
});
export const ReminderData = ReminderBase;
export const UrgeData = UrgeBase;
export const SuperviseData = SuperviseBase;
export const WarningData = WarningBase;
export const SummonsData = SummonsBase;
export const AcceptanceData = AcceptanceBase.superRefine((d, ctx) => {
  if (d.decision === 'returned') {
    if (d.reasons.length === 0) ctx.addIssue({ code: 'custom', path: ['reasons'], message: '退回整改报告须写明理由' });
    if (!d.resubmitBy)
      ctx.addIssue({ code: 'custom', path: ['resubmitBy'], message: '退回整改报告须写明重新报送期限' });
  }
});
export const BulletinData = BulletinBase.superRefine((d, ctx) => {
  d.rows.forEach((r, i) => {
    if (r.hazardsFixed > r.hazardsFound) {
      ctx.addIssue({
        code: 'custom',
        path: ['rows', i, 'hazardsFixed'],
        message: `${r.county}：整改隐患数大于排查隐患数`,
      });
    }
  });
});

export const ReceiptData = ReceiptBase.superRefine((d, ctx) => {
  if (d.acknowledged.date < d.sentAt)
    ctx.addIssue({ code: 'custom', path: ['acknowledged', 'date'], message: '签收日期早于送达日期' });
});
/** What a workflow builds for a 送达回证 (renderDocument's `data` for kind `receipt`). */
export type ReceiptDataInput = z.input<typeof ReceiptData>;

/** Data schema of each kind: what a caller passes to renderDocument. */
export const DocumentDataSchemas = {
  notice: NoticeData,
  opinion: OpinionData,
  reminder: ReminderData,
  urge: UrgeData,
  supervise: SuperviseData,
  warning: WarningData,
  summons: SummonsData,
  acceptance: AcceptanceData,
  bulletin: BulletinData,
  receipt: ReceiptData,
} as const satisfies Record<DocumentKind, z.ZodType>;

export type DocumentData = { [K in DocumentKind]: z.infer<(typeof DocumentDataSchemas)[K]> };
export type DocumentDataInput = { [K in DocumentKind]: z.input<(typeof DocumentDataSchemas)[K]> };

/** Input of the renderDocument activity. PDF bytes never travel: only this and the result do. */
export interface RenderDocumentInput<K extends DocumentKind = DocumentKind> {
  kind: K;
  /** Case (visit) the document belongs to; names its archive directory. */
  caseId: string;
  /**
   * Caller's idempotency key (e.g. `rung-supervise`, `v2`): with caseId and kind it fixes the
   * documentId, so a retried activity overwrites its own file instead of adding a second one.
   * Without it the id is derived from the data.
   */
  key?: string;
  /**
   * The template directory of the plan the programme was started with (`plan.templatesDir`, made
   * absolute by the plan loader); undefined = the built-in templates. A worker that does not have
   * it, or whose copy fails the template check, refuses with PlanNotServable.
   */
  templatesDir?: string;
  /**
   * The plan's `formats` when they include OFD: the OFD is made beside the PDF (which is always
   * made). Absent = PDF only, as for every document rendered before OFD existed.
   */
  formats?: FileFormat[];
  data: DocumentDataInput[K];
}
