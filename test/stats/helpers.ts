/**
 * Helpers for the statistics tests: the Xuchang example, CSV editing by spreadsheet address, and
 * a one-call import with default thresholds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyseStatistics } from '../../activities/stats/analyse';
import { decodeText, parseCsv } from '../../activities/stats/csv';
import { StatsRulesSchema, type StatsRulesInput } from '../../workflows/shared/stats';
import { type StatsResult } from '../../workflows/shared/stats-result';

export const ROOT = path.join(__dirname, '..', '..');
export const XUCHANG_CSV = path.join(ROOT, 'examples', 'stats', 'xuchang-2020-01-04.csv');
export const XUCHANG_XLSX = path.join(ROOT, 'examples', 'stats', 'xuchang-2020-01-04.xlsx');

export function xuchangCsvText(): string {
  return decodeText(readFileSync(XUCHANG_CSV));
}

/** Imports bytes or CSV text with the given thresholds (defaults otherwise). */
export function analyse(
  input: Uint8Array | string,
  name = 'table.csv',
  rules: StatsRulesInput = {},
  extra: { blankCells?: 'auto' | 'zero' | 'missing'; sheet?: string } = {},
): Promise<StatsResult> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  return analyseStatistics(bytes, { name, rules: StatsRulesSchema.parse(rules), ...extra });
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows to CSV text (CRLF, quoting where needed). */
export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** Replaces cells given by address (`J6`) in CSV text; returns the new text. */
export function editCsv(text: string, edits: Record<string, string>): string {
  const rows = parseCsv(text);
  for (const [address, value] of Object.entries(edits)) {
    const m = /^([A-Z]+)(\d+)$/.exec(address);
    if (!m) throw new Error(`bad address ${address}`);
    const row = rows[Number(m[2]) - 1];
    if (!row) throw new Error(`no row ${m[2]}`);
    row[columnIndex(m[1]!)] = value;
  }
  return toCsv(rows);
}

/** The comparable part of a problem: where, what was expected and what was found. */
export function brief(result: StatsResult) {
  return result.problems.map((p) => ({
    unit: p.unit,
    column: p.column,
    cell: p.cell,
    check: p.check,
    expected: p.expected,
    found: p.found,
  }));
}
