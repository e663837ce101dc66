/**
 * Visit operations shared by the CLI and the HTTP API: every human step through its validated
 * Update, reads through the Query. Refusals come back as UserError with the workflow's message.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { visitWorkflowId } from '../workflows/shared/definitions';
import {
  addEvidenceUpdate,
  approveUpdate,
  returnUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
  visitCaseQuery,
  submitReportUpdate,
  reviewReportUpdate,
  extendDueUpdate,
  recordReinspectionUpdate,
  type RecordReinspectionArgs,
  type SubmitReportArgs,
  type ReviewReportArgs,
  type ExtendDueArgs,
  type AddEvidenceArgs,
  type DecisionArgs,
  type ReturnArgs,
  type SetEnterpriseResultArgs,
  type SetFindingArgs,
  type ActorOnlyArgs,
  type VisitCase,
} from '../workflows/shared/visit';
import { EXIT, UserError } from './programme';

export interface VisitRef {
  year: number;
  bureau: string;
  county: string;
}

function handle(client: Client, ref: VisitRef) {
  return client.workflow.getHandle(visitWorkflowId(ref.year, ref.bureau, ref.county));
}

async function translate(client: Client, err: unknown, ref: VisitRef): Promise<unknown> {
  if (err instanceof WorkflowNotFoundError) {
    // An Update to a closed workflow is refused by the server as "not found": tell the two apart.
    const closed = await handle(client, ref).describe().then((d) => d.status.name !== 'RUNNING', () => false);
    if (closed) return new UserError('该执法指导已经结束，不能再操作', EXIT.refused, 'InvalidState');
    return new UserError(`没有找到 ${ref.county} 的 ${ref.year} 年度执法指导（${visitWorkflowId(ref.year, ref.bureau, ref.county)}）`, EXIT.notFound, 'NotFound');
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return new UserError(err.cause.message, EXIT.refused, err.cause.type ?? undefined);
  return err;
}

async function call<T>(client: Client, ref: VisitRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw await translate(client, err, ref);
  }
}

export const visitOps = {
  get: (client: Client, ref: VisitRef): Promise<VisitCase> => call(client, ref, () => handle(client, ref).query(visitCaseQuery)),
  addEvidence: (client: Client, ref: VisitRef, args: AddEvidenceArgs) => call(client, ref, () => handle(client, ref).executeUpdate(addEvidenceUpdate, { args: [args] })),
  setFinding: (client: Client, ref: VisitRef, args: SetFindingArgs) => call(client, ref, () => handle(client, ref).executeUpdate(setFindingUpdate, { args: [args] })),
  setEnterpriseResult: (client: Client, ref: VisitRef, args: SetEnterpriseResultArgs) => call(client, ref, () => handle(client, ref).executeUpdate(setEnterpriseResultUpdate, { args: [args] })),
  submit: (client: Client, ref: VisitRef, args: ActorOnlyArgs) => call(client, ref, () => handle(client, ref).executeUpdate(submitUpdate, { args: [args] })),
  approve: (client: Client, ref: VisitRef, args: DecisionArgs) => call(client, ref, () => handle(client, ref).executeUpdate(approveUpdate, { args: [args] })),
  return: (client: Client, ref: VisitRef, args: ReturnArgs) => call(client, ref, () => handle(client, ref).executeUpdate(returnUpdate, { args: [args] })),
  submitReport: (client: Client, ref: VisitRef, args: SubmitReportArgs) => call(client, ref, () => handle(client, ref).executeUpdate(submitReportUpdate, { args: [args] })),
  reviewReport: (client: Client, ref: VisitRef, args: ReviewReportArgs) => call(client, ref, () => handle(client, ref).executeUpdate(reviewReportUpdate, { args: [args] })),
  extendDue: (client: Client, ref: VisitRef, args: ExtendDueArgs) => call(client, ref, () => handle(client, ref).executeUpdate(extendDueUpdate, { args: [args] })),
  recordReinspection: (client: Client, ref: VisitRef, args: RecordReinspectionArgs) => call(client, ref, () => handle(client, ref).executeUpdate(recordReinspectionUpdate, { args: [args] })),
};
