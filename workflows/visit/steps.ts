/**
 * The visit's I/O steps, called by the phase script (index.ts): a number, a letter, its mail.
 * Each step records what it produced on the case before it mails, so the record shows a letter
 * even when its delivery is still being retried.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { deliverLetter, mailSettings } from '../lib/delivery';
import { bookkeeping, render } from '../lib/proxies';
import { dayNumber } from '../shared/clock';
import { formatDateZh, formatDocNumber, type DocumentKind, type RenderResult } from '../shared/documents';
import { type RenderDocumentInput } from '../shared/render-document';
import type { DeliveryRecord, MailAddress } from '../shared/email';
import { DELIVERY_STATUS_LABEL, DOCUMENT_KIND_NAMES, SENT_COPY_LABEL } from '../shared/labels';
import { DUE_DATE_MOVED_FALLBACK, type MailText, type MailTextKind } from '../shared/wording';
import type { CalendarMove } from '../contracts/calendar-update';
import { ARCHIVE_CHUNK_CHARS, archiveChunkQuery } from '../shared/archive-snapshot';
import type { ReceiptLinkRef } from '../contracts/receipts';
import type { LetterSent, RectificationReport } from '../contracts/visit-rectification';
import type { VisitContext } from './context';
import { acceptanceLetter, escalationLetter, reminderLetter, type EscalationKind } from './letters';
import { openReceipt } from './receipts';

/** Document-number series of each kind: [numbering workflow key, the character in the number]. */
const SERIES = {
  notice: ['notice', '函'],
  opinion: ['opinion', '指导'],
  acceptance: ['opinion', '指导'],
  urge: ['urge', '催'],
  supervise: ['supervise', '督'],
  summons: ['summons', '约'],
  warning: ['notice', '函'],
} as const;

/** The next number of the kind's series; `request` makes a retry get the same number. */
export async function allocateNumber(ctx: VisitContext, kind: keyof typeof SERIES, request: string): Promise<string> {
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
  ctx.allocated.push({ series, requestId: `${ctx.caseId}:${request}`, docNumber });
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
    /** The text, where the plan may predate `mail` (see RECEIPT_REMINDER_FALLBACK). */
    text?: MailText;
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
      template: req.text ?? plan.wording.mail[req.mail],
      data: { county: ctx.county.bureauName, countyName: ctx.county.name, ...req.data },
    }),
  );
  const receiptLink =
    req.receiptLink ?? (req.receipt ? openReceipt(ctx, req.receipt.kind, req.receipt.docNumber) : undefined);
  const to = req.to ?? ctx.countyMail;
  const cc = req.cc ?? [];
  // The number's letter goes out in this step: a cancel asks the sent-log before voiding it.
  const numbered = ctx.allocated.find((a) => a.docNumber === req.data.docNumber);
  if (numbered) numbered.mail = { step: req.step, recipients: [...to, ...cc].map((a) => a.address) };
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
    supervisors: ctx.supervisorsMail,
    retry: ctx.input.mailRetry,
    mail: mailSettings(plan),
    ...(receiptLink ? { receiptLink } : {}),
  });
}

