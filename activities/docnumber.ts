/**
 * Allocates a document number by asking the series' numbering workflow. An activity (not a child
 * workflow) because many visits share one numbering workflow, and Temporal workflows cannot send
 * Updates to each other; the activity is the bridge, and its retries are safe because the request
 * id makes the Update idempotent.
 */
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { docNumberWorkflowId, allocateNumberUpdate, voidNumberUpdate } from '../workflows/contracts/numbering';
import { FailureType } from '../workflows/shared/errors';

export interface DocNumberDeps {
  client: Client;
  taskQueue: string;
}

export interface AllocateRequest {
  year: number;
  bureau: string;
  /** `opinion`, `notice`, `escalation` …: each series counts on its own. */
  series: string;
  requestId: string;
}

export function createDocNumberActivities(deps: DocNumberDeps) {
  return {
    async allocateDocNumber(req: AllocateRequest): Promise<number> {
      const workflowId = docNumberWorkflowId(req.year, req.bureau, req.series);
      // One request (update-with-start) rather than start, describe and update: under load each
      // round trip was a wait behind every other visit's (docs/performance.md).
      const start = new WithStartWorkflowOperation('docNumberWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ year: req.year, bureau: req.bureau, series: req.series, next: 1, assigned: {}, voided: {} }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // Never a second run under the same id: a terminated series must not restart at 1 and
        // repeat official numbers (it continues as new only from its own state).
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      try {
        return await deps.client.workflow.executeUpdateWithStart(allocateNumberUpdate, {
          args: [{ requestId: req.requestId }],
          startWorkflowOperation: start,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const { status } = await deps.client.workflow.getHandle(workflowId).describe();
        throw ApplicationFailure.nonRetryable(
          `文号分配工作流 ${workflowId} 已结束（${status.name}），为避免文号重复不会从 1 重新编号；请管理员核对发文登记后处理`,
          FailureType.IntegrityError,
        );
      }
    },
    /** Voids (作废) the number given to `requestId`, with the reason, in the series' register. */
    async voidDocNumber(req: AllocateRequest & { reason: string }): Promise<number> {
      const handle = deps.client.workflow.getHandle(docNumberWorkflowId(req.year, req.bureau, req.series));
      return handle.executeUpdate(voidNumberUpdate, { args: [{ requestId: req.requestId, reason: req.reason }] });
    },
  };
}
