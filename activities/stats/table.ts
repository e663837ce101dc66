/**
 * From a grid to a statistics table: the header, the unit rows and the 合计 row, each cell read
 * as a number the way bureaus write them (1,040; 2.4%; 第1名; “—” for none). A cell that is not a
 * number at all makes the file unreadable, with every such cell named by row and column.
 */
import { FIELD_KIND, FIGURE_FIELDS, type FigureField, type StatsField } from '../../workflows/shared/stats';
import { Ratio, doubleToDecimalText, parsePlainDecimal } from './decimal';
import { StatsReadError, type UnreadableCell } from './errors';
import type { Grid, RawCell } from './grid';
import { findHeader, isTotalName, looksNumeric, normalizeLabel, type Header, type HeaderColumn } from './headers';

/**
 * number: a figure; blank: an empty cell (zero or missing, depending on the table's habit);
 * nil: a dash or 无, which tables write for none; error: a spreadsheet error such as #DIV/0!.
 */
export type CellState = 'number' | 'blank' | 'nil' | 'error';

export interface ParsedCell {
  /** Spreadsheet address, e.g. E6. */
  address: string;
  text: string;
  state: CellState;
  value?: Ratio;
  /** Decimal places as written (after conversion to 万元). */
  decimals?: number;
}

export interface TableRow {
  /** Spreadsheet row number. */
  row: number;
  name: string;
  cells: { [K in StatsField]?: ParsedCell };
}

export interface StatsTable {
  header: Header;
  /** Fields present, in column order. */
  fields: StatsField[];
  /** Header text per field. */
  labels: { [K in StatsField]?: string };
  units: TableRow[];
  total?: TableRow;
  /** Later rows also named 合计: reported, not used. */
  extraTotals: TableRow[];
  /** True when some figure cell holds a written 0: then a blank is a missing figure. */
  writesZero: boolean;
}

const FIGURE_SET = new Set<StatsField>(FIGURE_FIELDS);
const END_OF_TABLE = /^(说明|注[:：]?|备注|填表|填报人|制表|审核|负责人|统计人|联系人|联系电话|数据来源|资料来源)/;
const SECTION_ROW = /^(其中[:：]?|[一二三四五六七八九十]+、.*|.*[:：])$/;

/** Reads the statistics table of one sheet, or returns undefined when the sheet has no header. */
export function readTable(grid: Grid): StatsTable | undefined {
  const header = findHeader(grid);
  if (!header) return undefined;
  const fieldCols = header.columns.filter(
    (c): c is HeaderColumn & { role: StatsField } => c.role !== null && c.role !== 'name' && c.role !== 'seq',
  );
  const labels: StatsTable['labels'] = {};
  for (const c of fieldCols) labels[c.role] = c.label;
  const nameLabel = normalizeLabel(grid[header.rows[0]!]![header.nameCol]!.text);

  const units: TableRow[] = [];
  const totals: TableRow[] = [];
  const unreadable: UnreadableCell[] = [];
  let writesZero = false;
  for (let r = header.rows[header.rows.length - 1]! + 1; r < grid.length; r++) {
    const row = grid[r]!;
    const texts = row.map((c) => c.text.trim());
    const first = texts.find((t) => t !== '');
    if (first === undefined) continue;
    if (END_OF_TABLE.test(normalizeLabel(first))) break;
    const name = (row[header.nameCol]?.text ?? '').replace(/\s+/g, '');
    // A header repeated after a page break.
    if (normalizeLabel(name) === nameLabel) continue;
    const leading = row.slice(0, Math.max(header.nameCol, header.seqCol ?? 0) + 1);
    const isTotal = isTotalName(name) || (name === '' && leading.some((c) => isTotalName(c.text)));
    const valueCells = fieldCols
      .map((c) => row[c.index])
      .filter((c): c is RawCell => c !== undefined && c.text.trim() !== '');
    if (!isTotal && isColumnNumberRow(name, valueCells)) continue;
    if (!isTotal && name === '') {
      if (valueCells.some(looksNumeric)) {
        unreadable.push({
          row: r + 1,
          column: letterOf(header, header.nameCol),
          message: `第${r + 1}行：有数字但缺少单位名称`,
        });
        continue;
      }
      // Text without a unit name below the figures: the notes under a table.
      break;
    }
    if (!isTotal && valueCells.length === 0 && SECTION_ROW.test(name)) continue;

    const displayName = isTotal ? (name === '' ? '合计' : name) : name;
    const cells: TableRow['cells'] = {};
    for (const col of fieldCols) {
      const parsed = parseCell(row[col.index] ?? { text: '' }, col, r, displayName, unreadable);
      if (parsed) {
        cells[col.role] = parsed;
        if (FIGURE_SET.has(col.role) && parsed.state === 'number' && parsed.value?.isZero()) writesZero = true;
      }
    }
    (isTotal ? totals : units).push({ row: r + 1, name: displayName, cells });
  }
  if (unreadable.length > 0) throw new StatsReadError('统计表中有无法识别的内容', unreadable);
  if (units.length === 0) {
    throw new StatsReadError(`表头（第${header.rows.map((x) => x + 1).join('、')}行）下面没有单位数据行`);
  }
  const [total, ...extraTotals] = totals;
  return {
    header,
    fields: fieldCols.map((c) => c.role),
    labels,
    units,
    ...(total ? { total } : {}),
    extraTotals,
    writesZero,
  };
}

