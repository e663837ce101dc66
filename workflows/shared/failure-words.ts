/**
 * Why a workflow ended without finishing, in words (失败原因): Temporal's own messages are English
 * ("Workflow execution terminated"), and they are shown on the board and in the programme's record.
 * Pure: safe inside the workflow sandbox.
 */
import { ChildWorkflowFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';

/** The reason a visit child failed, for its schedule entry's note and the audit log. */
export function visitFailureNote(err: unknown): string {
  const cause = err instanceof ChildWorkflowFailure && err.cause ? err.cause : err;
  if (cause instanceof TerminatedFailure) return '案件流程被强制终止';
  if (cause instanceof TimeoutFailure) return '案件流程运行超时';
  const message = cause instanceof Error ? cause.message : String(cause);
  return /[\u4e00-\u9fff]/.test(message) ? message : '案件流程异常结束，详见 Temporal 记录';
}
