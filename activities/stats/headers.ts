/**
 * Header recognition (表头识别). Bureaus' tables say the same thing many ways: “检查生产经营单位
 * （家次）”, “检查家次” and “专项行动检查家数” all count inspections; headers break lines inside a
 * cell, carry units in brackets, and come in two levels (使用执法文书（份） spanning 现场 / 整改 /
 * … / 小计). Recognition works on the label path of each column (group label, then leaf):
 *
 * 1. Find the header: the first row with a unit-name column (单位, 县（市、区）…), plus up to two
 *    following rows that hold only text (the second level of a two-row header).
 * 2. Give every column its label path. XLSX merged cells already repeat the group label over
 *    every column they span; a CSV leaves the spanned cells empty, so a group label is carried
 *    right over empty cells that have a sub-label beneath them.
 * 3. Normalise (NFKC: full-width brackets and digits to ASCII; whitespace and line breaks
 *    removed) and match an ordered list of rules, most specific first (“检查处罚率” before
 *    “检查…”, “事故罚款” before “事故处罚”). Bare “小计” and “占比” take their meaning from the group
 *    above them or, in a one-row header, from the column to their left.
 */
import { DOCUMENT_FIELDS, FIELD_LABEL, type StatsField } from '../../workflows/shared/stats';
import { Ratio } from './decimal';
import { StatsReadError, columnLetter } from './errors';
import type { Grid, RawCell } from './grid';

export type ColumnRole = StatsField | 'name' | 'seq';

export interface HeaderColumn {
  index: number;
  letter: string;
  /** Header text, levels joined with “/”, whitespace removed. */
  label: string;
  role: ColumnRole | null;
  /** Factor to 万元 for money columns: 1, or 1/10000 for a column in 元. */
  moneyScale: Ratio;
}

export interface Header {
  /** Grid row indices (0-based) of the header rows. */
  rows: number[];
  columns: HeaderColumn[];
  nameCol: number;
  seqCol?: number;
}

/** NFKC, brackets unified to ( ), whitespace (line breaks inside a cell too) removed. */
export function normalizeLabel(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[【[〔｛{]/g, '(')
    .replace(/[】\]〕｝}]/g, ')')
    .replace(/[:：]$/, '');
}

const stripBrackets = (s: string): string => s.replace(/\([^)]*\)/g, '');
const dropBrackets = (s: string): string => s.replace(/[()]/g, '');
const bracketContents = (s: string): string[] => [...s.matchAll(/\(([^)]*)\)/g)].map((m) => m[1] ?? '');

const NAME_HEADER =
  /^(单位|单位名称|地区|区域|县区|县市区|县\(市、?区\)|县\(市\)区|县\(区\)|县\(市\)|执法单位|执法机构|名称|部门|地市|市州|城市|辖区)$/;
const SEQ_HEADER = /^(序号|序|编号|no\.?)$/i;

/** True for a header cell naming the unit column. */
export function isNameHeader(text: string): boolean {
  return NAME_HEADER.test(normalizeLabel(text));
}

const TOTAL_NAME = /^((全(市|州|县|区|盟|省))?(合计|总计|总合计)|全(市|州|县|区|盟))$/;

/** True for the name of a 合计 row (合计, 总计, 全市合计 …). */
export function isTotalName(text: string): boolean {
  return TOTAL_NAME.test(normalizeLabel(text));
}

/** A cell that reads as a number: used to tell a header row from a data row. */
export function looksNumeric(cell: RawCell | undefined): boolean {
  if (!cell) return false;
  if (cell.num !== undefined) return true;
  const t = normalizeLabel(cell.text);
  return /\d/.test(t) && /^[+-]?[\d,.]+%?$/.test(t);
}

const DOC_FIELDS = new Set<ColumnRole>(DOCUMENT_FIELDS);
const FINE_FIELDS = new Set<ColumnRole>([
  'supervisionFine',
  'accidentFine',
  'supervisionFineShare',
  'accidentFineShare',
]);

interface Ctx {
  /** Group labels and leaf, brackets dropped (contents kept), concatenated. */
  full: string;
  /** Group labels only, same form. */
  group: string;
  /** Leaf label without bracketed units. */
  leaf: string;
  /** Bracketed units of the leaf, e.g. 家次, 万元. */
  units: string[];
  /** The role of the recognised column to the left. */
  prev: ColumnRole | null;
}

type Rule = (c: Ctx) => ColumnRole | null | undefined;
const when =
  (role: ColumnRole, test: (c: Ctx) => boolean): Rule =>
  (c) =>
    test(c) ? role : undefined;

