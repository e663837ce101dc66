import { describe, expect, it } from 'vitest';
import { chinaCalendar, takeSnapshot } from '../activities/calendar';
import * as rules from '../workflows/shared/schedule';
import { ScheduleError, snapshotCalendar } from '../workflows/shared/schedule';

// The rules as the workflow runs them: over a snapshot of the published calendar.
const cal = snapshotCalendar([takeSnapshot(2025), takeSnapshot(2026), takeSnapshot(2027)]);
const computeSchedule = (req: rules.ScheduleRequest) => rules.computeSchedule(req, cal);
const placeAdditionalVisit = (req: rules.PlacementRequest) => rules.placeAdditionalVisit(req, cal);
const onOrNextWorkingDay = (d: string) => rules.onOrNextWorkingDay(d, cal);
const addWorkingDays = (d: string, n: number) => rules.addWorkingDays(d, n, cal);
import { Clock, addDays } from '../workflows/shared/clock';

const counties = (n: number) => Array.from({ length: n }, (_, i) => ({ code: `c${i + 1}` }));
const month = (d: string) => Number(d.slice(5, 7));

describe('yearly scheduling rules', () => {
  it('places one county per month from January, all by 30 November, on working days', () => {
    const r = computeSchedule({
      year: 2026,
      today: '2025-12-01',
      counties: counties(11),
      preferredDay: 15,
      noticeWorkingDays: 5,
    });
    expect(r.visits.map((v) => month(v.date))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const v of r.visits) expect(chinaCalendar.isWorkingDay(v.date), v.date).toBe(true);
    expect(r.bends).toEqual([]);
  });

  it('spreads fewer counties over the year instead of crowding the first months', () => {
    const r = computeSchedule({
      year: 2026,
      today: '2025-12-01',
      counties: counties(7),
      preferredDay: 15,
      noticeWorkingDays: 5,
    });
    const months = r.visits.map((v) => month(v.date));
    expect(new Set(months).size).toBe(7);
    expect(Math.max(...months)).toBeGreaterThanOrEqual(9);
  });

  it('puts two in a month when there are more than 11 counties, evenly, and says so', () => {
    const r = computeSchedule({
      year: 2026,
      today: '2025-12-01',
      counties: counties(15),
      preferredDay: 15,
      noticeWorkingDays: 5,
    });
    const perMonth = new Map<number, number>();
    for (const v of r.visits) perMonth.set(month(v.date), (perMonth.get(month(v.date)) ?? 0) + 1);
    expect([...perMonth.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(Math.max(...perMonth.values())).toBe(2);
    expect(new Set(r.visits.map((v) => v.date)).size).toBe(15);
    expect(r.bends.join()).toMatch(/多于 11 个月/);
  });

  it('started mid-year: remaining counties in the remaining months, with the bent rule named', () => {
    const r = computeSchedule({
      year: 2026,
      today: '2026-06-20',
      counties: counties(8),
      preferredDay: 15,
      noticeWorkingDays: 5,
    });
    expect(r.visits.every((v) => v.date > '2026-06-20' && v.date <= '2026-11-30')).toBe(true);
    expect(r.bends.join()).toMatch(/仅剩 6 个月/);
    expect(r.bends.join()).toMatch(/多于剩余月份/);
  });

  it('moves a visit off the October national holiday (2026 calendar)', () => {
    // Preferred day 1: 1–7 October 2026 are the national holiday, so October's visit lands on the 8th.
    const r = computeSchedule({
      year: 2026,
      today: '2025-12-01',
      counties: counties(11),
      preferredDay: 1,
      noticeWorkingDays: 5,
    });
    expect(r.visits.find((v) => month(v.date) === 10)!.date).toBe('2026-10-08');
    expect(chinaCalendar.isWorkingDay('2026-09-20')).toBe(true); // an adjusted working Sunday (调休上班)
    expect(onOrNextWorkingDay('2026-10-03')).toBe('2026-10-08');
  });

  it('honours explicit dates and refuses ones in the past or on a holiday', () => {
    const r = computeSchedule({
      year: 2026,
      today: '2025-12-01',
      counties: [{ code: 'x', date: '2026-03-10' }, ...counties(2)],
      preferredDay: 15,
      noticeWorkingDays: 5,
    });
    expect(r.visits.find((v) => v.county === 'x')).toEqual({ county: 'x', date: '2026-03-10', origin: 'plan' });
    expect(r.visits.filter((v) => month(v.date) === 3)).toHaveLength(1);
    expect(() =>
      computeSchedule({
        year: 2026,
        today: '2026-04-01',
        counties: [{ code: 'x', date: '2026-03-10' }],
        preferredDay: 15,
        noticeWorkingDays: 5,
      }),
    ).toThrow(ScheduleError);
    expect(() =>
      computeSchedule({
        year: 2026,
        today: '2025-12-01',
        counties: [{ code: 'x', date: '2026-10-01' }],
        preferredDay: 15,
        noticeWorkingDays: 5,
      }),
    ).toThrow(/法定节假日/);
  });

  it('refuses a year that is over', () => {
    expect(() =>
      computeSchedule({
        year: 2026,
        today: '2026-11-29',
        counties: counties(1),
        preferredDay: 15,
        noticeWorkingDays: 5,
      }),
    ).toThrow(/11 月 30 日前完成/);
  });

  it('says when the holiday calendar of the year is not yet published', () => {
    const r = computeSchedule({
      year: 2027,
      today: '2026-11-23',
      counties: counties(3),
      preferredDay: 15,
      noticeWorkingDays: 5,
    });
    expect(r.notes.join()).toMatch(/尚未包含 2027 年法定节假日/);
  });

  it('places an added county in the least-loaded remaining month', () => {
    const taken = ['2026-06-29', '2026-07-15', '2026-08-14', '2026-10-15', '2026-11-16'];
    expect(
      month(placeAdditionalVisit({ year: 2026, today: '2026-06-20', taken, preferredDay: 15, noticeWorkingDays: 5 })),
    ).toBe(9);
  });

  it('counts working days across a holiday', () => {
    expect(addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
    expect(addWorkingDays('2026-09-30', 2)).toBe('2026-10-09');
  });
});

describe('calendar snapshot', () => {
  it('agrees with the published calendar on every day of 2026', () => {
    for (let d = '2026-01-01'; d < '2027-01-01'; d = addDays(d, 1))
      expect(cal.isWorkingDay(d), d).toBe(chinaCalendar.isWorkingDay(d));
  });
});

describe('clock', () => {
  it('maps China dates to 09:00 CST and back', () => {
    const c = Clock.real();
    expect(new Date(c.instantOf('2027-03-15')).toISOString()).toBe('2027-03-15T01:00:00.000Z');
    expect(c.today(Date.parse('2027-03-14T16:30:00Z'))).toBe('2027-03-15');
  });
  it('compresses a day into msPerDay', () => {
    const c = Clock.compressed({ msPerDay: 1000, startDate: '2027-01-04' }, 1_000_000);
    expect(c.today(1_000_000 + 2500)).toBe('2027-01-06');
    expect(c.instantOf('2027-01-05')).toBe(1_000_000 + 1000 + 375);
  });
});
