/**
 * The yearly scheduling rules and working-day arithmetic, pure and deterministic. The calendar is
 * passed in: activities use the published holiday table (activities/calendar.ts); workflows use
 * the snapshot of it recorded in their history at start, so a package upgrade never changes what
 * a running workflow replays.
 */
import { addDays, dayNumber, fromDayNumber, isWeekend } from './clock';

export interface WorkingDayCalendar {
  /** True when the date is a working day (weekdays, plus adjusted working weekends 调休上班). */
  isWorkingDay(date: string): boolean;
  /** True when the calendar carries the published holidays of that year. */
  covers(year: number): boolean;
}

/** A year's calendar as recorded in workflow history: the non-working days of that year. */
export interface CalendarSnapshot {
  year: number;
  covered: boolean;
  nonWorkingDays: string[];
}

/** A calendar backed by snapshots; outside the snapshot years, Monday–Friday. */
export function snapshotCalendar(snapshots: CalendarSnapshot[]): WorkingDayCalendar {
  const off = new Set(snapshots.flatMap((s) => s.nonWorkingDays));
  const years = new Map(snapshots.map((s) => [s.year, s.covered]));
  return {
    isWorkingDay(date) {
      if (years.has(Number(date.slice(0, 4)))) return !off.has(date);
      return !isWeekend(date);
    },
    covers(year) {
      return years.get(year) ?? false;
    },
  };
}

