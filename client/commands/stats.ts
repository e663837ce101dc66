/**
 * `guidance stats check FILE [--json]`: reads a statistics table offline (no Temporal needed),
 * checks its logic, computes the indicators and the ranking, and drafts findings.
 * Exit codes: 0 no problems, 1 problems found, 2 the file (or the plan, or an option) could not be
 * read — so a script can tell “fix the figures” from “fix the file”. Non-zero codes travel as a
 * UserError, the way every `guidance` command reports them (client/cli.ts prints and exits).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { analyseStatistics } from '../../activities/stats/analyse';
import { StatsReadError } from '../../activities/stats/errors';
import {
  BlankCells,
  INDICATORS,
  INDICATOR_INFO,
  StatsRulesSchema,
  type StatsRules,
} from '../../workflows/shared/stats';
import { type StatsResult, type UnitStats } from '../../workflows/shared/stats-result';
import { EXIT, UserError } from '../programme';

export interface StatsCheckOptions {
  json?: boolean;
  plan?: string;
  blank?: BlankCells;
  sheet?: string;
}

export interface StatsCheckOutcome {
  /** 0 no problems, 1 problems found, 2 unreadable. */
  code: number;
  /** For a non-zero code: one Chinese line saying why. */
  message?: string;
}

/** Adds `stats check` to the `guidance` program. Call `program.parseAsync()`: the action is async. */
export function registerStatsCommand(program: Command): void {
  const stats = program.command('stats').description('执法统计表：导入、逻辑检查、指标与排名');
  stats
    .command('check')
    .description('检查一张执法统计表（CSV 或 XLSX）：逻辑校验、指标、排名和问题草稿')
    .argument('<file>', '统计表文件（.csv 或 .xlsx）')
    .option('--json', '以 JSON 输出（units、total、problems、drafts）')
    .option('--plan <file>', '年度工作方案（YAML），从其 statistics 部分读取阈值')
    .addOption(
      new Option('--blank <mode>', '空白单元格：auto 按表格惯例，zero 视为 0，missing 视为缺报').choices(
        BlankCells.options,
      ),
    )
    .option('--sheet <name>', 'XLSX 工作表名称（默认取第一个有表头的工作表）')
    .action(async (file: string, opts: StatsCheckOptions) => {
      const outcome = await runStatsCheck(file, opts, (text) => process.stdout.write(text));
      if (outcome.code !== EXIT.ok) {
        throw new UserError(
          outcome.message ?? '',
          outcome.code,
          outcome.code === EXIT.badInput ? 'UnreadableFile' : 'StatsProblems',
        );
      }
    });
}

/**
 * Runs the check and prints the result (or, with --json, the error object) through `out`;
 * returns the exit code and, when it is not 0, the line to show on stderr.
 */
export async function runStatsCheck(
  file: string,
  opts: StatsCheckOptions,
  out: (text: string) => void,
): Promise<StatsCheckOutcome> {
  const unreadable = (message: string, cells: unknown[] = []): StatsCheckOutcome => {
    if (opts.json) out(`${JSON.stringify({ error: { type: 'UnreadableFile', message, cells } }, null, 2)}\n`);
    return { code: EXIT.badInput, message };
  };
  let rules: StatsRules;
  try {
    rules = await loadRules(opts.plan);
  } catch (err) {
    return unreadable((err as Error).message);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return unreadable(
      `无法读取 ${file}：${code === 'ENOENT' ? '文件不存在' : code === 'EISDIR' ? '这是一个目录' : (err as Error).message}`,
    );
  }
  let result: StatsResult;
  try {
    result = await analyseStatistics(bytes, {
      name: path.basename(file),
      rules,
      ...(opts.blank ? { blankCells: opts.blank } : {}),
      ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}),
    });
  } catch (err) {
    if (err instanceof StatsReadError) return unreadable(err.message, err.cells);
    throw err;
  }
  out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : render(result));
  const n = result.problems.length;
  return n === 0
    ? { code: EXIT.ok }
    : { code: EXIT.refused, message: `${result.source.name}：逻辑检查发现 ${n} 处问题` };
}

