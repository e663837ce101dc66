/**
 * Cell values as the checks and indicators use them: each figure as an exact value with the
 * rounding error its printed precision allows, or null when the cell is missing or wrong.
 */
import { FIELD_KIND, type StatsField } from '../../workflows/shared/stats';
import { Ratio, halfUnit } from './decimal';
import type { ParsedCell } from './table';

/** A figure and how far it may be from the true value because it was rounded for print. */
export interface Figure {
  v: Ratio;
  tol: Ratio;
}

/**
 * 万元 figures are taken to at least two places (百元), the precision these tables print: “1” in
 * a fine column may stand for anything from 0.995 to 1.005. Counts are exact.
 */
export const MONEY_MIN_DECIMALS = 2;

/** Rounding error of a printed figure. */
export function tolerance(field: StatsField, cell: ParsedCell): Ratio {
  if (cell.state !== 'number') return Ratio.ZERO;
  const kind = FIELD_KIND[field];
  if (kind === 'money') return halfUnit(Math.max(MONEY_MIN_DECIMALS, cell.decimals ?? 0));
  if (kind === 'percent') return halfUnit(cell.decimals ?? 0);
  return Ratio.ZERO;
}

/** Formats an exact value for a message, with `decimals` places. */
export function fmt(v: Ratio, decimals: number): string {
  return v.toFixed(decimals);
}

/** Places to show a money value: two, or more when the table printed more. */
export function moneyDecimals(...cells: (ParsedCell | undefined)[]): number {
  return Math.max(MONEY_MIN_DECIMALS, ...cells.map((c) => (c?.state === 'number' ? (c.decimals ?? 0) : 0)));
}
