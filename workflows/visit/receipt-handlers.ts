/**
 * Receipt of letters (签收): the county acknowledges a letter (its portal or the emailed link), or
 * staff record a receipt it gave otherwise. State-only: the ReceiptBook records it and wakes the
 * receipts loop (receipts.ts), which renders the 送达回证.
 */
import { onUpdate, refuse } from '../lib/updates';
import { FailureType } from '../shared/errors';
import { AcknowledgeArgs, RECEIPT_VIA_LABEL, acknowledgeUpdate } from '../contracts/receipts';
import type { VisitContext } from './context';
import { now } from './guards';

export function registerReceiptHandlers(
  ctx: Pick<VisitContext, 'plan' | 'county' | 'state' | 'audit' | 'today' | 'receipts'>,
): void {
  const { plan, county, state, receipts } = ctx;

  onUpdate(
    acknowledgeUpdate,
    AcknowledgeArgs,
    (args) => {
      const { actor } = args;
      const isCounty = actor.role === 'county' && actor.county === county.code;
      if (args.via !== 'staff' && !isCounty) throw refuse(FailureType.Forbidden, '只有本县区可以签收本县区的文书');
      if (
        args.via === 'staff' &&
        actor.role !== 'admin' &&
        !(actor.role === 'supervisor' && plan.supervisors.some((s) => s.id === actor.id))
      ) {
        throw refuse(FailureType.Forbidden, '只有指导组或管理员可以代为登记签收');
      }
      // Once closing, the archive is being written: a receipt then could not join it.
      if (state.stage === 'closed' || state.stage === 'cancelled' || state.rectification?.closedAt)
        throw refuse(FailureType.InvalidState, '该执法指导已经结束，不能再签收');
      const receipt = receipts.find(args.receipt);
      if (!receipt) throw refuse(FailureType.InvalidInput, `没有编号为 ${args.receipt} 的待签收文书`);
      if (receipt.acknowledged)
        throw refuse(
          FailureType.InvalidState,
          `该文书已于 ${receipt.acknowledged.date} 由 ${receipt.acknowledged.signer} 签收，不能重复签收`,
        );
    },
    (args) => {
      const receipt = receipts.acknowledge(args.receipt, {
        by: args.actor.id,
        signer: args.signer,
        at: now(),
        date: ctx.today(),
        via: args.via,
      });
      ctx.audit(
        args.actor,
        'acknowledge',
        `${receipt.title}${receipt.docNumber ? ` ${receipt.docNumber}` : ''} 已签收（签收人 ${args.signer}，${RECEIPT_VIA_LABEL[args.via]}）`,
      );
      return receipt;
    },
  );
}
