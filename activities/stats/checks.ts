/**
 * Logic checks (逻辑校验). The source documents complain of statistics with missing items and
 * figures that don't add up; these checks find them and say, per cell, what it should read.
 *
 * Each problem is reported once, where it shows: once a cell is found wrong, its expected value
 * stands in for it in later checks. A wrong 小计 is therefore reported at the 小计 and not again at
 * the 合计 row; a wrong 合计 figure is reported at the 合计 and not again at the 合计's own 小计.
 * Order: cells (missing, negative) → each unit row (小计, 罚款, 占比, rates) → the 合计 row
 * against the units, column by column → the 合计 row's own 小计 and shares → ranks.
 *
 * A unit's 小计 that disagrees with its parts is located like a crossword: if the 合计 row shows
 * the same gap in exactly one part's column, that part is the wrong cell (its row and its column
 * both miss it by the same amount); otherwise the 小计 is. A wrong figure outside any 小计 group
 * shows only as a gap in its column, and is reported at the 合计 row, saying that the 合计 or a
 * unit's figure is wrong.
 *
 * Here the per-row checks; the cells and the problem record in cells.ts, the crossword in
 * locate.ts, shares and rates in ratios.ts, the checks across the table in totals.ts.
 */
import { type StatedField } from '../../workflows/shared/stats';
import { Ratio } from './decimal';
import type { ParsedCell, StatsTable, TableRow } from './table';
import { fmt, moneyDecimals, type Figure } from './values';
import {
  addProblem,
  checksDocSubtotal,
  checksFineSubtotal,
  docParts,
  shortLabel,
  type CheckContext,
  type RowFigures,
} from './cells';
import { blamePart, locatePart, settleGap, within } from './locate';
import { checkRate, checkShare } from './ratios';

export { columnGaps } from './locate';
export { readFigures, readStated, type CheckContext, type RowFigures } from './cells';
export { checkNames, checkRanks, checkTotalColumns } from './totals';

