/**
 * Locating a wrong figure like a crossword (checks.ts explains): a unit's 小计 gap matched against
 * the 合计 row's column gaps names the one part that is wrong, else the 小计 is blamed.
 */
import { FIELD_KIND, type FigureField } from '../../workflows/shared/stats';
import { Ratio } from './decimal';
import type { StatsTable, TableRow } from './table';
import { isFigure } from './table';
import { fmt, type Figure } from './values';
import { addProblem, shortLabel, type CheckContext, type RowFigures } from './cells';

/** Gaps between the units' column sums and the 合计 row, before any correction. */
export function columnGaps(table: StatsTable, units: RowFigures[], total: RowFigures): Map<FigureField, Figure> {
  const gaps = new Map<FigureField, Figure>();
  for (const field of table.fields) {
    if (!isFigure(field)) continue;
    const t = total.get(field);
    const values = units.map((u) => u.get(field));
    if (!t || !values.every((v): v is Figure => !!v)) continue;
    const sum = values.reduce((s, f) => ({ v: s.v.add(f.v), tol: s.tol.add(f.tol) }), {
      v: Ratio.ZERO,
      tol: Ratio.ZERO,
    });
    gaps.set(field, { v: sum.v.sub(t.v), tol: sum.tol.add(t.tol) });
  }
  return gaps;
}

export const within = (a: Ratio, b: Ratio, tol: Ratio) => a.sub(b).abs().cmp(tol) <= 0;

/**
 * The one part whose column misses its 合计 by the same amount (`delta`) as the row misses its
 * 小计, while the 小计 column itself adds up; undefined when the evidence does not single one out.
 */
export function locatePart(
  ctx: CheckContext,
  parts: FigureField[],
  subtotal: FigureField,
  delta: Ratio,
  tol: Ratio,
): FigureField | undefined {
  const sub = ctx.gaps.get(subtotal);
  if (!sub || !within(sub.v, Ratio.ZERO, sub.tol)) return undefined;
  const candidates = parts.filter((p) => {
    const g = ctx.gaps.get(p);
    return g !== undefined && !within(g.v, Ratio.ZERO, g.tol) && within(g.v, delta, g.tol.add(tol));
  });
  if (candidates.length !== 1) return undefined;
  // Every other part's column must add up, or the gap might be shared out differently.
  const others = parts.filter((p) => p !== candidates[0]);
  const balanced = (p: FigureField) => {
    const g = ctx.gaps.get(p);
    return g !== undefined && within(g.v, Ratio.ZERO, g.tol);
  };
  if (!others.every(balanced)) return undefined;
  return candidates[0];
}

/** Reports a part found wrong by its row's 小计 and its column's 合计 together, and corrects it. */
export function blamePart(
  ctx: CheckContext,
  row: TableRow,
  work: RowFigures,
  part: FigureField,
  subtotal: FigureField,
  delta: Ratio,
  decimals: number,
): void {
  const found = work.get(part)!;
  const expected = found.v.sub(delta);
  const money = FIELD_KIND[part] === 'money';
  addProblem(
    ctx,
    row,
    part,
    'subtotal',
    expected.roundHalfUp(decimals),
    found.v,
    `应为 ${fmt(expected, decimals)}${money ? ' 万元' : ''}，表中为 ${fmt(found.v, decimals)}：本行${shortLabel(ctx.table, subtotal)}与各项之和相差 ${fmt(delta.abs(), decimals)}，本列合计与各单位之和也相差 ${fmt(delta.abs(), decimals)}`,
  );
  work.set(part, { v: expected, tol: found.tol });
  settleGap(ctx, row, part, delta.neg());
}

/** After a unit cell is corrected by `change`, its column's gap to the 合计 row moves with it. */
export function settleGap(ctx: CheckContext, row: TableRow, field: FigureField, change: Ratio): void {
  const gap = ctx.gaps.get(field);
  if (row !== ctx.table.total && gap) ctx.gaps.set(field, { v: gap.v.add(change), tol: gap.tol });
}
