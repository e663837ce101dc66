/**
 * The engine's words for its own vocabularies, one table each, keyed by the zod enums that define
 * them: a visit's stage, the escalation rung, the kind of document, and the 检查结论 of a checklist
 * item. The workflows, the CLI, the HTTP API and (through `/api/meta`) the dashboard all read them
 * from here. Checklist items have their own module (checklist.ts). Pure (zod only).
 */
import { z } from 'zod';
import type { DocumentKind } from './documents';
import type { EscalationRung } from './plan';

/** 办理阶段: where a visit stands. */
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

/** 办理阶段 of a visit. */
export const STAGE_LABEL: Record<Stage, string> = {
  notice: '发送通知',
  waiting: '等待指导日期',
  onsite: '现场指导',
  approval: '审批中',
  issuing: '出具意见书',
  issued: '意见书已送达',
  rectification: '整改中',
  reinspection: '待复查',
  closed: '已验收归档',
  cancelled: '已取消',
};

/** The Chinese name of each kind of document, as a bureau calls it (titles, subjects, file names). */
export const DOCUMENT_KIND_NAMES: Record<DocumentKind, string> = {
  notice: '执法指导通知',
  opinion: '安全生产执法指导意见书',
  reminder: '整改到期提醒',
  urge: '催办通知',
  supervise: '督办函',
  warning: '警示函',
  summons: '约谈通知书',
  acceptance: '整改验收意见',
  bulletin: '执法指导情况通报',
  receipt: '送达回证',
};

/** The rung a case has reached on the escalation ladder; `none` before the first. */
export type Rung = EscalationRung | 'none';

/** 督办层级, short, as the board, the case view and `guidance list` show it; empty for `none`. */
export const RUNG_LABEL: Record<Rung, string> = {
  none: '',
  urge: '催办',
  supervise: '督办',
  warning: '警示',
  summons: '约谈',
  bulletin: '通报',
};

/** What each rung sends, as a sentence names it (已发出督办函): its letter; the last rung is the 通报 itself. */
export const RUNG_LETTER: Record<EscalationRung, string> = {
  urge: DOCUMENT_KIND_NAMES.urge,
  supervise: DOCUMENT_KIND_NAMES.supervise,
  warning: DOCUMENT_KIND_NAMES.warning,
  summons: DOCUMENT_KIND_NAMES.summons,
  bulletin: '通报',
};

/** 检查结论 of one checklist item; the values are the words the forms and the letter use. */
const FINDING_RESULTS = ['符合', '基本符合', '不符合', '不适用'] as const;
export const FindingResult = z.enum(FINDING_RESULTS, { error: `检查结论只能是 ${FINDING_RESULTS.join(' / ')}` });
export type FindingResult = z.infer<typeof FindingResult>;

/** 核查结论 of one check at a sampled enterprise: a problem (隐患或问题) or a clean result. */
export const ENTERPRISE_CHECK_RESULTS = ['发现问题', '未发现问题'] as const;
export const EnterpriseCheckResult = z.enum(ENTERPRISE_CHECK_RESULTS, {
  error: `核查结论只能是 ${ENTERPRISE_CHECK_RESULTS.join(' / ')}`,
});
export type EnterpriseCheckResult = z.infer<typeof EnterpriseCheckResult>;

/**
 * 送达情况 of a mail (DeliveryRecord.status), of one copy (recipient status), and of a letter's
 * copy in the sent-log (activities/email/sent-status.ts): the words the timeline, the case page and
 * the CLI show instead of the stored English values.
 */
export const DELIVERY_STATUS_LABEL: Record<string, string> = {
  delivered: '已送达',
  partial: '部分送达',
  failed: '送达失败',
};
export const RECIPIENT_STATUS_LABEL: Record<string, string> = { accepted: '已接收', failed: '失败' };
export const SENT_COPY_LABEL: Record<string, string> = {
  accepted: '邮件服务器已接收',
  intent: '发送中断，可能已送达',
  none: '未发送',
};
