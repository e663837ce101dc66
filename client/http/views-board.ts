/**
 * The programme board (执法指导进度) and the overdue list, built from the workflows' own state (the
 * programme's schedule Query and each visit's case Query) or, once Temporal has let a closed or
 * cancelled case go, from its archive (activities/archive.ts).
 */
import type { Client } from '@temporalio/client';
import { listArchivedCases } from '../../activities/archive';
import type { ArchiveLocation } from '../../activities/archive-store';
import { VISIT_STATUS_LABEL, type ProgrammeState, type ScheduleEntry } from '../../workflows/contracts/programme';
import { visitWorkflowId } from '../../workflows/contracts/common';
import { openIncident } from '../../workflows/contracts/incidents';
import { chinaDay, daysBetween } from '../../workflows/shared/clock';
import { RUNG_LABEL } from '../../workflows/shared/labels';
import type { VisitCase } from '../../workflows/contracts/visit';
import { UserError } from '../programme';
import type { CaseReads } from '../case-reads';
import { readCase, readProgramme } from '../record';
import { stageLabel } from './views-files';

// A type, not an interface: the API's answer schema (api-schemas.ts) takes it as an open record.
export type BoardRow = {
  county: string;
  countyName: string;
  date: string;
  /** 1–12. */
  month: number;
  status: ScheduleEntry['status'];
  statusLabel: string;
  stage?: string;
  stageLabel?: string;
  docNumber?: string;
  dueDate?: string;
  rung?: string;
  rungLabel?: string;
  overdue: boolean;
  daysOverdue?: number;
  visitWorkflowId: string;
  /** Set when the visit could not be read (its message). */
  note?: string;
  /** 'archive': read from the case's archive, Temporal no longer keeps its workflow. */
  source?: 'archive';
  /** The case's last answer, read at this instant (ISO): its query missed the read budget (client/case-reads.ts). */
  asOf?: string;
  /** The open incident (故障) waiting for an administrator's retry, in words. */
  incident?: string;
};

export interface Board {
  year: number;
  bureau: string;
  bureauName: string;
  today: string;
  finished: boolean;
  bends: string[];
  rows: BoardRow[];
  counts: { total: number; started: number; issued: number; rectifying: number; overdue: number; closed: number };
  /** 'archive': the year's programme is gone from Temporal; the board is its archive (or, for a year archived before the programme was, its archived cases). */
  source?: 'archive';
}

/** The board's columns that come from a case: stage, letter, due date, rung, overdue. */
function fillFromCase(row: BoardRow, c: VisitCase, today: string): void {
  row.stage = c.stage;
  row.stageLabel = stageLabel(c.stage);
  row.docNumber = c.letter?.docNumber;
  row.dueDate = c.rectification?.dueDate ?? c.letter?.dueDate;
  const rung = c.rectification?.rung;
  if (rung && rung !== 'none') {
    row.rung = rung;
    row.rungLabel = RUNG_LABEL[rung] ?? rung;
  }
  row.overdue = Boolean(c.rectification?.overdue);
  if (row.overdue && row.dueDate) row.daysOverdue = Math.max(0, daysBetween(row.dueDate, today));
  const open = openIncident(c.incidents);
  if (open) row.incident = `${open.id} ${open.what}失败：${open.error.message}`;
}

function countsOf(rows: BoardRow[]): Board['counts'] {
  const stageIs = (...s: string[]) => rows.filter((r) => r.stage && s.includes(r.stage)).length;
  return {
    total: rows.length,
    started: rows.filter((r) => r.stage).length,
    issued: stageIs('issued', 'rectification', 'closed'),
    rectifying: stageIs('rectification'),
    overdue: rows.filter((r) => r.overdue).length,
    closed: stageIs('closed'),
  };
}

/**
 * The programme board of a year: every county's month, stage, due date, rung and overdue flag. A
 * visit Temporal no longer keeps is read from its archive (`archiveDir`); a year whose programme
 * Temporal no longer keeps is the board of its archived cases.
 */
