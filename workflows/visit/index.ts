/**
 * A county's guidance visit (执法指导), as a script of its phases read top to bottom:
 * notice → visit day → draw (双随机) → on site / approval loop → issue the numbered letter →
 * rectification (reminders, escalation ladder, reports, review) → re-inspection (复查) → close.
 * Human steps are validated, state-only Updates (handlers.ts and the *-handlers.ts it composes);
 * they change the case through the objects of context.ts, whose timers wake this script, which
 * does the I/O (steps.ts, rectification-steps.ts, archive.ts; receipts.ts beside it); letters are
 * built in letters.ts; the ladder's arithmetic is in ladder.ts.
 * Every step goes into the case's audit log (全过程记录).
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  patched,
  sleep,
  uuid4,
} from '@temporalio/workflow';
import { bookkeeping } from '../lib/proxies';
import { addDays } from '../shared/clock';
import { formatDateZh } from '../shared/documents';
import { DELIVERY_STATUS_LABEL, DOCUMENT_KIND_NAMES } from '../shared/labels';
import { personName } from '../shared/people';
import { addWorkingDays, onOrNextWorkingDay, subtractWorkingDays } from '../shared/schedule';
import { rosterInForce } from '../contracts/roster';
import type { VisitCase, VisitInput } from '../contracts/visit';
import type { Rectification } from '../contracts/visit-rectification';
import { createContext, type VisitContext } from './context';
import { registerHandlers } from './handlers';
import { archiveCancelled, closeCase } from './archive';
import { noticeLetter, opinionLetter, letterProblems } from './letters';
import { watchReceipts } from './receipts';
import { escalate, sendReminder, sendReviewLetter } from './rectification-steps';
import { allocateNumber, mailLetter, notifyDueMoved, renderLetter } from './steps';

export async function countyVisitWorkflow(input: VisitInput): Promise<VisitCase> {
  const ctx = createContext(input);
  registerHandlers(ctx);
  // Receipts run beside the phases; the loop ends once the case is closed and its certificates made.
  let closed = false;
  const receipts = ctx.receipts.on ? watchReceipts(ctx, () => closed).catch(ignoreCancellation) : Promise.resolve();
  try {
    await phases(ctx);
    closed = true;
    await receipts;
  } catch (err) {
    // Cancelled by the programme (a person's decision): the case is archived as the record of it.
    // Guarded: a cancelled run recorded before this change did not archive.
    if (isCancellation(err) && patched('archive-cancelled-visits'))
      await CancellationScope.nonCancellable(() => archiveCancelled(ctx));
    throw err;
  }
  // The programme must hear of the close before this workflow completes (its bulletin and digest).
  await ctx.published();
  await condition(allHandlersFinished);
  return ctx.state;
}

/** The phases, top to bottom. */
async function phases(ctx: VisitContext): Promise<void> {
  const { input, plan, state } = ctx;

  // 0. The calendar of this year and the next (a due date can cross the year end), recorded once.
  const snapshot = (year: number) =>
    ctx.steps.run(`calendar:${year}`, `读取${year}年工作日历`, () => bookkeeping.calendarSnapshot(year));
  ctx.workingDays.record([await snapshot(plan.year), await snapshot(plan.year + 1)]);

  // 1. Advance notice (执法指导通知), a configured number of working days before the visit.
  await sleepUntil(ctx, subtractWorkingDays(input.date, plan.visit.noticeWorkingDays, ctx.calendar()));
  const noticeNumber = await allocateNumber(ctx, 'notice', 'notice');
  const noticeDoc = await renderLetter(ctx, noticeLetter(ctx, noticeNumber));
  state.notice = { docNumber: noticeNumber, document: noticeDoc };
  ctx.audit('system', 'notice', `生成执法指导通知 ${noticeNumber}`);
  state.notice.delivery = await mailLetter(ctx, {
    step: 'notice',
    mail: 'notice',
    data: { docNumber: noticeNumber, visitDate: input.date },
    doc: noticeDoc,
    filename: `${noticeNumber}-${DOCUMENT_KIND_NAMES.notice}.pdf`,
    receipt: { kind: 'notice', docNumber: noticeNumber },
  });
  ctx.audit('system', 'noticeDelivered', `通知送达：${DELIVERY_STATUS_LABEL[state.notice.delivery.status]}`);

  // 2. Wait for the visit date.
  state.stage = 'waiting';
  await sleepUntil(ctx, input.date);

  // 3. Random sampling (双随机), seeded with Temporal's deterministic randomness and recorded.
  // The draw comes first: on-site Updates are accepted only once the sampled enterprises are known.
  // Each attempt reads the roster anew: a roster the draw refused (an incident) can be corrected by
  // a person (correctRoster, corrections.ts) and the retry draws from the correction. A case never
  // corrected draws from the plan's roster, as before (same command, same input).
  const seed = uuid4();
  state.sample = await ctx.steps.run('sample', '随机抽取企业', () =>
    bookkeeping.drawSample({
      roster: rosterInForce(state.correctedRoster, ctx.county.enterprises),
      seed,
      size: plan.visit.sampleSize,
    }),
  );
  state.stage = 'onsite';
  ctx.audit(
    'system',
    'sample',
    `随机抽取企业：${state.sample.enterprises.map((e) => e.name).join('、')}（种子 ${state.sample.seed}，名单 sha256 ${state.sample.rosterSha256.slice(0, 16)}…）`,
  );

  // 4–6. Findings, submit, approval; a return goes back to findings.
  do await condition(() => state.stage === 'approval');
  while (!(await approvalRound(ctx)));

  // 7. Issue: number, due date (a period ending on a holiday ends on the next working day), letter, delivery.
  const docNumber = await allocateNumber(ctx, 'opinion', 'opinion');
  const issueDate = ctx.today();
  const dueDate = onOrNextWorkingDay(addDays(issueDate, plan.rectification.periodDays), ctx.calendar());
  const letterDoc = await renderLetter(ctx, opinionLetter(ctx, 'final', { docNumber, issueDate, dueDate }));
  state.letter = { docNumber, issueDate, dueDate, document: letterDoc };
  ctx.audit('system', 'issue', `出具意见书 ${docNumber}，整改期限 ${dueDate}`);
  state.letter.delivery = await mailLetter(ctx, {
    step: 'opinion',
    mail: 'opinion',
    data: { docNumber, visitDate: input.date, dueDate },
    doc: letterDoc,
    filename: `${docNumber}-${DOCUMENT_KIND_NAMES.opinion}.pdf`,
    signature: [plan.bureau.name, formatDateZh(issueDate)],
    receipt: { kind: 'opinion', docNumber },
  });
  state.stage = 'issued';
  ctx.audit('system', 'letterDelivered', `意见书送达：${DELIVERY_STATUS_LABEL[state.letter.delivery.status]}`);

  // 8. Rectification (整改): reminders, the escalation ladder, the county's reports and their review.
  await rectification(ctx, dueDate);

  // 9. Re-inspection (复查) when the plan asks for it: the supervisor records the follow-up check.
  if (plan.rectification.reinspection) {
    state.stage = 'reinspection';
    ctx.audit('system', 'reinspectionDue', '整改验收通过，待复查');
    await condition(() => state.rectification!.reinspection !== undefined);
  }

  // 10. Close and archive (办结归档), with the 送达回证 of every letter acknowledged so far.
  if (ctx.receipts.on) await condition(() => !ctx.receipts.nextCertificate());
  await closeCase(ctx);
}

