/**
 * Checks across the table: the 合计 row against the units column by column, the ranks (排名), and
 * the units' names.
 */
import { FIELD_KIND, type StatedField } from '../../workflows/shared/stats';
import { Ratio } from './decimal';
import type { ParsedCell, TableRow } from './table';
import { isFigure } from './table';
import { fmt, moneyDecimals, type Figure } from './values';
import {
  addProblem,
  checksDocSubtotal,
  checksFineSubtotal,
  statedNotANumber,
  type CheckContext,
  type RowFigures,
} from './cells';

/** Checks each additive column of the 合计 row against the sum of the (corrected) unit rows. */
export function checkTotalColumns(
  ctx: CheckContext,
  total: TableRow,
  totalWork: RowFigures,
  unitWork: RowFigures[],
): void {
  const { table } = ctx;
  for (const field of table.fields) {
    if (!isFigure(field)) continue;
    // Checked against their parts in the 合计 row itself, after its parts are settled.
    if (field === 'docSubtotal' && checksDocSubtotal(table)) continue;
    if (field === 'fineSubtotal' && checksFineSubtotal(table)) continue;
    const found = totalWork.get(field);
    const values = unitWork.map((w) => w.get(field));
    // A column with a missing or negative unit cell cannot be summed; that cell is reported.
    if (!found || !values.every((v): v is Figure => !!v)) continue;
    const expected = values.reduce((s, f) => s.add(f.v), Ratio.ZERO);
    const tol = values.reduce((s, f) => s.add(f.tol), Ratio.ZERO);
    if (expected.sub(found.v).abs().cmp(tol.add(found.tol)) > 0) {
      const money = FIELD_KIND[field] === 'money';
      const d = money ? moneyDecimals(total.cells[field], ...table.units.map((u) => u.cells[field])) : 0;
      addProblem(
        ctx,
        total,
        field,
        'total',
        expected.roundHalfUp(d),
        found.v,
        `与各单位之和不符：各单位之和为 ${fmt(expected, d)}${money ? ' 万元' : ''}，合计为 ${fmt(found.v, d)}（合计或某单位的数据有误）`,
      );
      totalWork.set(field, { v: expected, tol });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Ranks and names

/** Compares the table's own 排名 with the recomputed one. */
export function checkRanks(
  ctx: CheckContext,
  rows: { row: TableRow; stated: Map<StatedField, ParsedCell>; rank: number | null; rate: Ratio | null }[],
): void {
  for (const { row, stated, rank, rate } of rows) {
    const cell = stated.get('rank');
    if (!cell) continue;
    const expected = rank === null ? null : Ratio.of(rank);
    if (statedNotANumber(ctx, row, 'rank', cell, expected, 0)) continue;
    const found = cell.value!;
    if (expected === null) {
      addProblem(
        ctx,
        row,
        'rank',
        'rank',
        null,
        found,
        `为第 ${fmt(found, 0)} 名，但该单位检查处罚率无法计算或不参加排名，不应排名`,
      );
    } else if (!found.eq(expected)) {
      addProblem(
        ctx,
        row,
        'rank',
        'rank',
        expected,
        found,
        `应为第 ${rank} 名（检查处罚率 ${rate ? fmt(rate, 1) : '—'}%），表中为第 ${fmt(found, 0)} 名`,
      );
    }
  }
}

/** Two rows for one unit, or a second 合计 row: one of them is a copying mistake. */
export function checkNames(ctx: CheckContext): void {
  const seen = new Map<string, TableRow>();
  for (const row of ctx.table.units) {
    const first = seen.get(row.name);
    if (first) addProblem(ctx, row, 'name', 'duplicateUnit', null, null, `单位名称重复（与第${first.row}行相同）`);
    else seen.set(row.name, row);
  }
  for (const row of ctx.table.extraTotals) {
    addProblem(
      ctx,
      row,
      'name',
      'duplicateUnit',
      null,
      null,
      `表中有第二个合计行（第一个在第${ctx.table.total?.row}行），未使用`,
    );
  }
}
