/**
 * Updates that correct input which caused (or will cause) an incident or a failure, so that a
 * person can clear it: what runs next uses the correction. The enterprise roster (更正企业名单)
 * before the draw (the draw's retry reads it); the county's mailboxes (更正县区收件邮箱), used by
 * every letter mailed afterwards. State-only, like every Update (lib/updates.ts).
 */
import { onUpdate, refuse } from '../lib/updates';
import { CASE_LIMITS, EDIT_BUDGET_BYTES, overBudget, overCount } from '../shared/case-limits';
import { FailureType } from '../shared/errors';
import { CorrectCountyEmailsArgs, correctCountyEmailsUpdate } from '../contracts/county-emails';
import { CorrectRosterArgs, correctRosterUpdate, type RosterCorrection } from '../contracts/roster';
import type { VisitContext } from './context';
import { requireAdminOrSupervisor, requireOpen } from './guards';

export function registerCorrectionHandlers(ctx: Pick<VisitContext, 'plan' | 'state' | 'audit' | 'mailboxes'>): void {
  const { plan, state } = ctx;

  onUpdate(
    correctRosterUpdate,
    CorrectRosterArgs,
    (args) => {
      requireAdminOrSupervisor(plan, args.actor);
      requireOpen(state);
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
      requireAdminOrSupervisor(plan, args.actor);
      requireOpen(state);
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
      state.countyEmails = args.emails;
      // Every later letter reads the mailboxes when it is mailed (steps.ts, letters.ts).
      const before = ctx.mailboxes.correct(args.emails);
      ctx.audit(
        args.actor,
        'correctCountyEmails',
        `更正县区收件邮箱：${before.join('、')} → ${args.emails.join('、')}（${args.reason}）`,
      );
      return { by: args.actor.id, at, emails: args.emails };
    },
  );
}
