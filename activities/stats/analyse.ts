/**
 * Import of one statistics file, start to finish: read → header → checks → indicators → ranking
 * → draft findings. Pure apart from hashing; the activity and the CLI both call it.
 */
import { createHash } from 'node:crypto';
import { STATED_FIELDS, type BlankCells, type StatedField, type StatsRules } from '../../workflows/shared/stats';
import {
  type StatsColumn,
  type StatsProblem,
  type StatsResult,
  type UnitStats,
} from '../../workflows/shared/stats-result';
import {
  checkNames,
  checkRanks,
  checkRow,
  checkTotalColumns,
  columnGaps,
  fineTotalOf,
  readFigures,
  readStated,
  type CheckContext,
  type RowFigures,
} from './checks';
import { Ratio } from './decimal';
import { StatsReadError } from './errors';
import { draftFindings } from './findings';
import { readSheets } from './grid';
import { computeIndicators, rankByRate, rectifyDocuments, type IndicatorRatios } from './indicators';
import { isFigure, readTable, type ParsedCell, type StatsTable, type TableRow } from './table';
import type { Figure } from './values';

export interface AnalyseOptions {
  /** File name for messages and the result (no directories). */
  name: string;
  rules: StatsRules;
  /** Overrides rules.blankCells (the CLI's --blank). */
  blankCells?: BlankCells;
  /** XLSX worksheet; default: the first with a statistics header. */
  sheet?: string;
}

/** Reads and checks a statistics file. Throws StatsReadError when it cannot be read. */
export async function analyseStatistics(bytes: Uint8Array, opts: AnalyseOptions): Promise<StatsResult> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { format, sheets } = await readSheets(bytes, opts.name, opts.sheet);
  let found: { table: StatsTable; sheet?: string } | undefined;
  for (const s of sheets) {
    const table = readTable(s.grid);
    if (table) {
      found = { table, ...(s.name !== undefined ? { sheet: s.name } : {}) };
      break;
    }
  }
  if (!found) {
    throw new StatsReadError(
      `${opts.name}：没有找到统计表表头。表头需要有单位名称列（如「单位」「县（市、区）」）和至少一项统计指标（如「检查生产经营单位（家次）」「立案数」）`,
    );
  }
  const { table } = found;
  const mode = opts.blankCells ?? opts.rules.blankCells;
  const blankZero = mode === 'zero' || (mode === 'auto' && !table.writesZero);
  const blankCellsReason =
    mode === 'zero'
      ? '按设置，空白单元格视为 0'
      : mode === 'missing'
        ? '按设置，空白单元格视为缺报'
        : table.writesZero
          ? '表中写有 0，空白单元格视为缺报'
          : '表中没有写 0 的单元格，空白视为 0（该表以空白表示零）';

  const problems: StatsProblem[] = [];
  const ctx: CheckContext = { table, blankZero, problems, gaps: new Map() };

  interface Row {
    row: TableRow;
    recorded: RowFigures;
    work: RowFigures;
    stated: Map<StatedField, ParsedCell>;
  }
  const load = (row: TableRow): Row => {
    const recorded = readFigures(ctx, row);
    return { row, recorded, work: new Map(recorded), stated: readStated(ctx, row) };
  };
  const units = table.units.map(load);
  const total = table.total ? load(table.total) : undefined;

  if (total) {
    ctx.gaps = columnGaps(
      table,
      units.map((u) => u.recorded),
      total.recorded,
    );
  }
  for (const u of units) checkRow(ctx, u.row, u.work, u.stated);
  if (total) {
    checkTotalColumns(
      ctx,
      total.row,
      total.work,
      units.map((u) => u.work),
    );
    checkRow(ctx, total.row, total.work, total.stated);
  }

  const unitIndicators = units.map((u) => computeIndicators(table, u.recorded));
  const totalFigures = total
    ? total.recorded
    : sumFigures(
        table,
        units.map((u) => u.recorded),
      );
  const totalIndicators = computeIndicators(table, totalFigures);

  const canRank = table.fields.includes('inspections') && table.fields.includes('cases');
  const ranks = canRank
    ? rankByRate(
        units.map((u, i) => ({ name: u.row.name, rate: unitIndicators[i]!.punishRate ?? null })),
        opts.rules.ranking,
      )
    : undefined;
  // The table's own 排名 is checked only when every unit's rate could be recomputed: with one
  // rate unknown, every rank below it is uncertain.
  if (
    ranks &&
    table.fields.includes('rank') &&
    units.every((u) => u.recorded.get('inspections') && u.recorded.get('cases'))
  ) {
    checkRanks(
      ctx,
      units.map((u, i) => ({
        row: u.row,
        stated: u.stated,
        rank: ranks[i] ?? null,
        rate: unitIndicators[i]!.punishRate ?? null,
      })),
    );
  }
  checkNames(ctx);

  const order = new Map(table.header.columns.map((c, i) => [c.role, i]));
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (order.get(a.column) ?? -1) - (order.get(b.column) ?? -1));

  const unitStats = units.map((u, i) =>
    toUnitStats(
      table,
      u.row.name,
      u.row.row,
      u.recorded,
      u.stated,
      unitIndicators[i]!,
      ranks ? (ranks[i] ?? null) : undefined,
    ),
  );
  const totalStats = {
    ...toUnitStats(
      table,
      total?.row.name ?? '合计',
      total?.row.row ?? null,
      totalFigures,
      total?.stated,
      totalIndicators,
      undefined,
    ),
    computed: !total,
  };

  const drafts = [
    ...units.flatMap((u, i) =>
      draftFindings(
        {
          name: u.row.name,
          scope: 'unit',
          indicators: unitIndicators[i]!,
          figures: quoted(table, u.recorded),
          problems: problems.filter((p) => p.row === u.row.row),
        },
        opts.rules,
      ),
    ),
    // The city-wide view; a one-unit table's total is that unit again.
    ...(units.length < 2
      ? []
      : draftFindings(
          {
            name: totalStats.name,
            scope: 'total',
            indicators: totalIndicators,
            figures: quoted(table, totalFigures),
            problems: total ? problems.filter((p) => p.row === total.row.row) : [],
          },
          opts.rules,
        )),
  ];

  const columns: StatsColumn[] = table.header.columns.map((c) => ({ column: c.letter, label: c.label, field: c.role }));
  return {
    source: {
      name: opts.name,
      format,
      ...(found.sheet !== undefined && format === 'xlsx' ? { sheet: found.sheet } : {}),
      sha256,
      headerRows: table.header.rows.map((r) => r + 1),
      blankCells: blankZero ? 'zero' : 'missing',
      blankCellsReason,
    },
    columns,
    units: unitStats,
    total: totalStats,
    problems,
    drafts,
  };
}

