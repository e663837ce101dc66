/**
 * A statistics file that cannot be read (文件无法读取): wrong format, broken CSV quoting, no
 * header, or cells that are not numbers. Distinct from logic problems, which are reported as
 * data; this one stops the import, and the activity turns it into a non-retryable failure.
 */

/** One unreadable spot, named the way a spreadsheet user finds it. */
export interface UnreadableCell {
  /** Row number as the spreadsheet shows it. */
  row?: number;
  /** Column letter, e.g. E. */
  column?: string;
  /** Header text of the column, when known. */
  label?: string;
  /** The cell's text as read. */
  text?: string;
  /** Chinese: what is wrong, already naming row and column. */
  message: string;
}

/** At most this many cells are spelled out in the message; all of them stay in `cells`. */
const LISTED = 20;

export class StatsReadError extends Error {
  override readonly name = 'StatsReadError';

  constructor(
    readonly summary: string,
    readonly cells: UnreadableCell[] = [],
  ) {
    super(StatsReadError.compose(summary, cells));
  }

  private static compose(summary: string, cells: UnreadableCell[]): string {
    if (cells.length === 0) return summary;
    const lines = cells.slice(0, LISTED).map((c) => `  ${c.message}`);
    if (cells.length > LISTED) lines.push(`  ……另有 ${cells.length - LISTED} 处`);
    return `${summary}\n${lines.join('\n')}`;
  }
}

/** Spreadsheet column letter of a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
