/**
 * Allocates a document number by asking the series' numbering workflow. An activity (not a child
 * workflow) because many visits share one numbering workflow, and Temporal workflows cannot send
 * Updates to each other; the activity is the bridge, and its retries are safe because the request
 * id makes the Update idempotent.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { docNumberWorkflowId, allocateNumberUpdate } from '../workflows/shared/docnumber';

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
      try {
        await deps.client.workflow.start('docNumberWorkflow', {
          workflowId,
          taskQueue: deps.taskQueue,
          args: [{ year: req.year, bureau: req.bureau, series: req.series, next: 1, assigned: {} }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return deps.client.workflow.getHandle(workflowId).executeUpdate(allocateNumberUpdate, { args: [{ requestId: req.requestId }] });
    },
  };
}