export async function buildBoard(
  client: Client,
  year: number,
  bureau: string,
  archiveDir?: ArchiveLocation,
  reads?: CaseReads<VisitCase>,
): Promise<Board> {
  let programme: ProgrammeState;
  let fromArchive = false;
  try {
    // The programme's own record: its workflow, else its archive (activities/archive-programme.ts).
    const r = await readProgramme(client, year, bureau, archiveDir);
    programme = r.state;
    fromArchive = r.source === 'archive';
  } catch (err) {
    // A year archived before the programme was: the board of its archived cases alone.
    const archived =
      archiveDir && err instanceof UserError && err.type === 'NotFound'
        ? await archivedBoard(archiveDir, year, bureau)
        : undefined;
    if (archived) return archived;
    throw err;
  }
  const entries = [...programme.entries].sort(
    (a, b) => a.date.localeCompare(b.date) || a.county.localeCompare(b.county),
  );
  const cases = await Promise.allSettled(
    entries.map((e) =>
      e.status === 'scheduled'
        ? Promise.resolve(undefined)
        : readCase(client, { year, bureau, county: e.county }, archiveDir, reads),
    ),
  );
  const rows = entries.map((e, i): BoardRow => {
    const row: BoardRow = {
      county: e.county,
      countyName: e.countyName,
      date: e.date,
      month: Number(e.date.slice(5, 7)),
      status: e.status,
      statusLabel: VISIT_STATUS_LABEL[e.status],
      overdue: false,
      visitWorkflowId: e.visitWorkflowId,
      note: e.note,
    };
    const r = cases[i]!;
    if (r.status === 'rejected') {
      row.note = r.reason instanceof Error ? r.reason.message : '读取失败';
      return row;
    }
    if (!r.value) return row;
    if (r.value.source === 'archive') row.source = 'archive';
    if (r.value.asOf) row.asOf = r.value.asOf;
    fillFromCase(row, r.value.case, programme.today);
    return row;
  });
  return {
    year,
    bureau,
    bureauName: programme.bureauName,
    today: programme.today,
    finished: programme.finished,
    bends: programme.bends,
    rows,
    counts: countsOf(rows),
    ...(fromArchive ? { source: 'archive' as const } : {}),
  };
}

/** Today in China (UTC+8), `YYYY-MM-DD`. */
const chinaToday = () => chinaDay(Date.now());

/**
 * The board of a past year from its archived cases alone (the programme's own schedule is gone
 * with its workflow); undefined when the archive has no case of that year. A folder the archive
 * cannot vouch for is a row with its reason in `note`.
 */
async function archivedBoard(archiveDir: ArchiveLocation, year: number, bureau: string): Promise<Board | undefined> {
  const prefix = `${visitWorkflowId(year, bureau, '')}`;
  const today = chinaToday();
  const rows: BoardRow[] = [];
  for (const e of await listArchivedCases(archiveDir)) {
    const c = e.archived?.case;
    if (c ? c.year !== year || c.bureau !== bureau : !e.caseId.startsWith(prefix)) continue;
    const status = c?.stage === 'cancelled' ? 'cancelled' : 'completed';
    const row: BoardRow = {
      county: c?.county ?? e.caseId.slice(prefix.length),
      countyName: c?.countyName ?? e.caseId.slice(prefix.length),
      date: c?.date ?? '',
      month: c ? Number(c.date.slice(5, 7)) : 0,
      status,
      statusLabel: VISIT_STATUS_LABEL[status],
      overdue: false,
      visitWorkflowId: e.caseId,
      source: 'archive',
      note: e.problem,
    };
    if (c) fillFromCase(row, c, today);
    rows.push(row);
  }
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => a.date.localeCompare(b.date) || a.county.localeCompare(b.county));
  // The bureau's name was in the programme's plan, which went with its workflow.
  return {
    year,
    bureau,
    bureauName: bureau,
    today,
    finished: true,
    bends: [],
    rows,
    counts: countsOf(rows),
    source: 'archive',
  };
}

/** The overdue cases of a board, most overdue first. */
export function overdueRows(board: Board): BoardRow[] {
  return board.rows.filter((r) => r.overdue).sort((a, b) => (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0));
}
