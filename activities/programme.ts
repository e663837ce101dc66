/**
 * Activities of the yearly programme: scheduling against China's working-day calendar.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/shared/errors';
import {
  ScheduleError,
  computeSchedule,
  placeAdditionalVisit,
  type PlacementRequest,
  type ScheduleRequest,
  type ScheduleResult,
  type WorkingDayCalendar,
  chinaCalendar,
} from './calendar';

export interface ProgrammeDeps {
  calendar?: WorkingDayCalendar;
}

/** Scheduling faults are the plan's, so they are permanent: retrying cannot fix a date. */
function asFailure(err: unknown): never {
  if (err instanceof ScheduleError) throw ApplicationFailure.nonRetryable(err.message, FailureType.InvalidInput);
  throw err;
}

export function createProgrammeActivities(deps: ProgrammeDeps = {}) {
  const cal = deps.calendar ?? chinaCalendar;
  return {
    /** Places every county of the plan in a month (one per month, January–November). */
    async planProgramme(req: ScheduleRequest): Promise<ScheduleResult> {
      try {
        return computeSchedule(req, cal);
      } catch (err) {
        return asFailure(err);
      }
    },
    /** Finds a date for a county added during the year. */
    async placeAdditionalVisit(req: PlacementRequest): Promise<string> {
      try {
        return placeAdditionalVisit(req, cal);
      } catch (err) {
        return asFailure(err);
      }
    },
    /** Whether a date is a working day (for reschedule warnings). */
    async isWorkingDay(date: string): Promise<boolean> {
      return cal.isWorkingDay(date);
    },
  };
}
