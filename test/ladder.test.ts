/**
 * The escalation ladder and its movable due date (workflows/visit/ladder.ts), as pure functions:
 * what falls due next, before and after a return or an extension moves the due date.
 */
import { describe, expect, it } from 'vitest';
import { nextEvent, resetLadder, startLadder, type LadderPosition } from '../workflows/visit/ladder';

const steps = [{ daysAfterDue: 1 }, { daysAfterDue: 7 }, { daysAfterDue: 14 }, { daysAfterDue: 21 }];
const reminders = [7, 1];
const at = (p: Partial<LadderPosition>): LadderPosition => ({
  dueDate: '2027-04-30',
  rungIndex: -1,
  reminders: [],
  ladder: startLadder('2027-04-30'),
  today: '2027-04-01',
  ...p,
});

describe('escalation ladder', () => {
  it('reminds 7 and 1 days before the due date, then climbs rung by rung from the due date', () => {
    expect(nextEvent(at({}), reminders, steps)).toEqual({ kind: 'reminder', daysBefore: 7, date: '2027-04-23' });
    const sent7 = [{ daysBefore: 7, dueDate: '2027-04-30' }];
    expect(nextEvent(at({ reminders: sent7 }), reminders, steps)).toEqual({
      kind: 'reminder',
      daysBefore: 1,
      date: '2027-04-29',
    });
    const sentBoth = [...sent7, { daysBefore: 1, dueDate: '2027-04-30' }];
    expect(nextEvent(at({ reminders: sentBoth }), reminders, steps)).toEqual({
      kind: 'rung',
      index: 0,
      date: '2027-05-01',
    });
    expect(nextEvent(at({ reminders: sentBoth, rungIndex: 0 }), reminders, steps)).toEqual({
      kind: 'rung',
      index: 1,
      date: '2027-05-07',
    });
    expect(nextEvent(at({ reminders: sentBoth, rungIndex: 3 }), reminders, steps)).toBeUndefined();
  });

  it('skips reminders whose day has passed', () => {
    expect(nextEvent(at({ today: '2027-04-25' }), reminders, steps)).toEqual({
      kind: 'reminder',
      daysBefore: 1,
      date: '2027-04-29',
    });
    expect(nextEvent(at({ today: '2027-04-30' }), reminders, steps)).toEqual({
      kind: 'rung',
      index: 0,
      date: '2027-05-01',
    });
  });

  it('an extension brings new reminders for the new due date; those of the old date do not count', () => {
    const sent = [
      { daysBefore: 7, dueDate: '2027-04-30' },
      { daysBefore: 1, dueDate: '2027-04-30' },
    ];
    const pos = at({
      dueDate: '2027-05-31',
      reminders: sent,
      ladder: resetLadder(-1, '2027-05-31', steps),
      today: '2027-05-02',
    });
    expect(nextEvent(pos, reminders, steps)).toEqual({ kind: 'reminder', daysBefore: 7, date: '2027-05-24' });
  });

  it('a ladder not yet climbed starts afresh from a moved due date', () => {
    expect(resetLadder(-1, '2027-06-15', steps)).toEqual(startLadder('2027-06-15'));
  });

  it('a ladder already climbed resumes from its rung: the next rung falls due the day after the new due date', () => {
    const ladder = resetLadder(1, '2027-06-15', steps); // at 督办; next is rung 2
    const pos = at({
      dueDate: '2027-06-15',
      rungIndex: 1,
      ladder,
      today: '2027-06-15',
      reminders: [
        { daysBefore: 7, dueDate: '2027-06-15' },
        { daysBefore: 1, dueDate: '2027-06-15' },
      ],
    });
    expect(nextEvent(pos, reminders, steps)).toEqual({ kind: 'rung', index: 2, date: '2027-06-16' });
    expect(nextEvent({ ...pos, rungIndex: 2 }, reminders, steps)).toEqual({
      kind: 'rung',
      index: 3,
      date: '2027-06-23',
    });
  });

  it('on the last rung a reset keeps the ladder exhausted', () => {
    const pos = at({
      rungIndex: 3,
      ladder: resetLadder(3, '2027-06-15', steps),
      dueDate: '2027-06-15',
      today: '2027-06-16',
    });
    expect(nextEvent(pos, [], steps)).toBeUndefined();
  });

  it('a reminder and a rung on the same day: the reminder goes first', () => {
    const pos = at({ dueDate: '2027-05-08', rungIndex: 0, ladder: startLadder('2027-05-01'), today: '2027-05-07' });
    expect(nextEvent(pos, [1], steps)).toEqual({ kind: 'reminder', daysBefore: 1, date: '2027-05-07' });
  });
});
