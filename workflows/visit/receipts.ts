/**
 * The receipts loop (签收), beside the phase script: it renders the 送达回证 once the county has
 * acknowledged a letter and sends one reminder for a receipt still open after the plan's working
 * days. The escalation ladder never waits on it. What it reads and waits on is the case's
 * ReceiptBook (receipt-book.ts); cases recorded before receipts existed never run it
 * (`ctx.receipts.on`, patch `receipts-and-inbox`).
 */
import { addDays } from '../shared/clock';
import type { RenderResult } from '../shared/documents';
import { RECEIPT_VIA_LABEL, type Receipt } from '../contracts/receipts';
import type { VisitContext } from './context';
import { receiptCertificate } from './letters';
import { mailLetter, renderLetter } from './steps';

/** The loop: certificates first, then the next reminder, until `done()` and nothing is pending. */
export async function watchReceipts(ctx: VisitContext, done: () => boolean): Promise<void> {
  const book = ctx.receipts;
  const timer = book.timer;
  while (true) {
    const acknowledged = book.nextCertificate();
    if (acknowledged) {
      acknowledged.certificate = await issueCertificate(ctx, acknowledged);
      continue;
    }
    if (done()) return;
    timer.plan(done);
    const waiting = book.all.filter((r) => !r.acknowledged && !r.reminded);
    // A receipt is overdue the day after its last day.
    const next = waiting.map((r) => addDays(r.dueBy, 1)).sort()[0];
    if (next === undefined) {
      await timer.untilWoken();
      continue;
    }
    let today: string;
    if (ctx.recordedClock) {
      // Patch recorded-clock: "now" from the history; after the sleep, planned again from a fresh reading.
      const now = await ctx.readClock();
      const ms = ctx.clock.msUntil(next, now);
      if (ms > 0) {
        await timer.sleep(ms);
        continue;
      }
      today = ctx.clock.today(now);
    } else {
      const ms = timer.msUntil(next);
      if (ms > 0 && (await timer.sleep(ms))) continue;
      today = ctx.today();
    }
    for (const r of waiting.filter((x) => addDays(x.dueBy, 1) <= today && !x.acknowledged)) await remind(ctx, r);
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