function letterOf(header: Header, index: number): string {
  return header.columns.find((c) => c.index === index)?.letter ?? '';
}

/** The 甲 / 乙 / 1 / 2 / 3 … row that numbers the columns of an official statistics form. */
function isColumnNumberRow(name: string, cells: RawCell[]): boolean {
  if (!['', '甲', '乙', '丙'].includes(name) || cells.length < 2) return false;
  const numbers = cells.map((c) => Number(normalizeLabel(c.text)));
  return numbers.every((n, i) => n === i + 1);
}

/** Reads one cell; records an unreadable one and returns undefined. */
function parseCell(
  raw: RawCell,
  col: HeaderColumn & { role: StatsField },
  r: number,
  unit: string,
  unreadable: UnreadableCell[],
): ParsedCell | undefined {
  const address = `${col.letter}${r + 1}`;
  const kind = FIELD_KIND[col.role];
  const fail = (why: string) => {
    unreadable.push({
      row: r + 1,
      column: col.letter,
      label: col.label,
      text: raw.text,
      message: `第${r + 1}行（${unit}）${col.letter}列「${col.label}」：${why}`,
    });
    return undefined;
  };
  if (raw.error !== undefined) {
    if (!raw.error.startsWith('#')) return fail(raw.error);
    return { address, text: raw.error, state: 'error' };
  }
  if (raw.date) return fail(`「${raw.text}」是日期，不是数字`);

  let text: string;
  if (raw.num !== undefined) {
    // A percentage-formatted number holds a fraction (0.5 shown as 50%).
    const scaled = kind === 'percent' && raw.percent ? raw.num * 100 : raw.num;
    const t = doubleToDecimalText(scaled);
    if (t === undefined) return fail(`「${raw.text}」不是有效数字`);
    text = t;
  } else {
    text = raw.text.normalize('NFKC').replace(/\s+/g, '').replace(/[−–]/g, '-');
    if (text === '') return { address, text: raw.text, state: 'blank' };
    if (/^([-—/\\~]+|无)$/.test(text)) return { address, text: raw.text, state: 'nil' };
    if (kind === 'percent') text = text.replace(/%$/, '');
    if (kind === 'rank') text = text.replace(/^(并列)?第?(.*?)名?$/, '$2');
    if (text.includes(',')) {
      // Thousands separators only in their proper places: 1,040 yes, 1,04 no (a typo, or a decimal comma).
      if (!/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text))
        return fail(`「${raw.text}」的千分位分隔符位置不对，无法确定数值`);
      text = text.replace(/,/g, '');
    }
  }
  const parsed = parsePlainDecimal(text);
  if (!parsed) return fail(`「${raw.text}」不是数字`);
  let { value, decimals } = parsed;
  if (kind === 'money' && !col.moneyScale.eq(Ratio.of(1))) {
    value = value.mul(col.moneyScale);
    decimals += 4;
  }
  return { address, text: raw.text, state: 'number', value, decimals };
}

/** Whether a field is an additive figure (counts, 万元) rather than a stated share, rate or rank. */
export function isFigure(field: StatsField): field is FigureField {
  return FIGURE_SET.has(field);
}
