/**
 * China-day arithmetic (workflows/shared/clock.ts), the one copy every layer uses: calendar steps
 * round-trip through day numbers, and an instant's China date (UTC+8) turns over at 16:00 UTC.
 * The oracles are written apart from the implementation: `Date.UTC` for calendar steps, the ICU
 * time zone Asia/Shanghai for China dates (no daylight saving since 1991, so from 1992 on).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  chinaDateTime,
  chinaDay,
  chinaMidnight,
  Clock,
  DAY_MS,
  dayNumber,
  dayOfWeek,
  daysBetween,
  fromDayNumber,
  isWeekend,
} from '../workflows/shared/clock';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** Real dates 1992–2199 as `YYYY-MM-DD`, from a day count so every day is equally likely. */
const realDate = fc.integer({ min: Date.UTC(1992, 0, 1) / DAY_MS, max: Date.UTC(2199, 11, 31) / DAY_MS }).map((n) => {
  const d = new Date(n * DAY_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
});
const span = fc.integer({ min: -5000, max: 5000 });
/** Any instant 1992–2199, to the millisecond. */
const instant = fc.integer({ min: Date.UTC(1992, 0, 2), max: Date.UTC(2199, 11, 30) });

const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** `YYYY-MM-DD` and `HH:mm` of an instant in Asia/Shanghai, by ICU. */
function shanghaiParts(ms: number): { date: string; time: string } {
  const p = Object.fromEntries(shanghai.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}
/** The oracle for calendar steps: JavaScript's own proleptic Gregorian arithmetic. */
function utcPlus(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + n)).toISOString().slice(0, 10);
}

describe('calendar steps', () => {
  it('addDays agrees with Date.UTC and round-trips through day numbers', () => {
    fc.assert(
      fc.property(realDate, span, (d, n) => {
        const later = addDays(d, n);
        expect(later).toBe(utcPlus(d, n));
        expect(addDays(later, -n)).toBe(d);
        expect(dayNumber(later)).toBe(dayNumber(d) + n);
        expect(daysBetween(d, later)).toBe(n);
        expect(fromDayNumber(dayNumber(d))).toBe(d);
      }),
      { numRuns: 2000 },
    );
  });

  it('day of the week steps with the days and matches known dates', () => {
    expect(dayOfWeek('2027-01-01')).toBe(5); // a Friday
    expect(dayOfWeek('2028-01-01')).toBe(6); // a Saturday (calendar.ts's New Year case)
    expect(isWeekend('2027-10-02')).toBe(true);
    expect(isWeekend('2027-10-08')).toBe(false);
    fc.assert(
      fc.property(realDate, span, (d, n) => {
        expect(dayOfWeek(addDays(d, n))).toBe((((dayOfWeek(d) + n) % 7) + 7) % 7);
        expect(isWeekend(d)).toBe([0, 6].includes(dayOfWeek(d)));
      }),
      { numRuns: 1000 },
    );
  });

  it('a day past the 31st stays neither weekday nor weekend, as the copies before read it', () => {
    expect(dayOfWeek('2027-07-32')).toBeNaN();
    expect(isWeekend('2027-07-32')).toBe(false);
    // …while the day arithmetic rolls it over (dates.ts: an earlier version accepted it).
    expect(addDays('2027-07-32', 0)).toBe('2027-08-01');
  });
});

describe('the China day of an instant (UTC+8)', () => {
  it('agrees with the Asia/Shanghai time zone, to the minute', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const { date, time } = shanghaiParts(ms);
        expect(chinaDay(ms)).toBe(date);
        expect(chinaDateTime(ms).slice(0, 10)).toBe(date);
        expect(chinaDateTime(ms).slice(11, 16)).toBe(time);
      }),
      { numRuns: 2000 },
    );
  });

  it('turns over at 16:00 UTC: a China day runs from chinaMidnight to the next one', () => {
    fc.assert(
      fc.property(realDate, fc.integer({ min: 0, max: DAY_MS - 1 }), (d, into) => {
        const start = chinaMidnight(d);
        expect(start).toBe(Date.parse(`${d}T00:00:00+08:00`));
        expect(new Date(start).toISOString()).toBe(`${addDays(d, -1)}T16:00:00.000Z`);
        expect(chinaDay(start + into)).toBe(d);
        expect(chinaDay(start - 1)).toBe(addDays(d, -1));
        expect(chinaDay(start + DAY_MS)).toBe(addDays(d, 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('15:59:59.999 UTC is still the same China day; 16:00 UTC is the next', () => {
    expect(chinaDay(Date.parse('2027-12-31T15:59:59.999Z'))).toBe('2027-12-31');
    expect(chinaDay(Date.parse('2027-12-31T16:00:00.000Z'))).toBe('2028-01-01');
    expect(chinaDateTime(Date.parse('2027-05-19T02:32:00Z'))).toBe('2027-05-19T10:32:00.000');
  });

  it('a real clock reads back the date of the instant it schedules', () => {
    const clock = Clock.real();
    fc.assert(
      fc.property(realDate, (d) => {
        expect(clock.today(clock.instantOf(d))).toBe(d);
        expect(clock.instantOf(d) - chinaMidnight(d)).toBe(9 * 3_600_000);
      }),
      { numRuns: 500 },
    );
  });

  it('throws on an instant that is not a number, as toISOString did', () => {
    expect(() => chinaDay(Number.NaN)).toThrow(RangeError);
  });
});
