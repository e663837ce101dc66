/**
 * The rectification's letters, called by the phase script (index.ts): the reminder before the due
 * date (整改到期提醒), each rung of the escalation ladder (催办, 督办, 警示, 约谈; the bulletin rung
 * only recorded), and the 整改验收意见 after a reviewed report.
 */
import { daysBetween } from '../shared/clock';
import { DOCUMENT_KIND_NAMES } from '../shared/labels';
import type { LetterSent, RectificationReport } from '../contracts/visit-rectification';
import type { VisitContext } from './context';
import { acceptanceLetter, escalationLetter, reminderLetter, type EscalationKind } from './letters';
import { allocateNumber, mailLetter, renderLetter } from './steps';

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
  const daysOverdue = daysBetween(rect.dueDate, ctx.today());
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
