/**
 * The result of importing an enforcement statistics table (执法统计): rows, the problems the logic
 * checks found, and the draft findings. Types only.
 */
import type { ChecklistItemKey } from './checklist';
import type { FigureField, FindingRule, IndicatorKey, StatedField, StatsField } from './stats';

export type Figures = { [K in FigureField]?: number | null };
export type IndicatorValues = { [K in IndicatorKey]?: number | null };

/**
 * One row. A figure key is absent when the table has no such column and null when its cell is
 * missing or wrong; an indicator is absent when its inputs are not in the table and null when it
 * cannot be computed (a zero denominator or a bad cell).
 */
export type UnitStats = Figures &
  IndicatorValues & {
    name: string;
    /** Row number as the spreadsheet shows it; null for a total computed from the units. */
    row: number | null;
    /** By 检查处罚率, 1 = highest; absent for the total and when the rate cannot be computed. */
    rank?: number | null;
    /** The table's own shares, rates and rank as printed. */
    stated?: { [K in StatedField]?: number | null };
  };

export type ProblemCheck =
  | 'missing'
  | 'invalidValue'
  | 'negative'
  | 'notInteger'
  | 'subtotal'
  | 'total'
  | 'fineAmount'
  | 'share'
  | 'rate'
  | 'rank'
  | 'duplicateUnit';

export interface StatsProblem {
  unit: string;
  /** Field key of the column (English), or 'name' for the unit name itself. */
  column: StatsField | 'name';
  /** The table's own header text for the column. */
  columnLabel: string;
  row: number | null;
  /** Spreadsheet address, e.g. J6. */
  cell: string | null;
  check: ProblemCheck;
  /** What the cell should read; null when no single value is right (a missing or negative cell). */
  expected: number | null;
  found: number | null;
  message: string;
}

/** A draft problem and opinion for the opinion letter; a supervisor edits it before it goes out. */
export interface DraftFinding {
  rule: FindingRule;
  /** The checklist item (检查指导内容) the draft is filed under in the letter. */
  item: ChecklistItemKey;
  /** Its title (CHECKLIST_ITEM_LABEL). */
  itemLabel: string;
  unit: string;
  scope: 'unit' | 'total';
  value: number | null;
  threshold: number | null;
  /** 存在问题 (Chinese). */
  problem: string;
  /** 处理意见 (Chinese). */
  opinion: string;
}

export interface StatsColumn {
  /** Column letter, e.g. E. */
  column: string;
  /** Header text, levels joined with “/”. */
  label: string;
  field: StatsField | 'name' | 'seq' | null;
}

export interface StatsResult {
  source: {
    /** File name without directories. */
    name: string;
    format: 'csv' | 'xlsx';
    sheet?: string;
    sha256: string;
    /** Spreadsheet row numbers of the header. */
    headerRows: number[];
    /** How blank cells were read, and why. */
    blankCells: 'zero' | 'missing';
    blankCellsReason: string;
  };
  columns: StatsColumn[];
  units: UnitStats[];
  /** The 合计 row as printed, or (computed: true) the sum of the units when the table has none. */
  total: UnitStats & { computed: boolean };
  problems: StatsProblem[];
  drafts: DraftFinding[];
}