/** Ordered, most specific first; the first rule that answers (role or explicit null) wins. */
const RULES: Rule[] = [
  when('rank', (c) => /排名|名次|排序|位次/.test(c.full)),
  when('punishRate', (c) => /处罚率/.test(c.full)),
  when('rectificationRate', (c) => /整改率/.test(c.full)),
  when('supervisionFineShare', (c) => /(监督检查|非事故|日常监管).*罚款.*(占比|比例|比重)/.test(c.full)),
  when('accidentFineShare', (c) => /事故.*罚款.*(占比|比例|比重)/.test(c.full)),
  // A bare 占比 is the share of the fine column to its left (处罚罚款金额: 监督检查罚款 | 占比 | …).
  (c) => {
    if (!/^(占比|比例|比重|所占比例|占比例|百分比)$/.test(c.leaf)) return undefined;
    if (c.prev === 'supervisionFine') return 'supervisionFineShare';
    if (c.prev === 'accidentFine') return 'accidentFineShare';
    return null;
  },
  // A bare 小计: the group above says whose; in a one-row header, the columns to its left do.
  (c) => {
    if (!/^(小计|合计|总计|计)$/.test(c.leaf)) return undefined;
    if (/文书/.test(c.group)) return 'docSubtotal';
    if (/罚款|罚没|罚金|金额/.test(c.group)) return 'fineSubtotal';
    if (c.prev && DOC_FIELDS.has(c.prev)) return 'docSubtotal';
    if (c.prev && FINE_FIELDS.has(c.prev)) return 'fineSubtotal';
    return null;
  },
  when('hazardsRectified', (c) => /整改隐患|隐患.*整改|已整改|整改销号/.test(c.full)),
  // 隐患 | 整改 in a one-row header: hazards rectified, not 整改 documents.
  when('hazardsRectified', (c) => /^(整改|已整改)$/.test(c.leaf) && c.prev === 'hazards'),
  when('hazards', (c) => /隐患/.test(c.full)),
  when('docOnsiteMeasures', (c) => /现场处理措施/.test(c.full)),
  // “责令限期整改指令书、整改复查意见书” in one column: both rectification documents together.
  when('docRectify', (c) => /(责令限期整改|整改指令).*复查|复查.*(责令限期整改|整改指令)/.test(c.full)),
  when('docReinspection', (c) => /复查意见/.test(c.full)),
  when('docRectifyOrder', (c) => /责令限期整改|整改指令/.test(c.full)),
  when('docRectify', (c) => /整改复查|整改类|文书.*整改/.test(c.full) || /^整改(文书)?$/.test(c.leaf)),
  when('docOnsite', (c) => /现场检查|文书.*现场/.test(c.full) || /^现场$/.test(c.leaf)),
  when('docCoercive', (c) => /强制/.test(c.full)),
  when('supervisionFine', (c) => /(监督检查|非事故|日常监管).*罚款/.test(c.full)),
  when('accidentFine', (c) => /事故.*罚款/.test(c.full)),
  when('docSupervisionPenalty', (c) => /监督检查处罚|非事故处罚/.test(c.full)),
  when('docAccidentPenalty', (c) => /事故处罚/.test(c.full)),
  when('fineSubtotal', (c) => /(罚款|罚没款?).*(小计|合计|总额|总计)/.test(c.full)),
  when('docSubtotal', (c) => /文书/.test(c.full)),
  when('cases', (c) => /立案/.test(c.full)),
  when('warnings', (c) => /警告/.test(c.full)),
  when('suspensions', (c) => /停产|停业|停建|停止施工|停止使用/.test(c.full)),
  when('licenceRevocations', (c) => /暂扣|吊销|证照/.test(c.full)),
  when('closures', (c) => /关闭|取缔/.test(c.full)),
  // 罚款（次）counts fines, which no check uses: leave it unrecognised rather than misread it.
  (c) =>
    /罚款|罚没|罚金/.test(c.full)
      ? c.units.some((u) => /^(次|起|件|家|户|人次)$/.test(u))
        ? null
        : 'fineAmount'
      : undefined,
  when('inspectorVisits', (c) => /出动|执法人员|人次/.test(c.full)),
  when('inspections', (c) => /(检查|抽查).*(单位|企业|家|户|次)|家次|检查数/.test(c.full)),
];

function classify(parts: string[], prev: ColumnRole | null): ColumnRole | null {
  const norm = parts.map(normalizeLabel);
  const leafN = norm[norm.length - 1] ?? '';
  if (norm.length === 1 && NAME_HEADER.test(leafN)) return 'name';
  if (SEQ_HEADER.test(leafN)) return 'seq';
  const ctx: Ctx = {
    full: norm.map(dropBrackets).join(''),
    group: norm.slice(0, -1).map(dropBrackets).join(''),
    leaf: stripBrackets(leafN),
    units: bracketContents(leafN),
    prev,
  };
  for (const rule of RULES) {
    const r = rule(ctx);
    if (r !== undefined) return r;
  }
  return null;
}

