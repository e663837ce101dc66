/**
 * The number register (发文登记): every number each series of a bureau has given in a year, with
 * the request (case and letter) it went to, or its voiding (作废) with the reason. Read from the
 * numbering workflows' Query; a series never used that year has no workflow and no rows. Once
 * Temporal has let a series' workflow go, its register is read from the programme's archive
 * (`<archiveDir>/<programmeWorkflowId>/numbers.json`, activities/archive-programme.ts).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { readArchivedProgramme, type ArchivedProgramme } from '../activities/archive-programme';
import type { ArchiveLocation } from '../activities/archive-store';
import { programmeWorkflowId } from '../workflows/contracts/common';
import {
  DOC_NUMBER_SERIES,
  docNumberWorkflowId,
  numbersQuery,
  type DocNumberState,
} from '../workflows/contracts/numbering';
import { refuseUnvouched } from './record';

/** What each series numbers, as the register shows it. */
export const SERIES_LABEL: Record<(typeof DOC_NUMBER_SERIES)[number], string> = {
  notice: '函（通知、警示函）',
  opinion: '指导（意见书、验收意见）',
  urge: '催（催办通知）',
  supervise: '督（督办函）',
  summons: '约（约谈通知书）',
  bulletin: '通报',
};

export interface RegisterRow {
  series: (typeof DOC_NUMBER_SERIES)[number];
  number: number;
  /** `<caseId>:<letter>`, e.g. `visit-2027-heluo-xiangshan:opinion`. */
  requestId: string;
  status: 'issued' | 'void';
  reason?: string;
  /** Present when the series' workflow is gone and the row comes from the programme's archive. */
  source?: 'archive';
}

/**
 * The register of `year` for `bureau`, series by series, numbers in order. With `archiveDir`, a
 * series Temporal no longer has is read from the programme's archive (rows marked `archive`).
 */
export async function numberRegister(
  client: Client,
  year: number,
  bureau: string,
  archiveDir?: ArchiveLocation,
): Promise<RegisterRow[]> {
  const rows: RegisterRow[] = [];
  let archived: Promise<ArchivedProgramme | undefined> | undefined;
  for (const series of DOC_NUMBER_SERIES) {
    let state: DocNumberState | undefined;
    let fromArchive = false;
    try {
      state = await client.workflow.getHandle(docNumberWorkflowId(year, bureau, series)).query(numbersQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      if (!archiveDir) continue;
      archived ??= refuseUnvouched(() => readArchivedProgramme(archiveDir, programmeWorkflowId(year, bureau)));
      state = (await archived)?.numbers[series];
      fromArchive = true;
    }
    if (state) rows.push(...registerRows(series, state, fromArchive));
  }
  return rows;
}

/** One series' rows: each number 1 … next-1, issued to its request or voided with its reason. */
function registerRows(
  series: (typeof DOC_NUMBER_SERIES)[number],
  state: DocNumberState,
  fromArchive: boolean,
): RegisterRow[] {
  const rows: RegisterRow[] = [];
  const byNumber = new Map(Object.entries(state.assigned).map(([requestId, n]) => [n, requestId]));
  for (let n = 1; n < state.next; n++) {
    const v = state.voided?.[n];
    rows.push({
      series,
      number: n,
      requestId: byNumber.get(n) ?? '',
      status: v ? 'void' : 'issued',
      ...(v ? { reason: v.reason } : {}),
      ...(fromArchive ? { source: 'archive' as const } : {}),
    });
  }
  return rows;
}
