/**
 * The rectification (整改) as one object: the case's rectification record, the escalation ladder
 * that counts from its due date, the due-date moves the county has not been told of yet, and the
 * timer the script sleeps on towards the next reminder or rung. The Updates (rectification and
 * calendar handlers) change it through its methods, each of which wakes the timer; the script
 * (index.ts) asks it what falls due next and does the I/O. Replaces a version counter bumped by
 * hand in five places and a ladder and queue that both sides assigned.
 */
import { UpdatableTimer } from '../lib/updatable-timer';
import { addDays, type Clock } from '../shared/clock';
import type { CalendarMove } from '../contracts/calendar-update';
import { rollDate } from '../shared/dates';
import { onOrNextWorkingDay, type WorkingDayCalendar } from '../shared/schedule';
import type { VisitCase, VisitInput } from '../contracts/visit';
import type { Rectification, RectificationReport } from '../contracts/visit-rectification';
import { nextEvent, resetLadder, startLadder, type Ladder, type RectificationEvent } from './ladder';

/** A due date moved by an applied calendar, with the notice that moved it (for the county's mail). */
export type DueMove = CalendarMove & { source: string };

export class RectificationTracker {
  /** Sleeps towards the next reminder or rung; woken by every change below. */
  readonly timer: UpdatableTimer;
  #ladder: Ladder;
  #dueMoves: DueMove[] = [];

  constructor(
    private readonly state: VisitCase,
    private readonly rules: VisitInput['plan']['rectification'],
    private readonly today: () => string,
    private readonly calendar: () => WorkingDayCalendar,
    clock: Clock,
  ) {
    this.timer = new UpdatableTimer(clock);
    this.#ladder = startLadder(state.date);
  }

  /** The record (present once the letter is issued). */
  get record(): Rectification {
    return this.state.rectification!;
  }

  /** The letter is out: the record opens and the ladder counts from its due date. */
  start(record: Rectification): void {
    this.state.rectification = record;
    this.state.stage = 'rectification';
    this.#ladder = startLadder(record.dueDate);
    this.timer.wakeup.notify();
  }

  /** The next reminder or rung as of `today`; none while a report awaits review, or once the ladder is exhausted. */
  next(today: string): RectificationEvent | undefined {
    const rect = this.record;
    if (rect.reports.some((r) => !r.review)) return undefined;
    return nextEvent({ ...rect, ladder: this.#ladder, today }, this.rules.reminderDaysBefore, this.rules.escalation);
  }

  /** A reviewed report whose 整改验收意见 has not gone out yet. */
  reviewedUnsent(): RectificationReport | undefined {
    return this.record.reports.find((r) => r.review && !r.review.letter);
  }

  /** The oldest due-date move the county has not been told of (the script mails it). */
  takeDueMove(): DueMove | undefined {
    return this.#dueMoves.shift();
  }

  /** The county reported: the ladder stands still until the review. */
  submit(report: RectificationReport): void {
    this.record.reports.push(report);
    this.timer.wakeup.notify();
  }

  /** The date a returned report is due again: today + the plan's resubmit days, on a working day. */
  resubmitBy(): string {
    return onOrNextWorkingDay(addDays(this.today(), this.rules.resubmitDays), this.calendar());
  }

  /** A report was reviewed; a return moves the due date, and the ladder resumes from its rung. */
  reviewed(resubmitBy: string | undefined): void {
    if (resubmitBy) this.moveDueDate(resubmitBy);
    this.timer.wakeup.notify();
  }

  /** An extension (its record already on the case) moves the due date. */
  extendTo(date: string): void {
    this.moveDueDate(date);
    this.timer.wakeup.notify();
  }

  /**
   * An applied official calendar: a due date not yet passed is counted again by the same rule (a
   * period ending on a non-working day ends on the next working day), from the letter when nothing
   * moved it since; the move is queued for the county's notice. Returns the moves.
   */
  recount(today: string, source: string): CalendarMove[] {
    const r = this.state.rectification;
    if (!r || this.state.stage !== 'rectification' || r.dueDate < today) return [];
    const untouched = r.extensions.length === 0 && !r.reports.some((x) => x.review?.decision === 'return');
    const letter = this.state.letter;
    const base = untouched && letter ? addDays(letter.issueDate, this.rules.periodDays) : r.dueDate;
    const due = onOrNextWorkingDay(base, this.calendar());
    if (due === r.dueDate || due < today) return [];
    const move = { what: '整改期限', from: r.dueDate, to: due };
    this.#dueMoves.push({ ...move, source });
    this.moveDueDate(due);
    this.timer.wakeup.notify();
    return [move];
  }

  /**
   * A return or an extension moves the due date; the ladder is re-planned from it (ladder.ts). A
   * date an earlier version accepted without checking it exists (2027-06-31) is kept as its real
   * day (rollDate), so the letters that print it can render.
   */
  private moveDueDate(day: string): void {
    const date = rollDate(day);
    const r = this.record;
    r.dueDate = date;
    r.overdue = this.today() > date;
    this.#ladder = resetLadder(r.rungIndex, date, this.rules.escalation);
  }
}
