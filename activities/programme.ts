/**
 * Activities of the yearly programme: a snapshot of the year's working-day calendar.
 */
import type { CalendarSnapshot, WorkingDayCalendar } from '../workflows/shared/schedule';
import { chinaCalendar, takeSnapshot } from './calendar';

export interface ProgrammeDeps {
  calendar?: WorkingDayCalendar;
}

export function createProgrammeActivities(deps: ProgrammeDeps = {}) {
  const cal = deps.calendar ?? chinaCalendar;
  return {
    /** The non-working days of `year`, recorded in the calling workflow's history. */
    async calendarSnapshot(year: number): Promise<CalendarSnapshot> {
      return takeSnapshot(year, cal);
    },
  };
}