/** A money column in 元 (not 万元) is converted; every figure is held in 万元. */
function moneyScale(parts: string[]): Ratio {
  const units = parts.flatMap((p) => bracketContents(normalizeLabel(p)));
  const yuan = units.some((u) => /^元$|^单位:?元$/.test(u));
  const wan = units.some((u) => /万元/.test(u));
  return yuan && !wan ? Ratio.of(1, 10000) : Ratio.of(1);
}

function isContinuationRow(row: RawCell[], nameCol: number, nameLabel: string): boolean {
  const nonEmpty = row.filter((c) => c.text.trim() !== '');
  if (nonEmpty.length === 0) return false;
  if (row.some((c) => c.text.trim() !== '' && looksNumeric(c))) return false;
  const nameCell = normalizeLabel(row[nameCol]?.text ?? '');
  if (nameCell !== '' && nameCell !== normalizeLabel(nameLabel)) return false;
  return !row.some((c) => isTotalName(c.text));
}

/** Finds and resolves the header, or returns undefined when the grid has none. */
export function findHeader(grid: Grid): Header | undefined {
  const scan = Math.min(grid.length, 30);
  for (let r = 0; r < scan; r++) {
    const row = grid[r]!;
    const nameCol = row.findIndex((c) => isNameHeader(c.text));
    if (nameCol < 0) continue;
    const rows = [r];
    while (rows.length < 3) {
      const next = grid[r + rows.length];
      if (!next || !isContinuationRow(next, nameCol, row[nameCol]!.text)) break;
      rows.push(r + rows.length);
    }
    const header = resolve(grid, rows, nameCol);
    if (header.columns.some((c) => c.role !== null && c.role !== 'name' && c.role !== 'seq')) return header;
  }
  return undefined;
}

function resolve(grid: Grid, rows: number[], nameCol: number): Header {
  const width = Math.max(...rows.map((r) => grid[r]!.length));
  // labels[h][c]: header level h of column c, whitespace removed for display.
  const labels = rows.map((r) =>
    Array.from({ length: width }, (_, c) => (grid[r]![c]?.text ?? '').replace(/\s+/g, '')),
  );
  const hasBelow = (h: number, c: number) => labels.slice(h + 1).some((l) => l[c] !== '');
  // CSV carries a group label only in its first column: carry it right over the empty cells of
  // its span. A cell is in the span while it has a sub-label below and, for the second of three
  // levels, the same parent above; a label with nothing beneath (merged down) carries nothing.
  for (let h = 0; h < labels.length - 1; h++) {
    const level = labels[h]!;
    let carry = '';
    let from = -1;
    for (let c = 0; c < width; c++) {
      if (level[c] !== '') {
        carry = hasBelow(h, c) ? level[c]! : '';
        from = c;
      } else if (carry !== '' && hasBelow(h, c) && (h === 0 || labels[h - 1]![c] === labels[h - 1]![from])) {
        level[c] = carry;
      } else {
        carry = '';
      }
    }
  }
  const columns: HeaderColumn[] = [];
  let prev: ColumnRole | null = null;
  const seen = new Map<ColumnRole, HeaderColumn>();
  const duplicates: { a: HeaderColumn; b: HeaderColumn; role: StatsField }[] = [];
  for (let c = 0; c < width; c++) {
    const parts: string[] = [];
    for (const level of labels) {
      const t = level[c]!;
      if (t !== '' && parts[parts.length - 1] !== t) parts.push(t);
    }
    if (parts.length === 0) continue;
    let role: ColumnRole | null = c === nameCol ? 'name' : classify(parts, prev);
    if (role === 'name' && c !== nameCol) role = null;
    const col: HeaderColumn = {
      index: c,
      letter: columnLetter(c),
      label: parts.join('/'),
      role,
      moneyScale: moneyScale(parts),
    };
    if (role !== null && role !== 'name' && role !== 'seq') {
      const first = seen.get(role);
      if (first) duplicates.push({ a: first, b: col, role });
      else seen.set(role, col);
    }
    if (role !== null) prev = role;
    columns.push(col);
  }
  if (duplicates.length > 0) {
    throw new StatsReadError(
      '表头有重复的列，无法确定使用哪一列',
      duplicates.map(({ a, b, role }) => ({
        row: rows[rows.length - 1]! + 1,
        column: b.letter,
        label: b.label,
        message: `${a.letter}列「${a.label}」和 ${b.letter}列「${b.label}」都被识别为「${FIELD_LABEL[role]}」`,
      })),
    );
  }
  const seq = columns.find((c) => c.role === 'seq');
  return { rows, columns, nameCol, ...(seq ? { seqCol: seq.index } : {}) };
}
