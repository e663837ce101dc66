/**
 * A statistics table (执法统计表) turned into the programme's `recordStatistics` arguments, for
 * `guidance programme stats` and the HTTP import alike, so both refuse the same tables with the
 * same words: unreadable (bad input) or with logic problems (refused until fixed).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { createStatsActivities } from '../activities/stats';
import type { RecordStatisticsArgs } from '../workflows/contracts/statistics';
import type { StatsRulesInput } from '../workflows/shared/stats';
import type { StatsResult } from '../workflows/shared/stats-result';
import { EXIT, UserError, statisticsRows } from './programme';

/** Reads and checks a table from a path or from bytes (an upload, named by its file name). */
export async function readStatistics(
  source: { path: string } | { bytes: Uint8Array; name: string },
  rules: StatsRulesInput | undefined,
): Promise<{ result: StatsResult; sha256: string }> {
  let bytes: Uint8Array | undefined;
  // The bytes read are the bytes hashed: the sha256 recorded is of the table that was checked.
  const stats = createStatsActivities({
    readFile: async (file) => (bytes = 'bytes' in source ? source.bytes : await readFile(file)),
  });
  let result: StatsResult;
  try {
    result = await stats.importStatistics({ path: 'bytes' in source ? source.name : source.path, thresholds: rules });
  } catch (err) {
    // The activity's own refusals are Chinese and name only the file's base name.
    if (err instanceof ApplicationFailure)
      throw new UserError(err.message, EXIT.badInput, err.type ?? 'UnreadableFile');
    throw new UserError((err as Error).message, EXIT.badInput, 'UnreadableFile');
  }
  return { result, sha256: createHash('sha256').update(bytes!).digest('hex') };
}

/**
 * The Update's arguments (without the actor): refused while the table has logic problems; draft
 * findings go to the counties named in `codeByName` (county name → code), other units only to
 * the bulletin's table.
 */
export function statisticsArgs(
  result: StatsResult,
  codeByName: ReadonlyMap<string, string>,
  meta: { period: string; sourceSha256: string },
): Omit<RecordStatisticsArgs, 'actor'> {
  if (result.problems.length) {
    throw new UserError(
      `统计表有 ${result.problems.length} 处逻辑问题，请先用 guidance stats check 核对并修正：\n${result.problems
        .slice(0, 10)
        .map((p) => `  - ${p.unit} ${p.column}：${p.message}`)
        .join('\n')}`,
      EXIT.refused,
      'StatsProblems',
    );
  }
  const drafts: NonNullable<RecordStatisticsArgs['drafts']> = {};
  for (const d of result.drafts) {
    const code = codeByName.get(d.unit);
    if (code) (drafts[code] ??= []).push({ item: d.item, problem: d.problem, opinion: d.opinion });
  }
  return { period: meta.period, sourceSha256: meta.sourceSha256, rows: statisticsRows(result.units), drafts };
}
