/**
 * Writes examples/stats/xuchang-2020-01-04.xlsx from the CSV transcription next to it, laid out
 * as a bureau's Excel sheet is: a merged title row, a two-row header with merged group cells
 * (使用执法文书（份） over 现场 … 小计), line breaks before the unit in header cells, numbers as
 * numbers (0.00 where the bulletin prints two places) and the notes under the table.
 *
 *   npx tsx scripts/make-stats-examples.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { decodeText, parseCsv } from '../activities/stats/csv';

const DIR = path.join(__dirname, '..', 'examples', 'stats');
const CSV = path.join(DIR, 'xuchang-2020-01-04.csv');
const XLSX = path.join(DIR, 'xuchang-2020-01-04.xlsx');

/** Header rows of the CSV (1-based), title row above them. */
const TITLE_ROW = 1;
const HEADER_ROWS = [2, 3] as const;

/** “检查生产经营单位 (家次)” → “检查生产经营单位\n（家次）”, as typed into a wrapped Excel cell. */
function excelHeader(text: string): string {
  return text.replace(/\s*\(([^)]*)\)/g, '\n（$1）');
}

/** Builds the workbook from the CSV rows. */
export function buildWorkbook(rows: string[][]): ExcelJS.Workbook {
  const width = Math.max(...rows.map((r) => r.length));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'guidance-engine';
  // A fixed date keeps the file byte-stable across runs apart from the zip's own timestamps.
  wb.created = new Date('2020-05-08T00:00:00Z');
  wb.modified = wb.created;
  const ws = wb.addWorksheet('执法情况报表');
  const [top, bottom] = HEADER_ROWS;
  const lastHeaderRow = bottom;

  rows.forEach((cells, i) => {
    const r = i + 1;
    const row = ws.getRow(r);
    cells.forEach((text, j) => {
      const cell = row.getCell(j + 1);
      if (text === '') return;
      const isHeader = r >= top && r <= bottom;
      const numeric = r > lastHeaderRow && j >= 2 && /^-?\d+(\.\d+)?$/.test(text);
      if (numeric) {
        cell.value = Number(text);
        const decimals = text.split('.')[1]?.length ?? 0;
        if (decimals > 0) cell.numFmt = `0.${'0'.repeat(decimals)}`;
        cell.alignment = { horizontal: 'center' };
      } else {
        cell.value = isHeader ? excelHeader(text) : text;
        if (isHeader) cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      }
      if (isHeader || (r > lastHeaderRow && r <= lastDataRow(rows))) {
        cell.border = {
          top: { style: 'thin' },
          left: { style: 'thin' },
          bottom: { style: 'thin' },
          right: { style: 'thin' },
        };
      }
    });
  });

  ws.mergeCells(TITLE_ROW, 1, TITLE_ROW, width);
  ws.getCell(TITLE_ROW, 1).alignment = { horizontal: 'center' };
  ws.getCell(TITLE_ROW, 1).font = { bold: true, size: 14 };

  // Two-row header: a label with nothing under it spans both rows; a group label spans the
  // columns to its right that are empty in the top row.
  const upper = rows[top - 1]!;
  const lower = rows[bottom - 1]!;
  for (let c = 0; c < width; c++) {
    if ((upper[c] ?? '') === '') continue;
    if ((lower[c] ?? '') === '') {
      ws.mergeCells(top, c + 1, bottom, c + 1);
      continue;
    }
    let end = c;
    while (end + 1 < width && (upper[end + 1] ?? '') === '' && (lower[end + 1] ?? '') !== '') end++;
    if (end > c) ws.mergeCells(top, c + 1, top, end + 1);
  }

  // Notes under the table: one merged line each.
  for (let i = lastDataRow(rows); i < rows.length; i++) {
    if ((rows[i]![0] ?? '') !== '') ws.mergeCells(i + 1, 1, i + 1, width);
  }

  ws.getColumn(1).width = 5;
  ws.getColumn(2).width = 16;
  for (let c = 3; c <= width; c++) ws.getColumn(c).width = 10;
  ws.getRow(top).height = 36;
  ws.getRow(bottom).height = 48;
  return wb;
}

/** Row number (1-based) of the last unit row: the last row before the first empty one. */
function lastDataRow(rows: string[][]): number {
  let r = HEADER_ROWS[1];
  while (r < rows.length && rows[r]!.some((c) => c !== '')) r++;
  return r;
}

async function main(): Promise<void> {
  const rows = parseCsv(decodeText(readFileSync(CSV)));
  const wb = buildWorkbook(rows);
  writeFileSync(XLSX, Buffer.from(await wb.xlsx.writeBuffer()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), XLSX)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