/** Checks a row's 小计, 罚款, shares and rates; corrects `work` where a cell is wrong. */
export function checkRow(
  ctx: CheckContext,
  row: TableRow,
  work: RowFigures,
  stated: Map<StatedField, ParsedCell>,
): void {
  const { table } = ctx;
  if (checksDocSubtotal(table)) {
    const parts = docParts(table);
    const values = parts.map((p) => work.get(p));
    const found = work.get('docSubtotal');
    if (found && values.every((v): v is Figure => !!v)) {
      const expected = values.reduce((s, f) => s.add(f.v), Ratio.ZERO);
      if (!expected.eq(found.v)) {
        const delta = expected.sub(found.v);
        const part = row === table.total ? undefined : locatePart(ctx, parts, 'docSubtotal', delta, Ratio.ZERO);
        if (part) {
          blamePart(ctx, row, work, part, 'docSubtotal', delta, 0);
        } else {
          const sum = parts.map((p, i) => `${shortLabel(table, p)} ${fmt(values[i]!.v, 0)}`).join(' + ');
          addProblem(
            ctx,
            row,
            'docSubtotal',
            'subtotal',
            expected,
            found.v,
            `应为各类文书之和 ${fmt(expected, 0)}（${sum}），表中为 ${fmt(found.v, 0)}`,
          );
          work.set('docSubtotal', { v: expected, tol: Ratio.ZERO });
          settleGap(ctx, row, 'docSubtotal', delta);
        }
      }
    }
  }

  if (checksFineSubtotal(table)) {
    const s = work.get('supervisionFine');
    const a = work.get('accidentFine');
    const found = work.get('fineSubtotal');
    if (s && a && found) {
      const expected = s.v.add(a.v);
      const tol = s.tol.add(a.tol);
      if (expected.sub(found.v).abs().cmp(tol.add(found.tol)) > 0) {
        const d = moneyDecimals(row.cells.supervisionFine, row.cells.accidentFine, row.cells.fineSubtotal);
        const delta = expected.sub(found.v);
        const part =
          row === table.total
            ? undefined
            : locatePart(ctx, ['supervisionFine', 'accidentFine'], 'fineSubtotal', delta, tol.add(found.tol));
        if (part) {
          blamePart(ctx, row, work, part, 'fineSubtotal', delta, d);
        } else {
          addProblem(
            ctx,
            row,
            'fineSubtotal',
            'subtotal',
            expected.roundHalfUp(d),
            found.v,
            `应为 ${shortLabel(table, 'supervisionFine')} + ${shortLabel(table, 'accidentFine')} = ${fmt(s.v, d)} + ${fmt(a.v, d)} = ${fmt(expected, d)} 万元，表中为 ${fmt(found.v, d)}`,
          );
          work.set('fineSubtotal', { v: expected, tol });
          settleGap(ctx, row, 'fineSubtotal', delta);
        }
      }
    }
  }

  // 行政处罚·罚款 and 处罚罚款金额·小计 are the same money counted twice. When the 小计 was checked
  // against its parts, 罚款 is the odd one out; when it could not be, the 合计 row decides.
  let fineTotal = fineTotalOf(table, work);
  if (table.fields.includes('fineAmount') && fineTotal.source !== 'fineAmount') {
    const amount = work.get('fineAmount');
    const ref = fineTotal.figure;
    if (amount && ref && amount.v.sub(ref.v).abs().cmp(amount.tol.add(ref.tol)) > 0) {
      const d = moneyDecimals(row.cells.fineAmount, row.cells.fineSubtotal);
      const gapAmount = ctx.gaps.get('fineAmount');
      const gapSubtotal = ctx.gaps.get('fineSubtotal');
      const subtotalIsOdd =
        row !== table.total &&
        fineTotal.source === 'fineSubtotal' &&
        !checksFineSubtotal(table) &&
        gapAmount !== undefined &&
        gapSubtotal !== undefined &&
        within(gapAmount.v, Ratio.ZERO, gapAmount.tol) &&
        within(gapSubtotal.v, ref.v.sub(amount.v), gapSubtotal.tol.add(amount.tol).add(ref.tol));
      if (subtotalIsOdd) {
        addProblem(
          ctx,
          row,
          'fineSubtotal',
          'fineAmount',
          amount.v.roundHalfUp(d),
          ref.v,
          `应与行政处罚罚款一致，为 ${fmt(amount.v, d)} 万元，表中为 ${fmt(ref.v, d)}（本列合计与各单位之和也不符）`,
        );
        work.set('fineSubtotal', amount);
        settleGap(ctx, row, 'fineSubtotal', amount.v.sub(ref.v));
        fineTotal = fineTotalOf(table, work);
      } else {
        addProblem(
          ctx,
          row,
          'fineAmount',
          'fineAmount',
          ref.v.roundHalfUp(d),
          amount.v,
          `应与罚款金额合计一致，为 ${fmt(ref.v, d)} 万元，表中为 ${fmt(amount.v, d)}`,
        );
        work.set('fineAmount', ref);
        settleGap(ctx, row, 'fineAmount', ref.v.sub(amount.v));
      }
    }
  }

  for (const [shareField, partField] of [
    ['supervisionFineShare', 'supervisionFine'],
    ['accidentFineShare', 'accidentFine'],
  ] as const) {
    const cell = stated.get(shareField);
    const part = work.get(partField);
    if (!cell || !part || !fineTotal.figure) continue;
    checkShare(ctx, row, shareField, cell, part, fineTotal.figure, `${shortLabel(table, partField)} ÷ 罚款合计`);
  }

  const rectified = work.get('hazardsRectified');
  const hazards = work.get('hazards');
  const rr = stated.get('rectificationRate');
  if (rr && rectified && hazards)
    checkRate(
      ctx,
      row,
      'rectificationRate',
      rr,
      rectified.v,
      hazards.v,
      `整改 ${fmt(rectified.v, 0)} 项 ÷ 排查 ${fmt(hazards.v, 0)} 项`,
    );

  const cases = work.get('cases');
  const inspections = work.get('inspections');
  const pr = stated.get('punishRate');
  if (pr && cases && inspections)
    checkRate(
      ctx,
      row,
      'punishRate',
      pr,
      cases.v,
      inspections.v,
      `立案 ${fmt(cases.v, 0)} 起 ÷ 检查 ${fmt(inspections.v, 0)} 家次`,
    );
}

/** The row's total fines: 罚款小计, else 监督检查罚款 + 事故罚款, else 行政处罚·罚款. */
export function fineTotalOf(
  table: StatsTable,
  work: RowFigures,
): { figure: Figure | null; source: 'fineSubtotal' | 'parts' | 'fineAmount' | 'none' } {
  if (table.fields.includes('fineSubtotal'))
    return { figure: work.get('fineSubtotal') ?? null, source: 'fineSubtotal' };
  if (table.fields.includes('supervisionFine') && table.fields.includes('accidentFine')) {
    const s = work.get('supervisionFine');
    const a = work.get('accidentFine');
    return { figure: s && a ? { v: s.v.add(a.v), tol: s.tol.add(a.tol) } : null, source: 'parts' };
  }
  if (table.fields.includes('fineAmount')) return { figure: work.get('fineAmount') ?? null, source: 'fineAmount' };
  return { figure: null, source: 'none' };
}
