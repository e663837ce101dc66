/**
 * Only real dates (workflows/shared/dates.ts): every date a plan or an Update holds is accepted iff
 * it is `YYYY-MM-DD`, the day exists and the year is in range; refusals are in Chinese. Dates an
 * earlier version accepted with a format check only (2027-06-31) still count and roll over, so a
 * replayed case never throws in the ladder's arithmetic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayNumber } from '../workflows/shared/clock';
import { CalendarDate, DATE_YEARS, isRealDate, rollDate } from '../workflows/shared/dates';
import { IsoDate } from '../workflows/shared/plan';
import { tolerantly } from '../workflows/shared/tolerance';
import { ExtendDueArgs, RecordReinspectionArgs, SubmitReportArgs } from '../workflows/contracts/visit-rectification';
import { RescheduleArgs } from '../workflows/contracts/programme';
import { nextEvent, startLadder } from '../workflows/visit/ladder';

/** The oracle, written apart from the implementation: the Gregorian rule spelled out. */
function daysIn(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const ymd = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
const oracle = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && y >= 2000 && y <= 2100;
};

/** Strings that look like dates, near and on every edge (month 00–13, day 00–32, years around the range). */
const dateLike = fc
  .tuple(fc.integer({ min: 1990, max: 2110 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => ymd(y, m, d));
const anything = fc.oneof(
  dateLike,
  fc.string({ maxLength: 14 }),
  dateLike.map((s) => ` ${s}`),
  dateLike.map((s) => s.replace(/-/g, '/')),
);

describe('one schema for real dates', () => {
  it('accepts a string iff it is a real date in 2000–2100 (fast-check)', () => {
    fc.assert(
      fc.property(anything, (s) => {
        const r = CalendarDate.safeParse(s);
        expect(r.success, s).toBe(oracle(s));
        if (!r.success) expect(r.error.issues[0]!.message).toMatch(/[\u4e00-\u9fff]/);
      }),
      { numRuns: 3000 },
    );
  });

  it('knows leap years: 2028-02-29 and 2000-02-29 exist, 2027-02-29 and 2100-02-29 do not', () => {
    for (const s of ['2028-02-29', '2000-02-29', '2027-06-30', '2100-12-31', '2000-01-01'])
      expect(isRealDate(s), s).toBe(true);
    for (const s of ['2027-02-29', '2100-02-29', '2027-06-31', '2027-04-31', '2027-07-32', '2027-00-10', '2027-13-01'])
      expect(isRealDate(s), s).toBe(false);
  });

  it('refuses with the reason in Chinese: the format, a day that does not exist, a year out of range', () => {
    const msg = (s: string) => CalendarDate.safeParse(s).error?.issues.map((i) => i.message);
    expect(msg('2027-06-31')).toEqual(['不存在的日期：2027-06-31']);
    expect(msg('2027.12.01')).toEqual(['日期格式应为 YYYY-MM-DD']);
    expect(msg('1999-12-31')).toEqual([`日期超出范围：1999-12-31（应在 ${DATE_YEARS.min}—${DATE_YEARS.max} 年之间）`]);
    expect(msg('2027-06-30')).toBeUndefined();
  });

  it('is the schema of every date an Update takes: extensions, report items, re-inspections, visit dates, the plan', () => {
    const actor = { id: 'sun-li', role: 'supervisor' as const };
    const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
      r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(paths(ExtendDueArgs.safeParse({ actor, newDueDate: '2027-06-31', reason: '县区申请' }))).toEqual([
      'newDueDate: 不存在的日期：2027-06-31',
    ]);
    expect(
      paths(RecordReinspectionArgs.safeParse({ actor, date: '2027-04-31', items: [{ index: 0, passed: true }] })),
    ).toEqual(['date: 不存在的日期：2027-04-31']);
    const file = { sha256: 'a'.repeat(64), size: 10, mediaType: 'application/pdf', filename: '报告.pdf' };
    expect(
      paths(
        SubmitReportArgs.safeParse({
          actor,
          files: [file],
          items: [{ index: 0, status: '正在整改', date: '2027-09-31' }],
        }),
      ),
    ).toEqual(['items.0.date: 不存在的日期：2027-09-31']);
    expect(
      paths(RescheduleArgs.safeParse({ actor, county: 'qinghe', date: '2027-07-32', reason: '县区申请' })),
    ).toEqual(['date: 不存在的日期：2027-07-32']);
    expect(IsoDate).toBe(CalendarDate);
  });

  it('a handler re-parsing what an earlier version accepted (format only) accepts it again', () => {
    const actor = { id: 'sun-li', role: 'supervisor' as const };
    expect(ExtendDueArgs.safeParse({ actor, newDueDate: '2027-06-31', reason: '县区申请' }).success).toBe(false);
    expect(
      tolerantly(() => ExtendDueArgs.parse({ actor, newDueDate: '2027-06-31', reason: '县区申请' })).newDueDate,
    ).toBe('2027-06-31');
    // The format was checked then too: still refused.
    expect(() =>
      tolerantly(() => ExtendDueArgs.parse({ actor, newDueDate: '2027.06.30', reason: '县区申请' })),
    ).toThrow();
  });
});

describe('dates accepted before, counted with', () => {
  it('rollDate keeps real dates and rolls an impossible day into the next month (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 39 }),
        (y, m, d) => {
          const s = ymd(y, m, d);
          const rolled = rollDate(s);
          expect(isRealDate(rolled)).toBe(true);
          if (d <= daysIn(y, m)) expect(rolled).toBe(s);
          else expect(rolled).toBe(new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10));
          expect(dayNumber(s)).toBe(dayNumber(rolled));
        },
      ),
    );
  });

  it('the ladder plans from a stored 2027-07-32 or 2027-06-31 without throwing', () => {
    expect(addDays('2027-07-32', 0)).toBe('2027-08-01');
    expect(addDays('2027-06-31', 1)).toBe('2027-07-02');
    const steps = [{ daysAfterDue: 1 }, { daysAfterDue: 7 }];
    const pos = {
      dueDate: '2027-07-32',
      rungIndex: -1,
      reminders: [],
      ladder: startLadder('2027-07-32'),
      today: '2027-07-20',
    };
    expect(nextEvent(pos, [7, 1], steps)).toEqual({ kind: 'reminder', daysBefore: 7, date: '2027-07-25' });
    expect(
      nextEvent(
        {
          ...pos,
          today: '2027-08-01',
          reminders: [
            { daysBefore: 7, dueDate: '2027-07-32' },
            { daysBefore: 1, dueDate: '2027-07-32' },
          ],
        },
        [7, 1],
        steps,
      ),
    ).toEqual({ kind: 'rung', index: 0, date: '2027-08-02' });
  });
});