/**
 * One approval round: the draft to the approver; unanswered for the plan's period, a reminder;
 * unanswered again, the deputy takes over. True when approved, false when returned for changes.
 */
async function approvalRound(ctx: VisitContext): Promise<boolean> {
  const { plan, state } = ctx;
  const draft = await renderLetter(ctx, opinionLetter(ctx, `draft-${state.approval.rounds.length + 1}`));
  const r: VisitCase['approval']['rounds'][number] = { draft, sentAt: new Date().toISOString(), reminders: [] };
  state.approval.rounds.push(r);
  const send = async (reminder: boolean) => {
    const approver = state.approval.passedTo ? plan.approval.deputy! : plan.approval.approver;
    if (!approver.email) return;
    await mailLetter(ctx, {
      step: `approval-${state.approval.rounds.length}-${approver.id}-${reminder ? `reminder-${r.reminders.length}` : 'request'}`,
      mail: 'approval',
      data: { approver: approver.name, reminder },
      doc: draft,
      filename: `${ctx.county.name}-执法指导意见书-审批稿.pdf`,
      to: [{ name: approver.name, address: approver.email }],
      signature: [plan.bureau.name],
    });
  };
  await send(false);
  let waits = 0;
  while (!r.decision) {
    const deadline = addWorkingDays(addDays(ctx.today(), 1), plan.approval.periodDays - 1, ctx.calendar());
    if (await condition(() => r.decision !== undefined, ctx.clock.msUntil(deadline, Date.now()))) break;
    waits++;
    if (waits === 1 || !plan.approval.deputy || state.approval.passedTo) {
      r.reminders.push(new Date().toISOString());
      ctx.audit(
        'system',
        'approvalReminder',
        `提醒审批人 ${personName(plan, state.approval.passedTo ?? state.approval.approver)}`,
      );
      await send(true);
    } else {
      state.approval.passedTo = plan.approval.deputy.id;
      ctx.audit('system', 'approvalPassed', `审批人逾期未审批，转由 ${plan.approval.deputy.name} 审批`);
      await send(false);
    }
  }
  return r.decision === 'approved';
}