/** The total of a table without a 合计 row: each column summed over the units. */
function sumFigures(table: StatsTable, rows: RowFigures[]): RowFigures {
  const out: RowFigures = new Map();
  for (const field of table.fields) {
    if (!isFigure(field)) continue;
    const values = rows.map((r) => r.get(field));
    out.set(
      field,
      values.every((v): v is Figure => !!v)
        ? values.reduce<Figure>((s, f) => ({ v: s.v.add(f.v), tol: s.tol.add(f.tol) }), {
            v: Ratio.ZERO,
            tol: Ratio.ZERO,
          })
        : null,
    );
  }
  return out;
}

function quoted(table: StatsTable, figures: RowFigures) {
  const v = (f: Parameters<RowFigures['get']>[0]) => figures.get(f)?.v ?? null;
  return {
    inspections: table.fields.includes('inspections') ? v('inspections') : undefined,
    inspectorVisits: v('inspectorVisits'),
    cases: v('cases'),
    docOnsite: v('docOnsite'),
    rectifyDocs: rectifyDocuments(table, figures) ?? null,
    hazards: v('hazards'),
    hazardsRectified: v('hazardsRectified'),
    supervisionFine: v('supervisionFine'),
    fineTotal: fineTotalOf(table, figures).figure?.v ?? null,
  };
}

function toUnitStats(
  table: StatsTable,
  name: string,
  row: number | null,
  figures: RowFigures,
  stated: Map<StatedField, ParsedCell> | undefined,
  indicators: IndicatorRatios,
  rank: number | null | undefined,
): UnitStats {
  const out: UnitStats = { name, row };
  for (const field of table.fields) {
    if (isFigure(field)) out[field] = figures.get(field)?.v.toNumber() ?? null;
  }
  for (const [key, value] of Object.entries(indicators) as [keyof IndicatorRatios, Ratio | null][]) {
    out[key] = value ? value.toNumber() : null;
  }
  if (rank !== undefined) out.rank = rank;
  const statedFields = STATED_FIELDS.filter((f) => table.fields.includes(f));
  // A total computed from the units has nothing stated about it.
  if (stated && statedFields.length > 0) {
    out.stated = {};
    for (const f of statedFields) {
      const cell = stated?.get(f);
      out.stated[f] = cell?.state === 'number' ? cell.value!.toNumber() : null;
    }
  }
  return out;
}
