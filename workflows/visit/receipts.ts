/**
 * Receipts of letters (签收), beside the phase script: each letter that asks the county to act
 * opens a receipt when it is mailed; this loop runs alongside the phases, sends one reminder for a
 * receipt still open after the plan's working days, and renders the 送达回证 once the county has
 * acknowledged. The escalation ladder never waits on it. Cases recorded before receipts existed
 * never run it (ctx.receiptsOn, patch `receipts-and-inbox`).
 */
import { condition } from '@temporalio/workflow';
import { addDays } from '../shared/clock';
import type { DocumentKind, RenderResult } from '../shared/documents';
import { DOCUMENT_KIND_NAMES } from '../shared/labels';
import { RECEIPT_DEFAULTS, RECEIPT_VIA_LABEL, type Receipt, type ReceiptLinkRef } from '../contracts/receipts';
import { addWorkingDays } from '../shared/schedule';
import { RECEIPT_REMINDER_FALLBACK } from '../shared/wording';
import type { VisitContext } from './context';
import { receiptCertificate } from './letters';
import { mailLetter, renderLetter } from './steps';

/** The plan's receipt settings; a plan recorded before them has the defaults. */
const settings = (ctx: VisitContext) =>
  (ctx.plan as { receipts?: typeof RECEIPT_DEFAULTS }).receipts ?? RECEIPT_DEFAULTS;

/** Opens the receipt of a letter being mailed; returns what its signed link names. */
export function openReceipt(ctx: VisitContext, kind: DocumentKind, docNumber?: string): ReceiptLinkRef | undefined {
  const receipts = ctx.state.receipts;
  if (!ctx.receiptsOn || !receipts) return undefined;
  const { workingDays, linkValidDays } = settings(ctx);
  const sentAt = ctx.today();
  const receipt: Receipt = {
    id: `R${receipts.length + 1}`,
    kind,
    ...(docNumber ? { docNumber } : {}),
    title: DOCUMENT_KIND_NAMES[kind],
    sentAt,
    dueBy: addWorkingDays(sentAt, workingDays, ctx.calendar()),
    linkExpires: addDays(sentAt, linkValidDays),
  };
  receipts.push(receipt);
  ctx.receiptVersion++;
  // The mail prints this receipt's own due date: one value, computed here once (issue 22).
  return { caseId: ctx.caseId, receipt: receipt.id, expires: receipt.linkExpires, dueBy: receipt.dueBy };
}

/** True while an acknowledged letter still lacks its 送达回证 (the close waits for it). */
export function certificatePending(ctx: VisitContext): boolean {
  return (ctx.state.receipts ?? []).some((r) => r.acknowledged && !r.certificate);
}

/** The loop: certificates first, then the next reminder, until `done()` and nothing is pending. */
export async function watchReceipts(ctx: VisitContext, done: () => boolean): Promise<void> {
  const receipts = ctx.state.receipts ?? [];
  while (true) {
    const acknowledged = receipts.find((r) => r.acknowledged && !r.certificate);
    if (acknowledged) {
      acknowledged.certificate = await issueCertificate(ctx, acknowledged);
      continue;
    }
    if (done()) return;
    const seen = ctx.receiptVersion;
    const wake = () => ctx.receiptVersion !== seen || done();
    const waiting = receipts.filter((r) => !r.acknowledged && !r.reminded);
    // A receipt is overdue the day after its last day.
    const next = waiting.map((r) => addDays(r.dueBy, 1)).sort()[0];
    if (next === undefined) {
      await condition(wake);
      continue;
    }
    const ms = ctx.clock.msUntil(next, Date.now());
    if (ms > 0 && (await condition(wake, ms))) continue;
    for (const r of waiting.filter((x) => addDays(x.dueBy, 1) <= ctx.today() && !x.acknowledged)) await remind(ctx, r);
  }
}

/** One reminder per receipt, with the letter attached again; after it the supervisors' inbox shows it. */
async function remind(ctx: VisitContext, receipt: Receipt): Promise<void> {
  receipt.reminded = ctx.today();
  ctx.audit(
    'system',
    'receiptReminder',
    `${receipt.title}${receipt.docNumber ? ` ${receipt.docNumber}` : ''} 逾期未签收（应于 ${receipt.dueBy} 前签收），发出签收提醒`,
  );
  const letter = letterOf(ctx, receipt);
  if (!letter) return;
  await mailLetter(ctx, {
    step: `receipt-reminder-${receipt.id}`,
    mail: 'receiptReminder',
    text: ctx.plan.wording.mail.receiptReminder ?? RECEIPT_REMINDER_FALLBACK,
    data: { title: receipt.title, docNumber: receipt.docNumber, sentAt: receipt.sentAt },
    doc: letter,
    filename: `${receipt.docNumber ?? ctx.caseId}-${receipt.title}.pdf`,
    receiptLink: {
      caseId: ctx.caseId,
      receipt: receipt.id,
      expires: receipt.linkExpires,
      dueBy: receipt.dueBy,
      reminder: true,
    },
  });
}

/** The rendered letter a receipt is for. */
function letterOf(ctx: VisitContext, receipt: Receipt): RenderResult | undefined {
  const { state } = ctx;
  const r = state.rectification;
  const all = [
    state.notice,
    state.letter,
    ...(r?.escalations ?? []),
    ...(r?.reports ?? []).map((x) => x.review?.letter),
  ];
  return all.find((l) => l && l.docNumber === receipt.docNumber)?.document;
}

async function issueCertificate(ctx: VisitContext, receipt: Receipt): Promise<RenderResult> {
  const doc = await renderLetter(ctx, receiptCertificate(ctx, receipt, RECEIPT_VIA_LABEL[receipt.acknowledged!.via]));
  ctx.audit(
    'system',
    'receiptCertificate',
    `生成送达回证（${receipt.title}${receipt.docNumber ? ` ${receipt.docNumber}` : ''}）`,
  );
  return doc;
}
