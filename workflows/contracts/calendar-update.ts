/**
 * Applying the official calendar mid-year (应用国务院公布的节假日安排): when the State Council
 * publishes a year's holidays and adjusted working days after a programme started, an
 * administrator sends the year's calendar to the running programme and visits. Each replaces its
 * recorded snapshot of that year and moves only the dates not yet passed, by the rule it already
 * uses (a period ending on a non-working day ends on the next working day); every move is recorded
 * in the case's log, and a county whose due date moved is told by email. Pure: workflow-safe.
 */
import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ActorSchema } from './common';
import { IsoDate } from '../shared/plan';
import { Line } from '../shared/text';

export const ApplyCalendarArgs = z
  .object({
    actor: ActorSchema,
    /** The year's non-working days (weekends not adjusted to working days, and the holidays). */
    snapshot: z.object({
      year: z.number().int().min(2000, '年度不正确').max(2100, '年度不正确'),
      covered: z.literal(true, { error: '只能应用已公布节假日的日历' }),
      nonWorkingDays: z.array(IsoDate).max(366, '非工作日不能多于 366 天'),
    }),
    /** Where the calendar comes from, e.g. the notice's title and number, or the package and version. */
    source: Line({ min: 2, max: 200, label: '日历依据' }),
  })
  .superRefine((a, ctx) => {
    const wrong = a.snapshot.nonWorkingDays.filter((d) => Number(d.slice(0, 4)) !== a.snapshot.year);
    if (wrong.length)
      ctx.addIssue({
        code: 'custom',
        path: ['snapshot', 'nonWorkingDays'],
        message: `这些日期不在 ${a.snapshot.year} 年：${wrong.slice(0, 5).join('、')}`,
      });
    if (a.snapshot.nonWorkingDays.length < 104)
      ctx.addIssue({
        code: 'custom',
        path: ['snapshot', 'nonWorkingDays'],
        message: `非工作日只有 ${a.snapshot.nonWorkingDays.length} 天，少于一年的周末天数，日历不完整`,
      });
  });
export type ApplyCalendarArgs = z.infer<typeof ApplyCalendarArgs>;

/** One date the new calendar moved. */
export interface CalendarMove {
  /** What moved, in Chinese (整改期限, 签收期限 R2, 香山县指导日期 …). */
  what: string;
  from: string;
  to: string;
}

/** The record of one application, kept on the case or programme. */
export interface CalendarApplied {
  year: number;
  source: string;
  by: string;
  at: string;
  moves: CalendarMove[];
}

export const applyCalendarUpdate = defineUpdate<CalendarApplied, [ApplyCalendarArgs]>('applyCalendar');
