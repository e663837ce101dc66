/**
 * The visit's I/O steps, called by the phase script (index.ts): a number, a letter, its mail, and
 * the county's notice of a due date an applied calendar moved. Each step records what it produced
 * on the case before it mails, so the record shows a letter even when its delivery is still being
 * retried. The rectification's letters are in rectification-steps.ts, closing and archiving in
 * archive.ts.
 */
import { deliverLetter, mailSettings } from '../lib/delivery';
import { bookkeeping, render } from '../lib/proxies';
import { formatDateZh, formatDocNumber, type DocumentKind, type RenderResult } from '../shared/documents';
import { type RenderDocumentInput } from '../shared/render-document';
import type { DeliveryRecord, MailAddress } from '../shared/email';
import { DELIVERY_STATUS_LABEL, DOCUMENT_KIND_NAMES } from '../shared/labels';
import type { MailTextKind } from '../shared/wording';
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
  const filled = await ctx.steps.run(`text:${req.step}`, '填写邮件正文', () =>
    ctx.text.fillText({
      template: plan.wording.mail[req.mail],
      data: { county: ctx.county.bureauName, countyName: ctx.county.name, ...req.data },
    }),
  );
  const receiptLink =
    req.receiptLink ?? (req.receipt ? ctx.receipts.open(req.receipt.kind, req.receipt.docNumber) : undefined);
  const to = req.to ?? ctx.countyMail;
  const cc = req.cc ?? [];
  // The number's letter goes out in this step: a cancel asks the sent-log before voiding it.
  ctx.numbers.mailing(
    req.data.docNumber,
    req.step,
    [...to, ...cc].map((a) => a.address),
  );
  return deliverLetter({
    step: req.step,
    to,
    cc,
    content: {
      subject: filled.subject,
      paragraphs: filled.paragraphs,
      signature: req.signature ?? [plan.bureau.name, formatDateZh(ctx.today())],
    },
    attachments: [
      { path: req.doc.path, sha256: req.doc.sha256, filename: req.filename, contentType: 'application/pdf' },
    ],
    supervisors: ctx.mailboxes.supervisors,
    retry: ctx.input.mailRetry,
    mail: mailSettings(plan),
    ...(receiptLink ? { receiptLink } : {}),
  });
}

/** Tells the county its due date moved with an applied official calendar (no letter attached). */
export async function notifyDueMoved(ctx: VisitContext, move: DueMove): Promise<void> {
  const { plan } = ctx;
  const filled = await ctx.steps.run(`text:due-moved-${move.to}`, '填写邮件正文', () =>
    ctx.text.fillText({
      template: plan.wording.mail.dueDateMoved,
      data: {
        county: ctx.county.bureauName,
        countyName: ctx.county.name,
        opinionNumber: ctx.state.letter?.docNumber ?? '',
        from: move.from,
        to: move.to,
        source: move.source,
      },
    }),
  );
  const delivery = await deliverLetter({
    step: `due-moved-${move.from}-${move.to}`,
    to: ctx.countyMail,
    content: {
      subject: filled.subject,
      paragraphs: filled.paragraphs,
      signature: [plan.bureau.name, formatDateZh(ctx.today())],
    },
    supervisors: ctx.mailboxes.supervisors,
    retry: ctx.input.mailRetry,
    mail: mailSettings(plan),
  });
  ctx.audit(
    'system',
    'dueDateMovedNotice',
    `整改期限调整通知（${move.from} → ${move.to}）送达：${DELIVERY_STATUS_LABEL[delivery.status]}`,
  );
}