/** Tells the county its due date moved with an applied official calendar (no letter attached). */
export async function notifyDueMoved(ctx: VisitContext, move: CalendarMove & { source: string }): Promise<void> {
  const { plan } = ctx;
  const template =
    (plan.wording.mail as Partial<Record<MailTextKind, MailText>>).dueDateMoved ?? DUE_DATE_MOVED_FALLBACK;
  const filled = await ctx.steps.run(`text:due-moved-${move.to}`, '填写邮件正文', () =>
    ctx.text.fillText({
      template,
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
    supervisors: ctx.supervisorsMail,
    retry: ctx.input.mailRetry,
    mail: mailSettings(plan),
  });
  ctx.audit(
    'system',
    'dueDateMovedNotice',
    `整改期限调整通知（${move.from} → ${move.to}）送达：${DELIVERY_STATUS_LABEL[delivery.status]}`,
  );
}

/** 整改到期提醒. */
export async function sendReminder(ctx: VisitContext, daysBefore: number): Promise<void> {
  const rect = ctx.state.rectification!;
  const letter = ctx.state.letter!;
  const dueDate = rect.dueDate;
  const doc = await renderLetter(ctx, reminderLetter(ctx, daysBefore));
  const sent: LetterSent & { daysBefore: number } = {
    kind: 'reminder',
    date: ctx.today(),
    document: doc,
    daysBefore,
    dueDate,
  };
  rect.reminders.push(sent);
  ctx.audit('system', 'reminder', `整改到期提醒（距期限 ${daysBefore} 天，期限 ${dueDate}）`);
  sent.delivery = await mailLetter(ctx, {
    step: `reminder-${dueDate}-${daysBefore}`,
    mail: 'reminder',
    data: { opinionNumber: letter.docNumber, dueDate, daysLeft: daysBefore },
    doc,
    filename: `${letter.docNumber}-${DOCUMENT_KIND_NAMES.reminder}.pdf`,
  });
}

/** Climbs to rung `index`: records it, and (except for the bulletin rung) issues its letter. */
export async function escalate(ctx: VisitContext, index: number): Promise<void> {
  const { plan } = ctx;
  const rect = ctx.state.rectification!;
  const step = plan.rectification.escalation[index]!;
  const daysOverdue = dayNumber(ctx.today()) - dayNumber(rect.dueDate);
  rect.rungIndex = index;
  rect.rung = step.rung;
  if (step.deductPoints > 0) rect.deductions.push({ rung: step.rung, points: step.deductPoints, date: ctx.today() });
  const deduct = step.deductPoints ? `，考核扣 ${step.deductPoints} 分` : '';
  if (step.rung === 'bulletin') {
    // Listed in the next 通报 with 考核扣分 recorded; the bulletin itself is the programme's.
    rect.listedInBulletin = true;
    ctx.audit('system', 'escalate', `逾期 ${daysOverdue} 天：列入通报${deduct}`);
    return;
  }
  const kind: EscalationKind = step.rung;
  const docNumber = await allocateNumber(ctx, kind, `${kind}:${rect.escalations.length + 1}`);
  const doc = await renderLetter(ctx, escalationLetter(ctx, kind, docNumber, daysOverdue, step.ccLeader));
  const sent: LetterSent & { rung: string; daysOverdue: number } = {
    kind,
    docNumber,
    date: ctx.today(),
    dueDate: rect.dueDate,
    document: doc,
    rung: step.rung,
    daysOverdue,
  };
  rect.escalations.push(sent);
  ctx.audit('system', 'escalate', `逾期 ${daysOverdue} 天：${DOCUMENT_KIND_NAMES[kind]} ${docNumber}${deduct}`);
  const leader = plan.approval.approver;
  sent.delivery = await mailLetter(ctx, {
    step: `escalation-${kind}-${rect.escalations.length}`,
    mail: 'escalation',
    data: {
      kindName: DOCUMENT_KIND_NAMES[kind],
      docNumber,
      opinionNumber: ctx.state.letter!.docNumber,
      daysOverdue,
      dueDate: rect.dueDate,
    },
    doc,
    filename: `${docNumber}-${DOCUMENT_KIND_NAMES[kind]}.pdf`,
    cc: step.ccLeader && leader.email ? [{ name: leader.name, address: leader.email }] : [],
    receipt: { kind, docNumber },
  });
}

/** 整改验收意见 for a reviewed report: numbered, rendered, recorded on the review, mailed. */
export async function sendReviewLetter(ctx: VisitContext, report: RectificationReport): Promise<void> {
  const review = report.review!;
  const docNumber = await allocateNumber(ctx, 'acceptance', `acceptance:${report.no}`);
  const doc = await renderLetter(ctx, acceptanceLetter(ctx, report, docNumber));
  const sent: LetterSent = { kind: 'acceptance', docNumber, date: ctx.today(), document: doc };
  sent.delivery = await mailLetter(ctx, {
    step: `acceptance-${report.no}`,
    mail: 'acceptance',
    data: { docNumber, accepted: review.decision === 'accept', resubmitBy: review.resubmitBy },
    doc,
    filename: `${docNumber}-${DOCUMENT_KIND_NAMES.acceptance}.pdf`,
    // A return asks the county to act again; an acceptance closes the case, nothing to sign for.
    ...(review.decision === 'return' ? { receipt: { kind: 'acceptance' as const, docNumber } } : {}),
  });
  review.letter = sent;
}

/** Closes the case and writes its archive folder (归档备查). */
export async function closeCase(ctx: VisitContext): Promise<void> {
  const rect = ctx.state.rectification!;
  rect.closedAt = new Date().toISOString();
  ctx.audit('system', 'close', '整改验收通过，案件办结归档');
  // The archived record says closed; the case shows closed only once its archive exists.
  rect.archive = await archiveStep(ctx, 'closed');
  ctx.state.stage = 'closed';
  ctx.audit(
    'system',
    'archive',
    `归档 ${rect.archive.files} 个文件，清单 sha256 ${rect.archive.manifestSha256.slice(0, 16)}…`,
  );
}

/** A cancelled case is archived too (归档备查): its record with stage cancelled, then the stage. */
export async function archiveCancelled(ctx: VisitContext): Promise<void> {
  ctx.audit('system', 'cancel', '执法指导已取消，案卷归档');
  // Numbers drawn for letters that will now never go out are voided (作废) in the register.
  const { state, plan } = ctx;
  const used = new Set([
    state.notice?.docNumber,
    state.letter?.docNumber,
    ...(state.rectification?.escalations ?? []).map((e) => e.docNumber),
    ...(state.rectification?.reports ?? []).map((r) => r.review?.letter?.docNumber),
  ]);
  // Its own patch: a cancelled run recorded with archive-cancelled-visits before voiding existed did not void.
  const unused = patched('void-unused-numbers') ? ctx.allocated.filter((x) => !used.has(x.docNumber)) : [];
  // A letter recorded on the case only once its mail is done (the acceptance letter) may be out
  // already when the cancel comes mid-retry: its number stands if the sent-log says a copy left.
  // Guarded: runs cancelled before this voided without asking (patch `void-only-unsent`).
  const askSentLog = unused.some((a) => a.mail) && patched('void-only-unsent');
  for (const a of unused) {
    if (askSentLog && a.mail) {
      const mail = a.mail;
      const mailed = await ctx.steps.run(`mailed:${a.requestId}`, `查询文书 ${a.docNumber} 是否已发出`, () =>
        bookkeeping.letterMailed({ workflowId: ctx.caseId, step: mail.step, recipients: mail.recipients }),
      );
      if (mailed.status !== 'never') {
        const copies = mailed.copies
          .filter((c) => c.state !== 'none')
          .map((c) => `${c.address}：${SENT_COPY_LABEL[c.state] ?? c.state}`)
          .join('，');
        ctx.audit(
          'system',
          'keepNumber',
          `文号 ${a.docNumber} 不作废：其文书${mailed.status === 'sent' ? '已发出' : '可能已发出'}（${copies}）`,
        );
        continue;
      }
    }
    await ctx.steps.run(`void:${a.requestId}`, `作废未使用的文号 ${a.docNumber}`, () =>
      bookkeeping.voidDocNumber({
        year: plan.year,
        bureau: plan.bureau.code,
        series: a.series,
        requestId: a.requestId,
        reason: '执法指导已取消，文号未使用',
      }),
    );
    ctx.audit('system', 'voidNumber', `文号 ${a.docNumber} 作废：执法指导已取消，未使用`);
  }
  ctx.state.archive = await archiveStep(ctx, 'cancelled');
  ctx.state.stage = 'cancelled';
  // The programme hears of the end (a run after a continue-as-new follows its visits only through
  // these notes): the audit entry publishes the stage. Patch `publish-cancelled`: a new signal.
  if (patched('publish-cancelled'))
    ctx.audit(
      'system',
      'cancelled',
      `执法指导已取消，案卷已归档（清单 sha256 ${ctx.state.archive.manifestSha256.slice(0, 16)}…）`,
    );
  await ctx.published();
}

/**
 * The archive step: the case as it will be archived (its final stage), serialised afresh for every
 * attempt (a retry after an incident includes the incident), read by the activity through
 * `archiveChunkQuery` in slices. Only the snapshot's id and length go into the activity's input:
 * the whole case in one payload could exceed Temporal's payload limit and have the server end the
 * case. Same activity, same place in the command sequence as before: only its input changed.
 */
function archiveStep(
  ctx: VisitContext,
  stage: 'closed' | 'cancelled',
): Promise<{ dir: string; manifestSha256: string; files: number }> {
  let attempt = 0;
  return ctx.steps.run('archive', '归档', async () => {
    const id = `${ctx.caseId}:${stage}:${++attempt}`;
    const text = JSON.stringify({ ...ctx.state, stage });
    setHandler(archiveChunkQuery, (want) => {
      if (want.id !== id) throw new Error(`归档快照 ${want.id} 已失效（当前为 ${id}）`);
      return {
        id,
        chars: text.length,
        offset: want.offset,
        text: text.slice(want.offset, want.offset + ARCHIVE_CHUNK_CHARS),
      };
    });
    try {
      return await bookkeeping.archiveCase({ caseId: ctx.caseId, snapshot: { id, chars: text.length } });
    } finally {
      // The snapshot is held only while the activity reads it.
      setHandler(archiveChunkQuery, undefined);
    }
  });
}
