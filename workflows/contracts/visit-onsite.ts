/**
 * The visit's on-site and approval Updates (现场指导、审批): evidence, checklist findings, the sampled
 * enterprises' results, submit, approve and return, with their zod argument schemas, and the small
 * answer every visit Update gives (VisitUpdateResult). Pure: safe inside the workflow sandbox.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ChecklistItemKey } from '../shared/checklist';
import { EnterpriseCheckResult, FindingResult, type Stage } from '../shared/labels';
import { List } from '../shared/lists';
import { Line, Text } from '../shared/text';
import { ActorSchema } from './common';

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
export const addEvidenceUpdate = defineUpdate<EvidenceAdded, [AddEvidenceArgs]>('addEvidence');
export const setFindingUpdate = defineUpdate<VisitUpdateResult, [SetFindingArgs]>('setFinding');
export const setEnterpriseResultUpdate = defineUpdate<VisitUpdateResult, [SetEnterpriseResultArgs]>(
  'setEnterpriseResult',
);
export const submitUpdate = defineUpdate<VisitUpdateResult, [ActorOnlyArgs]>('submit');
export const approveUpdate = defineUpdate<VisitUpdateResult, [DecisionArgs]>('approve');
export const returnUpdate = defineUpdate<VisitUpdateResult, [ReturnArgs]>('return');