/** The plan's `statistics` section, defaults for what it leaves out; defaults alone without a plan. */
async function loadRules(planFile: string | undefined): Promise<StatsRules> {
  if (planFile === undefined) return StatsRulesSchema.parse({});
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(planFile, 'utf8'));
  } catch (err) {
    throw new Error(`无法读取工作方案 ${planFile}：${(err as Error).message}`);
  }
  const section = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).statistics : undefined;
  const parsed = StatsRulesSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  statistics.${i.path.join('.')}: ${i.message}`);
    throw new Error(`工作方案 ${planFile} 的 statistics 设置无效：\n${lines.join('\n')}`);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Human output

function indicatorText(u: UnitStats, key: (typeof INDICATORS)[number]): string {
  const v = u[key];
  if (v === undefined || v === null) return '—';
  const info = INDICATOR_INFO[key];
  return `${v.toFixed(info.decimals)}${info.unit === '%' ? '%' : ''}`;
}

/** The result as a table, the problems and the draft findings, in Chinese. */
export function render(result: StatsResult): string {
  const { source, units, total, problems, drafts } = result;
  const lines: string[] = [];
  const rows =
    source.headerRows.length > 1
      ? `第 ${source.headerRows[0]}–${source.headerRows[source.headerRows.length - 1]} 行`
      : `第 ${source.headerRows[0]} 行`;
  lines.push(
    `${source.name}（${source.format.toUpperCase()}${source.sheet ? `，工作表「${source.sheet}」` : ''}，表头${rows}；${source.blankCellsReason}）`,
  );
  const ignored = result.columns.filter((c) => c.field === null);
  if (ignored.length > 0)
    lines.push(`未识别、未使用的列：${ignored.map((c) => `${c.column}「${c.label}」`).join('、')}`);

  const indicators = INDICATORS.filter((k) => k in total || units.some((u) => k in u));
  const hasRank = units.some((u) => 'rank' in u);
  const head = ['单位'];
  if ('inspections' in total) head.push('检查家次');
  if ('cases' in total) head.push('立案');
  for (const k of indicators)
    head.push(
      INDICATOR_INFO[k].unit && INDICATOR_INFO[k].unit !== '%'
        ? `${INDICATOR_INFO[k].label}（${INDICATOR_INFO[k].unit}）`
        : INDICATOR_INFO[k].label,
    );
  if (hasRank) head.push('排名');
  // No colours (output is often piped into a file) and no rule between body rows (compact).
  const table = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const line = (u: UnitStats, isTotal: boolean): string[] => {
    const cells = [isTotal && total.computed ? `${u.name}（计算）` : u.name];
    if ('inspections' in total)
      cells.push(u.inspections === undefined || u.inspections === null ? '—' : String(u.inspections));
    if ('cases' in total) cells.push(u.cases === undefined || u.cases === null ? '—' : String(u.cases));
    for (const k of indicators) cells.push(indicatorText(u, k));
    if (hasRank) cells.push(u.rank === undefined || u.rank === null ? '—' : String(u.rank));
    return cells;
  };
  for (const u of units) table.push(line(u, false));
  table.push(line(total, true));
  lines.push(table.toString());

  if (problems.length === 0) {
    lines.push('逻辑检查：未发现问题。');
  } else {
    lines.push(`逻辑检查：发现 ${problems.length} 处问题`);
    problems.forEach((p, i) => lines.push(`  ${i + 1}. ${p.message}`));
  }
  if (drafts.length > 0) {
    lines.push('', `问题及意见草稿（${drafts.length} 条，供执法指导意见书参考）：`);
    for (const d of drafts) {
      lines.push(`  【${d.unit}】${d.itemLabel}：${d.problem}`);
      lines.push(`      意见：${d.opinion}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
