/**
 * Approval (审批): the approver in force (the plan's approver, or the deputy once it passed to them)
 * approves the draft or returns it with comments. State-only Updates; the phase script's approval
 * round notices the decision, issues the letter or goes back on site.
 */
import { onUpdate, refuse } from '../lib/updates';
import { CASE_LIMITS, PROGRESS_BUDGET_BYTES, overBudget, overCount } from '../shared/case-limits';
import type { Actor } from '../contracts/common';
import { FailureType } from '../shared/errors';
import { personName } from '../shared/people';
import { DecisionArgs, ReturnArgs, approveUpdate, returnUpdate } from '../contracts/visit-onsite';
import type { VisitContext } from './context';
import { ack, now, requireRoom, requireStage } from './guards';

export function registerApprovalHandlers(ctx: Pick<VisitContext, 'plan' | 'state' | 'audit'>): void {
  const { plan, state } = ctx;
  const currentApprover = () => state.approval.passedTo ?? state.approval.approver;
  const round = () => state.approval.rounds[state.approval.rounds.length - 1];
  const validateDecision = (actor: Actor) => {
    if (actor.role !== 'leader' || actor.id !== currentApprover())
      throw refuse(FailureType.Forbidden, `只有审批人（${personName(plan, currentApprover())}）可以审批此意见书`);
    requireStage(state, 'approval', '审批');
    if (!round() || round()!.decision) throw refuse(FailureType.InvalidState, '审批稿尚未生成，请稍后再试');
  };
  // A comment counts against the budget; a bare approval never does, so a full case can still end.
  const roomForComment = (comment: string | undefined) => {
    if (comment) requireRoom(overBudget(state, {}, comment + comment, PROGRESS_BUDGET_BYTES));
  };

  onUpdate(
    approveUpdate,
    DecisionArgs,
    (args) => {
      validateDecision(args.actor);
      roomForComment(args.comment);
    },
    (args) => {
      Object.assign(round()!, { decision: 'approved', by: args.actor.id, at: now(), comment: args.comment });
      state.stage = 'issuing';
      ctx.audit(args.actor, 'approve', `审批通过${args.comment ? `：${args.comment}` : ''}`);
      return ack(state, round()!.at!);
    },
  );

  onUpdate(
    returnUpdate,
    ReturnArgs,
    (args) => {
      validateDecision(args.actor);
      requireRoom(
        overCount(
          state.approval.rounds.filter((r) => r.decision === 'returned').length,
          CASE_LIMITS.returns,
          '退回修改',
        ),
      );
      roomForComment(args.comment);
    },
    (args) => {
      Object.assign(round()!, { decision: 'returned', by: args.actor.id, at: now(), comment: args.comment });
      state.stage = 'onsite';
      ctx.audit(args.actor, 'return', `退回修改：${args.comment}`);
      return ack(state, round()!.at!);
    },
  );
}
