/**
 * Updates that correct input which caused (or will cause) an incident or a failure, so that a
 * person can clear it: what runs next uses the correction. The enterprise roster (更正企业名单)
 * before the draw (the draw's retry reads it); the county's mailboxes (更正县区收件邮箱), used by
 * every letter mailed afterwards. State-only, like every Update (lib/updates.ts).
 */
import { onUpdate, refuse } from '../lib/updates';
import { CASE_LIMITS, EDIT_BUDGET_BYTES, overBudget, overCount } from '../shared/case-limits';
import type { Actor } from '../contracts/common';
import { FailureType } from '../shared/errors';
import { CorrectCountyEmailsArgs, correctCountyEmailsUpdate } from '../contracts/county-emails';
import { CorrectRosterArgs, correctRosterUpdate, type RosterCorrection } from '../contracts/roster';
import type { VisitContext } from './context';

export function registerCorrections(ctx: VisitContext): void {
  const { plan, state } = ctx;
  /** Administrators, or a supervisor of this plan's guidance group (指导组). */
  const requireAdminOrSupervisor = (actor: Actor) => {
    if (actor.role === 'admin') return;
    if (actor.role === 'supervisor' && plan.supervisors.some((s) => s.id === actor.id)) return;
    throw refuse(FailureType.Forbidden, '只有管理员或本计划指导组的执法指导人员可以进行此更正');
  };

  onUpdate(
    correctRosterUpdate,
    CorrectRosterArgs,
    (args) => {
      requireAdminOrSupervisor(args.actor);
      if (state.stage === 'closed' || state.stage === 'cancelled')
        throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
      // After the draw the sample stands: a new roster would make the recorded draw unverifiable.
      if (state.sample) throw refuse(FailureType.InvalidState, '已完成随机抽取（双随机），企业名单不能再更正');
      // The corrected roster is kept on the case (up to 2000 enterprises): it counts against the case's size.
      const full =
        overCount(state.rosterCorrections?.length ?? 0, CASE_LIMITS.rosterCorrections, '更正企业名单') ??
        overBudget(state, { correctedRoster: args.enterprises }, args.reason, EDIT_BUDGET_BYTES);
      if (full) throw refuse(FailureType.InvalidInput, full);
    },
    (args) => {
      const correction: RosterCorrection = {
        by: args.actor.id,
        at: new Date().toISOString(),
        reason: args.reason,
        enterprises: args.enterprises.length,
      };
      state.correctedRoster = args.enterprises;
      (state.rosterCorrections ??= []).push(correction);
      ctx.audit(args.actor, 'correctRoster', `更正企业名单（${args.enterprises.length} 家）：${args.reason}`);
      return correction;
    },
  );

  onUpdate(
    correctCountyEmailsUpdate,
    CorrectCountyEmailsArgs,
    (args) => {
      requireAdminOrSupervisor(args.actor);
      if (state.stage === 'closed' || state.stage === 'cancelled')
        throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再操作');
      // Counted by the audit entries, which every correction writes (cases corrected before the cap have no other record).
      const done = state.audit.filter((a) => a.action === 'correctCountyEmails').length;
      const full =
        overCount(done, CASE_LIMITS.emailCorrections, '更正收件邮箱') ??
        overBudget(
          state,
          { countyEmails: args.emails },
          args.emails.join('、').repeat(2) + args.reason,
          EDIT_BUDGET_BYTES,
        );
      if (full) throw refuse(FailureType.InvalidInput, full);
    },
    (args) => {
      const at = new Date().toISOString();
      const before = ctx.countyMail.map((a) => a.address);
      state.countyEmails = args.emails;
      // Every later letter reads ctx.countyMail when it is mailed (steps.ts, letters.ts).
      ctx.countyMail = args.emails.map((address) => ({ name: ctx.county.bureauName, address }));
      ctx.audit(
        args.actor,
        'correctCountyEmails',
        `更正县区收件邮箱：${before.join('、')} → ${args.emails.join('、')}（${args.reason}）`,
      );
      return { by: args.actor.id, at, emails: args.emails };
    },
  );
}