/** The first working day on or after `date`. */
export function onOrNextWorkingDay(date: string, cal: WorkingDayCalendar): string {
  let d = date;
  while (!cal.isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

/** `date` plus `n` working days (n ≥ 0); with n = 0, `date` itself if working, else the next. */
export function addWorkingDays(date: string, n: number, cal: WorkingDayCalendar): string {
  let d = onOrNextWorkingDay(date, cal);
  for (let i = 0; i < n; i++) d = onOrNextWorkingDay(addDays(d, 1), cal);
  return d;
}

/** `date` minus `n` working days. */
export function subtractWorkingDays(date: string, n: number, cal: WorkingDayCalendar): string {
  let d = date;
  let left = n;
  while (left > 0) {
    d = addDays(d, -1);
    if (cal.isWorkingDay(d)) left--;
  }
  return d;
}

export interface ScheduleRequest {
  year: number;
  /** Today's date (real or simulated) when the programme starts. */
  today: string;
  /** Each county by code, with its name for messages (the code when absent). */
  counties: { code: string; name?: string; date?: string }[];
  preferredDay: number;
  /** Working days the advance notice needs before a visit. */
  noticeWorkingDays: number;
}

export interface PlacedVisit {
  county: string;
  date: string;
  origin: 'plan' | 'scheduler';
}

export interface ScheduleResult {
  visits: PlacedVisit[];
  /** The rules the schedule had to bend, in Chinese, for the programme's record. */
  bends: string[];
  /** Notes such as an unpublished holiday calendar. */
  notes: string[];
}

export class ScheduleError extends Error {
  /** The county whose date cannot be kept, when the problem is one county's. */
  constructor(
    message: string,
    readonly county?: string,
  ) {
    super(message);
  }
}

const LAST_MONTH = 11; // all guidance finished by the end of November (2022 plan)

/**
 * Places one county per month from January to November (two share a month when there are more
 * than the months available, spread as evenly as possible), honouring explicit dates.
 */
export function computeSchedule(req: ScheduleRequest, cal: WorkingDayCalendar): ScheduleResult {
  const { year, today } = req;
  const bends: string[] = [];
  const notes: string[] = [];
  if (!cal.covers(year)) {
    notes.push(
      `日历数据尚未包含 ${year} 年法定节假日安排，暂按周一至周五为工作日；国务院办公厅公布后用 guidance calendar apply --year ${year} 应用到本计划（运行中的计划不会自行更新日历）。`,
    );
  }
  const yearEnd = `${year}-11-30`;
  // The earliest date a visit can take, leaving room for the advance notice.
  const earliest =
    today < `${year}-01-01` ? `${year}-01-01` : addWorkingDays(addDays(today, 1), req.noticeWorkingDays, cal);
  if (today > yearEnd || earliest > yearEnd) {
    throw new ScheduleError(`${year} 年度的执法指导须在 11 月 30 日前完成，今天（${today}）已无法安排`);
  }

  const firstMonth = Number(earliest.slice(5, 7));
  const months: number[] = [];
  for (let m = firstMonth; m <= LAST_MONTH; m++) months.push(m);
  if (firstMonth > 1) {
    bends.push(`计划于 ${today} 启动，仅剩 ${months.length} 个月（${firstMonth}–11 月）可安排。`);
  }

  const load = new Map<number, number>(months.map((m) => [m, 0]));
  const visits: PlacedVisit[] = [];
  for (const c of req.counties) {
    if (!c.date) continue;
    if (c.date < earliest) {
      throw new ScheduleError(
        `${c.name ?? `县区 ${c.code} `}的指导日期 ${c.date} 已过或来不及提前通知（最早可安排 ${earliest}）`,
        c.code,
      );
    }
    if (!cal.isWorkingDay(c.date)) {
      throw new ScheduleError(
        `${c.name ?? `县区 ${c.code} `}的指导日期 ${c.date} 是休息日或法定节假日，请改为工作日`,
        c.code,
      );
    }
    const m = Number(c.date.slice(5, 7));
    load.set(m, (load.get(m) ?? 0) + 1);
    visits.push({ county: c.code, date: c.date, origin: 'plan' });
  }

  const open = req.counties.filter((c) => !c.date);
  const total = req.counties.length;
  if (total > months.length) {
    const lo = Math.floor(total / months.length);
    const hi = Math.ceil(total / months.length);
    const range = lo === hi ? `${lo}` : `${lo}–${hi}`;
    const why =
      firstMonth === 1 ? `县区（${total} 个）多于 11 个月` : `县区（${total} 个）多于剩余月份（${months.length} 个）`;
    bends.push(`${why}：每月安排 ${range} 个县区（原则上每月 1 个），尽量均匀分布。`);
  }
  // Target load per month: `base` each, and the `extra` remainder spread evenly over the months
  // (indices floor(k·M/extra)), so 7 counties in 11 months are not crammed into January–July.
  const base = Math.floor(total / months.length);
  const extra = total % months.length;
  const target = new Map<number, number>(months.map((m) => [m, base]));
  for (let k = 0; k < extra; k++) {
    const m = months[Math.floor((k * months.length) / extra)]!;
    target.set(m, (target.get(m) ?? 0) + 1);
  }
  const placed: (PlacedVisit & { month?: number })[] = [...visits];
  let next = 0;
  for (const m of months) {
    let room = (target.get(m) ?? 0) - (load.get(m) ?? 0);
    while (room > 0 && next < open.length) {
      placed.push({ county: open[next]!.code, date: '', origin: 'scheduler', month: m });
      load.set(m, (load.get(m) ?? 0) + 1);
      next++;
      room--;
    }
  }
  // Explicit dates crowded some months beyond their share: the rest go to the least-loaded months.
  while (next < open.length) {
    const m = months.reduce((best, cur) => ((load.get(cur) ?? 0) < (load.get(best) ?? 0) ? cur : best));
    placed.push({ county: open[next]!.code, date: '', origin: 'scheduler', month: m });
    load.set(m, (load.get(m) ?? 0) + 1);
    next++;
  }
  return placeDays(placed, req, earliest, cal, bends, notes);
}

function placeDays(
  visits: (PlacedVisit & { month?: number })[],
  req: ScheduleRequest,
  earliest: string,
  cal: WorkingDayCalendar,
  bends: string[],
  notes: string[],
): ScheduleResult {
  const byMonth = new Map<number, (PlacedVisit & { month?: number })[]>();
  for (const v of visits) {
    if (v.month === undefined) continue;
    const list = byMonth.get(v.month) ?? [];
    list.push(v);
    byMonth.set(v.month, list);
  }
  const taken = new Set(visits.filter((v) => v.date).map((v) => v.date));
  for (const [month, list] of byMonth) {
    const mm = String(month).padStart(2, '0');
    const first = `${req.year}-${mm}-01`;
    const last = fromDayNumber(
      dayNumber(month === 12 ? `${req.year + 1}-01-01` : `${req.year}-${String(month + 1).padStart(2, '0')}-01`) - 1,
    );
    const from = first < earliest ? earliest : first;
    const span = dayNumber(last) - dayNumber(from) + 1;
    list.forEach((v, j) => {
      // One visit: the preferred day; k visits: spaced evenly through the month.
      const offset =
        list.length === 1 && from === first ? req.preferredDay - 1 : Math.floor(((j + 1) * span) / (list.length + 1));
      let date = onOrNextWorkingDay(fromDayNumber(dayNumber(from) + Math.min(offset, span - 1)), cal);
      while (taken.has(date)) date = onOrNextWorkingDay(addDays(date, 1), cal);
      if (date > last) {
        // Pushed past the month's end by holidays: take the last working day of the month instead.
        date = last;
        while (!cal.isWorkingDay(date) || taken.has(date)) date = addDays(date, -1);
      }
      taken.add(date);
      v.date = date;
      delete v.month;
    });
  }
  visits.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { visits: visits.map(({ county, date, origin }) => ({ county, date, origin })), bends, notes };
}

export interface PlacementRequest {
  year: number;
  today: string;
  /** Dates of the visits already in the programme (not cancelled). */
  taken: string[];
  preferredDay: number;
  noticeWorkingDays: number;
}

/** A date for a county added during the year: the least-loaded remaining month, earliest on ties. */
export function placeAdditionalVisit(req: PlacementRequest, cal: WorkingDayCalendar): string {
  const earliest =
    req.today < `${req.year}-01-01`
      ? `${req.year}-01-01`
      : addWorkingDays(addDays(req.today, 1), req.noticeWorkingDays, cal);
  const yearEnd = `${req.year}-11-30`;
  if (earliest > yearEnd) throw new ScheduleError(`${req.year} 年度已无法在 11 月 30 日前安排新的执法指导`);
  const firstMonth = Number(earliest.slice(5, 7));
  let best = firstMonth;
  const load = (m: number) =>
    req.taken.filter((d) => Number(d.slice(0, 4)) === req.year && Number(d.slice(5, 7)) === m).length;
  for (let m = firstMonth; m <= LAST_MONTH; m++) if (load(m) < load(best)) best = m;
  const mm = String(best).padStart(2, '0');
  const first = `${req.year}-${mm}-01`;
  let date = first < earliest ? earliest : `${req.year}-${mm}-${String(req.preferredDay).padStart(2, '0')}`;
  if (date < earliest) date = earliest;
  const taken = new Set(req.taken);
  date = onOrNextWorkingDay(date, cal);
  while (taken.has(date)) date = onOrNextWorkingDay(addDays(date, 1), cal);
  if (date > yearEnd) throw new ScheduleError(`${req.year} 年度已无法在 11 月 30 日前安排新的执法指导`);
  return date;
}
