/**
 * The visit's I/O steps, called by the phase script (index.ts): a number, a letter, its mail, and
 * the county's notice of a due date an applied calendar moved. Each step records what it produced
 * on the case before it mails, so the record shows a letter even when its delivery is still being
 * retried. The rectification's letters are in rectification-steps.ts, closing and archiving in
 * archive.ts.
 */
import { isCancellation } from '@temporalio/workflow';
import { deliverLetter, mailSettings } from '../lib/delivery';
import { bookkeeping, render } from '../lib/proxies';
import {
  formatDateZh,
  formatDocNumber,
  letterAttachments,
  type DocumentKind,
  type RenderResult,
} from '../shared/documents';
import { planFormats } from '../shared/plan';
import { type RenderDocumentInput } from '../shared/render-document';
import type { DeliveryRecord, MailAddress } from '../shared/email';
import { DELIVERY_STATUS_LABEL, DOCUMENT_KIND_NAMES } from '../shared/labels';
import type { MailTextKind } from '../shared/wording';
import type { FillTextInput } from '../../activities/wording';
import type { ReceiptLinkRef } from '../contracts/receipts';
import type { VisitContext } from './context';
import { SERIES, type NumberedKind } from './number-log';
import type { DueMove } from './rectification-tracker';

/** The next number of the kind's series; `request` makes a retry get the same number. */
export async function allocateNumber(ctx: VisitContext, kind: NumberedKind, request: string): Promise<string> {
  const [series, name] = SERIES[kind];
  const seq = await ctx.steps.run(`number:${request}`, `取${DOCUMENT_KIND_NAMES[kind]}文号`, () =>
    bookkeeping.allocateDocNumber({
      year: ctx.plan.year,
      bureau: ctx.plan.bureau.code,
      series,
      requestId: `${ctx.caseId}:${request}`,
    }),
  );
  const docNumber = formatDocNumber(ctx.plan.bureau.shortName, ctx.plan.year, seq, name);
  ctx.numbers.record({ series, requestId: `${ctx.caseId}:${request}`, docNumber });
  return docNumber;
}

/** Renders a letter; a template or disk fault becomes an incident on the case. */
export function renderLetter(ctx: VisitContext, input: RenderDocumentInput): Promise<RenderResult> {
  return ctx.steps.run(`render:${input.key ?? input.kind}`, `生成${DOCUMENT_KIND_NAMES[input.kind]}`, () =>
    render.renderDocument(input),
  );
}

/** Mails a rendered letter with the plan's wording for `mail`; returns the 送达记录. */
export async function mailLetter(
  ctx: VisitContext,
  req: {
    step: string;
    mail: MailTextKind;
    data: Record<string, unknown>;
    doc: RenderResult;
    filename: string;
    to?: MailAddress[];
    cc?: MailAddress[];
    signature?: string[];
    /** A letter that asks the county to act: a receipt (签收) is opened and its link mailed. */
    receipt?: { kind: DocumentKind; docNumber?: string };
    /** The link of a receipt already open (its reminder). */
    receiptLink?: ReceiptLinkRef;
  },
): Promise<DeliveryRecord> {
  const { plan } = ctx;
  const text: FillTextInput = {
    template: plan.wording.mail[req.mail],
    data: { county: ctx.county.bureauName, countyName: ctx.county.name, ...req.data },
  };
  // Addressed when it goes: a mailbox correction may land while a text is being filled.
  const addressees = (): Addressees => ({ to: req.to ?? ctx.countyMail, cc: req.cc ?? [] });
  const send = ({ to, cc }: Addressees, content: TextOrFilled, receiptLink: ReceiptLinkRef | undefined) =>
    deliverLetter({
      step: req.step,
      to,
      cc,
      content: { ...content, signature: req.signature ?? [plan.bureau.name, formatDateZh(ctx.today())] },
      attachments: letterAttachments(req.doc, req.filename, planFormats(plan)),
      supervisors: ctx.mailboxes.supervisors,
      retry: ctx.input.mailRetry,
      mail: mailSettings(plan),
      ...(receiptLink ? { receiptLink } : {}),
    });
  const opening = () =>
    req.receiptLink ?? (req.receipt ? ctx.receipts.open(req.receipt.kind, req.receipt.docNumber) : undefined);
  // The number's letter goes out in this step: a cancel asks the sent-log before voiding it.
  const mailing = ({ to, cc }: Addressees) =>
    ctx.numbers.mailing(
      req.data.docNumber,
      req.step,
      [...to, ...cc].map((a) => a.address),
    );
  if (!ctx.textInMail) {
    // Runs recorded before: the text first, awaited here (an extra promise turn would reorder this
    // coroutine's next command against the receipts loop's).
    const filled = await ctx.steps.run(`text:${req.step}`, TEXT_STEP, () => ctx.text.fillText(text));
    const receiptLink = opening();
    const who = addressees();
    mailing(who);
    return send(who, { subject: filled.subject, paragraphs: filled.paragraphs }, receiptLink);
  }
  return ctx.steps.run(`text:${req.step}`, TEXT_STEP, async () => {
    const receiptLink = opening();
    const who = addressees();
    mailing(who);
    try {
      return await send(who, { text }, receiptLink);
    } catch (err) {
      // Nothing went out (the text could not be filled): no receipt waits on it.
      if (receiptLink && !req.receiptLink && !isCancellation(err)) ctx.receipts.withdraw(receiptLink.receipt);
      throw err;
    }
  });
}

type Addressees = { to: MailAddress[]; cc: MailAddress[] };
type TextOrFilled = { text: FillTextInput } | { subject: string; paragraphs: string[] };

/**
 * The step of a mail text: in runs from patch `text-in-mail` (`ctx.textInMail`, decided at the
 * start) the mail activity fills the text, one activity round trip less per message, and a text
 * that cannot be filled stops the delivery as this step's incident; in runs before, the text
 * activity fills it first, its failure the same incident.
 */
const TEXT_STEP = '填写邮件正文';

/** Tells the county its due date moved with an applied official calendar (no letter attached). */
export async function notifyDueMoved(ctx: VisitContext, move: DueMove): Promise<void> {
  const { plan } = ctx;
  const step = `due-moved-${move.to}`;
  const text: FillTextInput = {
    template: plan.wording.mail.dueDateMoved,
    data: {
      county: ctx.county.bureauName,
      countyName: ctx.county.name,
      opinionNumber: ctx.state.letter?.docNumber ?? '',
      from: move.from,
      to: move.to,
      source: move.source,
    },
  };
  const filled = ctx.textInMail
    ? undefined
    : await ctx.steps.run(`text:${step}`, TEXT_STEP, () => ctx.text.fillText(text));
  const send = () =>
    deliverLetter({
      step: `due-moved-${move.from}-${move.to}`,
      to: ctx.countyMail,
      content: {
        ...(filled ? { subject: filled.subject, paragraphs: filled.paragraphs } : { text }),
        signature: [plan.bureau.name, formatDateZh(ctx.today())],
      },
      supervisors: ctx.mailboxes.supervisors,
      retry: ctx.input.mailRetry,
      mail: mailSettings(plan),
    });
  const delivery = await (filled ? send() : ctx.steps.run(`text:${step}`, TEXT_STEP, send));
  ctx.audit(
    'system',
    'dueDateMovedNotice',
    `整改期限调整通知（${move.from} → ${move.to}）送达：${DELIVERY_STATUS_LABEL[delivery.status]}`,
  );
}