/**
 * Rectification until a report is accepted: the county's notice of a due date an applied calendar
 * moved and the review letter of each reviewed report go out first; while a report awaits review
 * the ladder stands still; otherwise the timer sleeps towards the next reminder or rung, and an
 * Update that moves the due date (report, extension, return, calendar) wakes it to re-plan.
 */
async function rectification(ctx: VisitContext, dueDate: string): Promise<void> {
  const { rectifying } = ctx;
  const rect: Rectification = {
    problems: letterProblems(ctx),
    dueDate,
    rungIndex: -1,
    rung: 'none',
    overdue: false,
    reminders: [],
    escalations: [],
    reports: [],
    extensions: [],
    deductions: [],
    listedInBulletin: false,
  };
  rectifying.start(rect);
  const timer = rectifying.timer;
  while (true) {
    const moved = rectifying.takeDueMove();
    if (moved) {
      await notifyDueMoved(ctx, moved);
      continue;
    }
    const reviewed = rectifying.reviewedUnsent();
    if (reviewed) {
      await sendReviewLetter(ctx, reviewed);
      if (reviewed.review!.decision === 'accept') return;
      continue;
    }
    timer.plan();
    // Patch recorded-clock: "now" from the history, so a replay plans as the live run did.
    const now = ctx.recordedClock ? await ctx.readClock() : Date.now();
    const today = ctx.clock.today(now);
    const next = rectifying.next(today);
    // A report awaiting review, or the ladder exhausted: wait for the next Update.
    if (!next) {
      await timer.untilWoken();
      continue;
    }
    if (ctx.recordedClock) {
      // Asleep until it falls due, then planned again from a fresh reading: after an outage the
      // moment of a reminder may have passed, and a stale one is not sent.
      const ms = ctx.clock.msUntil(next.date, now);
      if (ms > 0) {
        await timer.sleep(ms);
        continue;
      }
      rect.overdue = today > rect.dueDate;
    } else {
      if (await timer.sleep(timer.msUntil(next.date))) continue;
      rect.overdue = ctx.today() > rect.dueDate;
    }
    if (next.kind === 'reminder') await sendReminder(ctx, next.daysBefore);
    else await escalate(ctx, next.index);
  }
}

/** A cancelled case stops its receipts loop with it; anything else is a fault to surface. */
function ignoreCancellation(err: unknown): void {
  if (!isCancellation(err)) throw err;
}

/**
 * Sleeps until `date` falls due. Since patch `recorded-clock` always a timer, of at least 1 ms: the
 * clock then only sets how long it lasts, and a task run on a stale clock issues the same command
 * as its replay. Before, no timer at all once the date had come.
 */
async function sleepUntil(ctx: VisitContext, date: string): Promise<void> {
  const ms = ctx.clock.msUntil(date, Date.now());
  if (ctx.recordedClock) await sleep(Math.max(ms, 1));
  else if (ms > 0) await sleep(ms);
}
