/**
 * Shares (占比) and rates (率) of a statistics row: recomputed from the row's own figures and
 * compared with what the county wrote, within its rounding.
 */
import { type StatedField } from '../../workflows/shared/stats';
import { Ratio, halfUnit } from './decimal';
import type { ParsedCell, TableRow } from './table';
import { fmt, type Figure } from './values';
import { addProblem, statedNotANumber, type CheckContext } from './cells';

/**
 * A share of fines. The amounts are themselves rounded (万元 to two places), so the share may be
 * off by what that rounding carries through the quotient, on top of the share's own rounding.
 */
export function checkShare(
  ctx: CheckContext,
  row: TableRow,
  field: StatedField,
  cell: ParsedCell,
  part: Figure,
  whole: Figure,
  how: string,
): void {
  const shown = Math.max(1, cell.decimals ?? 0);
  if (whole.v.isZero()) {
    // 0 ÷ 0: no fines, so no share. The ministry's tables print 0 or 0.00 here, others leave it
    // blank or show #DIV/0!; none of that is a problem. A non-zero share of nothing is.
    if (cell.state === 'number' && !cell.value!.isZero()) {
      addProblem(
        ctx,
        row,
        field,
        'share',
        null,
        cell.value!,
        `罚款合计为 0，占比应为 0 或空白，表中为 ${cell.text.trim()}`,
      );
    }
    return;
  }
  const q = part.v.mul(Ratio.HUNDRED).div(whole.v);
  if (statedNotANumber(ctx, row, field, cell, q, shown)) return;
  const found = cell.value!;
  // d(p/w) ≤ δp/w + p·δw/w², times 100 for a percentage.
  const carried = part.tol
    .div(whole.v)
    .add(part.v.mul(whole.tol).div(whole.v.mul(whole.v)))
    .mul(Ratio.HUNDRED);
  const tol = halfUnit(cell.decimals ?? 0).add(carried);
  if (found.sub(q).abs().cmp(tol) > 0) {
    addProblem(
      ctx,
      row,
      field,
      'share',
      q.roundHalfUp(shown),
      found,
      `应为 ${fmt(q, shown)}%（${how}），表中为 ${cell.text.trim()}`,
    );
  }
}

/** A table's own rate over exact counts: equal to the quotient at the precision it prints. */
export function checkRate(
  ctx: CheckContext,
  row: TableRow,
  field: StatedField,
  cell: ParsedCell,
  numerator: Ratio,
  denominator: Ratio,
  how: string,
): void {
  const shown = Math.max(1, cell.decimals ?? 0);
  if (denominator.isZero()) {
    if (cell.state === 'number' && !cell.value!.isZero()) {
      addProblem(
        ctx,
        row,
        field,
        'rate',
        null,
        cell.value!,
        `分母为 0，无法计算，应为 0 或空白，表中为 ${cell.text.trim()}`,
      );
    }
    return;
  }
  const q = numerator.mul(Ratio.HUNDRED).div(denominator);
  if (statedNotANumber(ctx, row, field, cell, q, shown)) return;
  const found = cell.value!;
  // Within half a unit of the last printed place, boundary included: 0.25 printed as 0.2 or 0.3
  // is a rounding choice, not a wrong figure.
  if (
    found
      .sub(q)
      .abs()
      .cmp(halfUnit(cell.decimals ?? 0)) > 0
  ) {
    addProblem(
      ctx,
      row,
      field,
      'rate',
      q.roundHalfUp(shown),
      found,
      `应为 ${fmt(q, shown)}%（${how}），表中为 ${cell.text.trim()}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The 合计 row against the units
