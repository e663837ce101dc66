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
import { Ratio, halfUnit } from './decimal';
import type { ParsedCell, StatsTable, TableRow } from './table';
import { isFigure } from './table';
import { fmt, moneyDecimals, tolerance, type Figure } from './values';

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

const within = (a: Ratio, b: Ratio, tol: Ratio) => a.sub(b).abs().cmp(tol) <= 0;

/**
 * The one part whose column misses its 合计 by the same amount (`delta`) as the row misses its
 * 小计, while the 小计 column itself adds up; undefined when the evidence does not single one out.
 */
function locatePart(
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
function blamePart(
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
function settleGap(ctx: CheckContext, row: TableRow, field: FigureField, change: Ratio): void {
  const gap = ctx.gaps.get(field);
  if (row !== ctx.table.total && gap) ctx.gaps.set(field, { v: gap.v.add(change), tol: gap.tol });
}

function label(table: StatsTable, field: StatsField): string {
  return table.labels[field] ?? FIELD_LABEL[field];
}

/** The last level of a header label: 现场 of 使用执法文书（份）/现场. */
function shortLabel(table: StatsTable, field: StatsField): string {
  const l = label(table, field);
  return l.slice(l.lastIndexOf('/') + 1);
}

function num(v: Ratio | null | undefined): number | null {
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

function readFigure(ctx: CheckContext, row: TableRow, field: FigureField, cell: ParsedCell): Figure | null {
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

/**
 * A stated value that is not a number: acceptable when nothing was expected (a 0/0 share) or, in
 * a table that leaves zeros blank, when zero was expected. Returns true when it was handled.
 */
function statedNotANumber(
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

/**
 * A share of fines. The amounts are themselves rounded (万元 to two places), so the share may be
 * off by what that rounding carries through the quotient, on top of the share's own rounding.
 */
function checkShare(
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
function checkRate(
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
