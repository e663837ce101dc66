/**
 * The checks the visit's Update validators share: who may act (a supervisor of this plan, the
 * county itself), in which stage, and whether the case has room (case-limits.ts). Each throws a
 * `refuse(...)` failure with the Chinese message the caller reads; none changes anything.
 */
import { refuse } from '../lib/updates';
import type { Actor } from '../contracts/common';
import { FailureType } from '../shared/errors';
import { STAGE_LABEL } from '../shared/labels';
import type { VisitCase, VisitInput } from '../contracts/visit';
import type { Stage } from '../shared/labels';
import type { VisitUpdateResult } from '../contracts/visit-onsite';

type Plan = VisitInput['plan'];

/** An Update's time stamp (workflow time). */
export const now = (): string => new Date().toISOString();

/** Every Update's short answer (VisitUpdateResult): the case is read by query, not copied into history. */
export const ack = (state: VisitCase, at: string): VisitUpdateResult => ({
  caseId: state.caseId,
  stage: state.stage,
  at,
});

/** A supervisor of this plan's guidance group (指导组). */
export function requireSupervisor(plan: Plan, actor: Actor): void {
  if (actor.role !== 'supervisor' || !plan.supervisors.some((s) => s.id === actor.id)) {
    throw refuse(FailureType.Forbidden, '只有本计划指导组的执法指导人员可以进行此操作');
  }
}

/** The county of this case, or a supervisor on its behalf. */
export function requireCountyOrSupervisor(plan: Plan, county: VisitInput['county'], actor: Actor): void {
  if (actor.role !== 'county') return requireSupervisor(plan, actor);
  if (actor.county !== county.code) throw refuse(FailureType.Forbidden, '县区只能提交本县区的整改报告');
}

/** Administrators, or a supervisor of this plan's guidance group (指导组). */
export function requireAdminOrSupervisor(plan: Plan, actor: Actor): void {
  if (actor.role === 'admin') return;
  if (actor.role === 'supervisor' && plan.supervisors.some((s) => s.id === actor.id)) return;
  throw refuse(FailureType.Forbidden, '只有管理员或本计划指导组的执法指导人员可以进行此更正');
}

/** The case has not ended (closed or cancelled). */
export function requireOpen(state: VisitCase): void {
  if (state.stage === 'closed' || state.stage === 'cancelled')
    throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
}

/** The case is in `stage`; `what` names the refused step. */
export function requireStage(state: VisitCase, stage: Stage, what: string): void {
  requireOpen(state);
  if (state.stage !== stage)
    throw refuse(FailureType.InvalidState, `当前阶段为“${STAGE_LABEL[state.stage]}”，不能${what}`);
}

/** Per-case caps (case-limits.ts): a count reached, or the case's byte budget. */
export function requireRoom(message: string | undefined): void {
  if (message) throw refuse(FailureType.InvalidInput, message);
}
