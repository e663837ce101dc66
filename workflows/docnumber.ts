/**
 * Document numbers (发文字号): one long-lived workflow per bureau, year and series hands out
 * 1, 2, 3, … Gapless because a number is given only when a letter is about to be issued, and never
 * reused because the workflow remembers every request: a retried request (same requestId) gets the
 * number it was given before, not a new one. Updates to one workflow are serialised by Temporal,
 * so concurrent visits cannot draw the same number.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { onUpdate, refuse } from './lib/updates';
import {
  VoidNumberArgs,
  allocateNumberUpdate,
  numbersQuery,
  voidNumberUpdate,
  type DocNumberState,
} from './contracts/numbering';
import { FailureType } from './shared/errors';

export async function docNumberWorkflow(state: DocNumberState): Promise<void> {
  setHandler(numbersQuery, () => state);
  setHandler(
    allocateNumberUpdate,
    ({ requestId }) => {
      const given = state.assigned[requestId];
      if (given !== undefined) return given;
      const n = state.next++;
      state.assigned[requestId] = n;
      return n;
    },
    {
      validator: ({ requestId }) => {
        if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 300)
          throw new Error('requestId 不正确');
      },
    },
  );
  onUpdate(
    voidNumberUpdate,
    VoidNumberArgs,
    ({ requestId }) => {
      const n = state.assigned[requestId];
      if (n === undefined) throw refuse(FailureType.InvalidInput, `没有为 ${requestId} 分配过文号`);
      if (state.voided?.[n]) throw refuse(FailureType.InvalidState, `第 ${n} 号已作废`);
    },
    ({ requestId, reason }) => {
      const n = state.assigned[requestId]!;
      state.voided = { ...state.voided, [n]: { requestId, reason, at: new Date().toISOString() } };
      return n;
    },
  );
  // Lives for the year; history is kept short by continuing as new with the same state.
  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof docNumberWorkflow>(state);
}
