/**
 * Updates that correct input which caused (or will cause) an incident, so that a person can clear
 * it: the retry then uses the correction. Today: the enterprise roster (更正企业名单) before the draw.
 * State-only, like every Update (lib/updates.ts); the draw step reads the corrected roster.
 */
import { onUpdate, refuse } from '../lib/updates';
import type { Actor } from '../shared/definitions';
import { FailureType } from '../shared/errors';
import { CorrectRosterArgs, correctRosterUpdate, type RosterCorrection } from '../shared/roster';
import type { VisitContext } from './context';

export function registerCorrections(ctx: VisitContext): void {
  const { plan, state } = ctx;
  /** Administrators, or a supervisor of this plan's guidance group (指导组). */
  const requireAdminOrSupervisor = (actor: Actor) => {
    if (actor.role === 'admin') return;
    if (actor.role === 'supervisor' && plan.supervisors.some((s) => s.id === actor.id)) return;
    throw refuse(FailureType.Forbidden, '只有管理员或本计划指导组的执法指导人员可以更正企业名单');
  };

  onUpdate(
    correctRosterUpdate,
    CorrectRosterArgs,
    (args) => {
      requireAdminOrSupervisor(args.actor);
      if (state.stage === 'closed' || state.stage === 'cancelled') throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
      // After the draw the sample stands: a new roster would make the recorded draw unverifiable.
      if (state.sample) throw refuse(FailureType.InvalidState, '已完成随机抽取（双随机），企业名单不能再更正');
    },
    (args) => {
      const correction: RosterCorrection = { by: args.actor.id, at: new Date().toISOString(), reason: args.reason, enterprises: args.enterprises.length };
      state.correctedRoster = args.enterprises;
      (state.rosterCorrections ??= []).push(correction);
      ctx.audit(args.actor, 'correctRoster', `更正企业名单（${args.enterprises.length} 家）：${args.reason}`);
      return correction;
    },
  );
}
