/**
 * Indicators (指标) per unit and for the total, and the ranking by 检查处罚率. Each is computed
 * exactly and rounded half up only at the end (INDICATOR_INFO gives the places); an indicator
 * whose columns the table lacks is left out, one that cannot be computed (a zero denominator, a
 * missing cell) is null.
 */
import { INDICATOR_INFO, type IndicatorKey, type StatsRules } from '../../workflows/shared/stats';
import { fineTotalOf, type RowFigures } from './checks';
import { Ratio } from './decimal';
import type { StatsTable } from './table';

/** Exact indicator values, already rounded to their published places. */
export type IndicatorRatios = { [K in IndicatorKey]?: Ratio | null };

function quotient(
  key: IndicatorKey,
  numerator: Ratio | undefined | null,
  denominator: Ratio | undefined | null,
  percent: boolean,
): Ratio | null {
  if (!numerator || !denominator || denominator.isZero()) return null;
  const q = numerator.div(denominator);
  return (percent ? q.mul(Ratio.HUNDRED) : q).roundHalfUp(INDICATOR_INFO[key].decimals);
}

/** The indicators a row's figures allow. */
export function computeIndicators(table: StatsTable, figures: RowFigures): IndicatorRatios {
  const has = (f: Parameters<typeof table.fields.includes>[0]) => table.fields.includes(f);
  const v = (f: Parameters<RowFigures['get']>[0]) => figures.get(f)?.v ?? null;
  const out: IndicatorRatios = {};
  if (has('inspections') && has('cases')) out.punishRate = quotient('punishRate', v('cases'), v('inspections'), true);
  if (has('inspections') && has('inspectorVisits')) {
    out.inspectorsPerInspection = quotient('inspectorsPerInspection', v('inspectorVisits'), v('inspections'), false);
  }
  const rectifyDocs = rectifyDocuments(table, figures);
  if (has('docOnsite') && rectifyDocs !== undefined) {
    out.rectifyDocsPerOnsite = quotient('rectifyDocsPerOnsite', rectifyDocs, v('docOnsite'), false);
  }
  if (has('hazards') && has('hazardsRectified')) {
    out.rectificationRate = quotient('rectificationRate', v('hazardsRectified'), v('hazards'), true);
  }
  const fines = fineTotalOf(table, figures);
  if (fines.source !== 'none' && has('cases'))
    out.averageFine = quotient('averageFine', fines.figure?.v, v('cases'), false);
  if (fines.source !== 'none' && has('supervisionFine')) {
    out.nonAccidentFineShare = quotient('nonAccidentFineShare', v('supervisionFine'), fines.figure?.v, true);
  }
  return out;
}

/**
 * 整改类文书: the combined column when the table has one, else 责令限期整改指令书 plus 整改复查意见书
 * (whichever it shows). Undefined when the table shows none of them.
 */
export function rectifyDocuments(table: StatsTable, figures: RowFigures): Ratio | null | undefined {
  const fields = (['docRectify', 'docRectifyOrder', 'docReinspection'] as const).filter((f) =>
    table.fields.includes(f),
  );
  if (fields.length === 0) return undefined;
  const chosen = fields.includes('docRectify') ? (['docRectify'] as const) : fields;
  let sum = Ratio.ZERO;
  for (const f of chosen) {
    const fig = figures.get(f);
    if (!fig) return null;
    sum = sum.add(fig.v);
  }
  return sum;
}

/**
 * Ranks by 检查处罚率 as published (one place), 1 = highest. Ranking on the printed figure means a
 * reader can see why two units share a rank. Units whose rate cannot be computed, and those the
 * plan excludes, get null and do not count.
 */
export function rankByRate(
  units: { name: string; rate: Ratio | null }[],
  rules: StatsRules['ranking'],
): (number | null)[] {
  const excluded = new Set(rules.exclude);
  const ranked = units.map((u) => (u.rate !== null && !excluded.has(u.name) ? u.rate : null));
  const values = ranked.filter((r): r is Ratio => r !== null);
  const distinct = values.filter((r, i) => values.findIndex((o) => o.eq(r)) === i);
  return ranked.map((r) => {
    if (r === null) return null;
    // competition: 1 + units strictly ahead (1, 2, 2, 4); dense: 1 + distinct rates ahead (1, 2, 2, 3).
    const ahead =
      rules.method === 'dense'
        ? distinct.filter((o) => o.cmp(r) > 0).length
        : values.filter((o) => o.cmp(r) > 0).length;
    return ahead + 1;
  });
}
