/**
 * Reading a statistics row for the logic checks (逻辑校验): figures and stated values per cell, and
 * the one place a problem is recorded (once per cell; its expected value then stands in for it).
 */
import {
  DOCUMENT_FIELDS,
  FIELD_KIND,
  FIELD_LABEL,
  STATED_FIELDS,
  type FigureField,
  type StatedField,
  type StatsField,
} from '../../workflows/shared/stats';
import { type ProblemCheck, type StatsProblem } from '../../workflows/shared/stats-result';
import { Ratio } from './decimal';
import type { ParsedCell, StatsTable, TableRow } from './table';
import { isFigure } from './table';
import { fmt, tolerance, type Figure } from './values';

/** A row's figures: a value with its rounding error, or null when the cell is missing or wrong. */
export type RowFigures = Map<FigureField, Figure | null>;

export interface CheckContext {
  table: StatsTable;
  blankZero: boolean;
  problems: StatsProblem[];
  /**
   * Per column: sum of the unit rows minus the 合计 row, as recorded; absent without a 合计 row
   * or when a cell of the column is missing. Updated as unit cells are corrected.
   */
  gaps: Map<FigureField, Figure>;
}

export function label(table: StatsTable, field: StatsField): string {
  return table.labels[field] ?? FIELD_LABEL[field];
}

/** The last level of a header label: 现场 of 使用执法文书（份）/现场. */
export function shortLabel(table: StatsTable, field: StatsField): string {
  const l = label(table, field);
  return l.slice(l.lastIndexOf('/') + 1);
}

export function num(v: Ratio | null | undefined): number | null {
  return v ? v.toNumber() : null;
}

export function addProblem(
  ctx: CheckContext,
  row: TableRow,
  column: StatsField | 'name',
  check: ProblemCheck,
  expected: Ratio | null,
  found: Ratio | null,
  what: string,
): void {
  const cell = column === 'name' ? undefined : row.cells[column];
  const columnLabel = column === 'name' ? '单位' : label(ctx.table, column);
  const where = column === 'name' ? '' : `${cell?.address ?? ''}「${columnLabel}」`;
  ctx.problems.push({
    unit: row.name,
    column,
    columnLabel,
    row: row.row,
    cell: cell?.address ?? null,
    check,
    expected: num(expected),
    found: num(found),
    message: `${row.name}（第${row.row}行）${where}${what}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Cells

/** Reads a row's figure cells, reporting missing, erroneous, negative and fractional counts. */
export function readFigures(ctx: CheckContext, row: TableRow): RowFigures {
  const out: RowFigures = new Map();
  for (const field of ctx.table.fields) {
    if (!isFigure(field)) continue;
    const cell = row.cells[field]!;
    out.set(field, readFigure(ctx, row, field, cell));
  }
  return out;
}

export function readFigure(ctx: CheckContext, row: TableRow, field: FigureField, cell: ParsedCell): Figure | null {
  switch (cell.state) {
    case 'nil':
      return { v: Ratio.ZERO, tol: Ratio.ZERO };
    case 'blank':
      if (ctx.blankZero) return { v: Ratio.ZERO, tol: Ratio.ZERO };
      addProblem(ctx, row, field, 'missing', null, null, '为空，缺少数据');
      return null;
    case 'error':
      addProblem(ctx, row, field, 'invalidValue', null, null, `为错误值 ${cell.text}，缺少数据`);
      return null;
    case 'number': {
      const v = cell.value!;
      if (v.isNegative()) {
        addProblem(ctx, row, field, 'negative', null, v, `为负数 ${cell.text.trim()}，统计数不能为负`);
        return null;
      }
      if (FIELD_KIND[field] === 'count' && !v.isInteger()) {
        addProblem(ctx, row, field, 'notInteger', null, v, `为 ${cell.text.trim()}，应为整数`);
        return null;
      }
      return { v, tol: tolerance(field, cell) };
    }
  }
}

/** A stated share, rate or rank that is a number at all; negative ones are reported here. */
export function readStated(ctx: CheckContext, row: TableRow): Map<StatedField, ParsedCell> {
  const out = new Map<StatedField, ParsedCell>();
  for (const field of STATED_FIELDS) {
    const cell = row.cells[field];
    if (!cell) continue;
    if (cell.state === 'number' && cell.value!.isNegative()) {
      addProblem(ctx, row, field, 'negative', null, cell.value!, `为负数 ${cell.text.trim()}，不能为负`);
      continue;
    }
    if (field === 'rank' && cell.state === 'number' && (!cell.value!.isInteger() || cell.value!.isZero())) {
      addProblem(ctx, row, field, 'notInteger', null, cell.value!, `为 ${cell.text.trim()}，排名应为正整数`);
      continue;
    }
    out.set(field, cell);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which subtotals are checked

/**
 * A 小计 is checked when the table shows at least two of its parts. Shown with a single part, it
 * presumably carries kinds the table leaves out, and is then summed down the 合计 like any figure.
 */
export function docParts(table: StatsTable): FigureField[] {
  return DOCUMENT_FIELDS.filter((f) => table.fields.includes(f));
}
export function checksDocSubtotal(table: StatsTable): boolean {
  return table.fields.includes('docSubtotal') && docParts(table).length >= 2;
}
export function checksFineSubtotal(table: StatsTable): boolean {
  return (
    table.fields.includes('fineSubtotal') &&
    table.fields.includes('supervisionFine') &&
    table.fields.includes('accidentFine')
  );
}

// ---------------------------------------------------------------------------------------------
// One row

/**
 * A stated value that is not a number: acceptable when nothing was expected (a 0/0 share) or, in
 * a table that leaves zeros blank, when zero was expected. Returns true when it was handled.
 */
export function statedNotANumber(
  ctx: CheckContext,
  row: TableRow,
  field: StatedField,
  cell: ParsedCell,
  expected: Ratio | null,
  decimals: number,
): boolean {
  if (cell.state === 'number') return false;
  if (expected === null) return true;
  if (expected.isZero() && (cell.state === 'nil' || (cell.state === 'blank' && ctx.blankZero))) return true;
  const shown = `${fmt(expected, decimals)}${FIELD_KIND[field] === 'percent' ? '%' : ''}`;
  if (cell.state === 'blank') {
    addProblem(ctx, row, field, 'missing', expected.roundHalfUp(decimals), null, `为空，应为 ${shown}`);
  } else {
    const check: ProblemCheck =
      field === 'rank' ? 'rank' : field === 'supervisionFineShare' || field === 'accidentFineShare' ? 'share' : 'rate';
    addProblem(
      ctx,
      row,
      field,
      check,
      expected.roundHalfUp(decimals),
      null,
      `为「${cell.text.trim()}」，应为 ${shown}`,
    );
  }
  return true;
}
