/**
 * The case's working-day calendar (工作日历): recorded once by the script at the start (this year's
 * and the next's snapshots, since a due date can cross the year end), replaced year by year when an
 * administrator applies the official calendar mid-year (applyCalendar). One owner for both, so the
 * snapshots and the calendar built from them never disagree.
 */
import { refuse } from '../lib/updates';
import { FailureType } from '../shared/errors';
import { snapshotCalendar, type CalendarSnapshot, type WorkingDayCalendar } from '../shared/schedule';

export class WorkingDays {
  #snapshots: CalendarSnapshot[] = [];
  #calendar: WorkingDayCalendar | undefined;

  /** The script's first step: the snapshots the calendar activity returned. */
  record(snapshots: CalendarSnapshot[]): void {
    this.#snapshots = snapshots;
    this.#calendar = snapshotCalendar(snapshots);
  }

  /** True once `record` has run (an Update that needs the calendar is refused before, to be tried again). */
  get recorded(): boolean {
    return this.#snapshots.length > 0;
  }

  /** True when the case's calendar has a snapshot of `year` (only those can be replaced). */
  holds(year: number): boolean {
    return this.#snapshots.some((s) => s.year === year);
  }

  /** An applied official calendar replaces the snapshot of its year. */
  apply(snapshot: CalendarSnapshot): void {
    this.record(this.#snapshots.map((s) => (s.year === snapshot.year ? { ...snapshot } : s)));
  }

  /** The calendar in force; refused while the case is still being set up. */
  current(): WorkingDayCalendar {
    if (!this.#calendar) throw refuse(FailureType.InvalidState, '案件正在初始化，请稍后再试');
    return this.#calendar;
  }
}
