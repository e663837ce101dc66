/**
 * A county's guidance visit (执法指导). For now the smallest real workflow: it records that the
 * visit started and waits for a supervisor to complete it. The Visit issue grows it into notice,
 * sampling, evidence, findings, approval and the opinion letter.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  CompleteVisitArgs,
  completeVisitUpdate,
  visitStateQuery,
  type VisitInput,
  type VisitState,
} from './shared/definitions';
import { FailureType } from './shared/errors';
import { formatIssues } from './shared/plan';

export async function countyVisitWorkflow(input: VisitInput): Promise<VisitState> {
  const state: VisitState = {
    county: input.county.code,
    date: input.date,
    status: 'started',
    startedAt: new Date().toISOString(),
  };
  setHandler(visitStateQuery, () => ({ ...state }));
  setHandler(
    completeVisitUpdate,
    (args) => {
      state.status = 'completed';
      state.completedAt = new Date().toISOString();
      state.completedBy = args.actor.id;
      state.summary = args.summary;
      return { ...state };
    },
    {
      validator: (raw) => {
        const parsed = CompleteVisitArgs.safeParse(raw);
        if (!parsed.success) {
          throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: formatIssues(parsed.error).join('；'), nonRetryable: true });
        }
        if (parsed.data.actor.role !== 'supervisor' && parsed.data.actor.role !== 'admin') {
          throw ApplicationFailure.create({ type: FailureType.Forbidden, message: '只有执法指导人员可以结束执法指导', nonRetryable: true });
        }
        if (state.status === 'completed') {
          throw ApplicationFailure.create({ type: FailureType.InvalidState, message: '该执法指导已经结束', nonRetryable: true });
        }
      },
    },
  );
  await condition(() => state.status === 'completed');
  return state;
}
