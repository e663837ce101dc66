/**
 * The escalation ladder (督办层级) and its movable due date, as pure functions: which reminder or
 * rung falls due next, and where the ladder stands after a return or an extension moved the due
 * date. No Temporal API here, so it is unit-tested directly (test/ladder.test.ts). The case's
 * ladder is held by the RectificationTracker (rectification-tracker.ts); the script sleeps towards
 * the returned date on its UpdatableTimer (lib/updatable-timer.ts), which an Update wakes to re-plan.
 */
import { addDays } from '../shared/clock';

/** Rung i falls due on `base + daysAfterDue[i] - shift`. */
export interface Ladder {
  base: string;
  shift: number;
}

export interface LadderStep {
  daysAfterDue: number;
}

export type RectificationEvent =
  { kind: 'reminder'; daysBefore: number; date: string } | { kind: 'rung'; index: number; date: string };

/** A ladder counted from `dueDate`: rung i falls due `daysAfterDue[i]` days after it. */
export function startLadder(dueDate: string): Ladder {
  return { base: dueDate, shift: 0 };
}

/**
 * After a return or an extension moved the due date to `dueDate`: a ladder not yet climbed starts
 * afresh; one already climbed resumes from its rung, whose next step falls due the day after the
 * new due date (the county is not pushed back down, nor made to wait the whole interval again).
 */
export function resetLadder(rungIndex: number, dueDate: string, steps: readonly LadderStep[]): Ladder {
  const next = steps[rungIndex + 1];
  return rungIndex < 0 || !next ? startLadder(dueDate) : { base: dueDate, shift: next.daysAfterDue - 1 };
}

export interface LadderPosition {
  dueDate: string;
  /** Highest rung reached, -1 before any. */
  rungIndex: number;
  /** Reminders already sent, each for the due date it was about. */
  reminders: readonly { daysBefore: number; dueDate?: string }[];
  ladder: Ladder;
  today: string;
}

/** The next reminder or rung that falls due, or undefined when the ladder is exhausted. */
export function nextEvent(
  pos: LadderPosition,
  reminderDaysBefore: readonly number[],
  steps: readonly LadderStep[],
): RectificationEvent | undefined {
  const events: RectificationEvent[] = [];
  for (const d of reminderDaysBefore) {
    const date = addDays(pos.dueDate, -d);
    // Only reminders still ahead, and each once per due date (an extension brings new ones).
    if (date >= pos.today && !pos.reminders.some((r) => r.daysBefore === d && r.dueDate === pos.dueDate)) {
      events.push({ kind: 'reminder', daysBefore: d, date });
    }
  }
  const i = pos.rungIndex + 1;
  const step = steps[i];
  if (step)
    events.push({ kind: 'rung', index: i, date: addDays(pos.ladder.base, step.daysAfterDue - pos.ladder.shift) });
  // Stable: on the same date a reminder (listed first) goes before a rung.
  events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return events[0];
}
