/**
 * A file as a grid of cells, whatever its format: CSV gives text, XLSX gives typed values. Row i
 * of a grid is spreadsheet row i + 1 and column j is letter columnLetter(j) in both, so every
 * message names the cell the user sees.
 */
import ExcelJS from 'exceljs';
import { decodeText, parseCsv, sniffDelimiter } from './csv';
import { StatsReadError } from './errors';

export interface RawCell {
  /** The cell as text (a number cell: its value, not its display format). */
  text: string;
  /** XLSX number (or a formula's numeric result). */
  num?: number;
  /** XLSX number displayed as a percentage (0.5 shown as 50%). */
  percent?: boolean;
  /** XLSX error value such as #DIV/0!. */
  error?: string;
  /** XLSX date: never a statistic. */
  date?: boolean;
}

export type Grid = RawCell[][];

export interface Sheet {
  name?: string;
  grid: Grid;
}

export type FileFormat = 'csv' | 'xlsx';

/** 20 MB: a county statistics table is a few kilobytes; anything this large is not one. */
const MAX_BYTES = 20 * 1024 * 1024;

/** Format from the bytes first (a renamed file is common), the name second. */
export function detectFormat(bytes: Uint8Array, fileName: string): FileFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
    return 'xlsx';
  if (bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new StatsReadError(
      `${fileName}：是旧版 Excel 97-2003（.xls）或加密的工作簿，无法读取。请在 Excel 中“另存为” .xlsx 或 CSV（逗号分隔）后再导入`,
    );
  }
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx') || lower.endsWith('.xlsm')) {
    throw new StatsReadError(`${fileName}：扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）`);
  }
  if (lower.endsWith('.xls')) {
    throw new StatsReadError(`${fileName}：.xls 文件内容无法识别。请在 Excel 中“另存为” .xlsx 或 CSV 后再导入`);
  }
  if (bytes.includes(0) && !(bytes[0] === 0xff && bytes[1] === 0xfe) && !(bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new StatsReadError(`${fileName}：不是文本表格（CSV）也不是 Excel 工作簿（.xlsx），无法读取`);
  }
  return 'csv';
}

/** Reads the sheets of a CSV (one) or XLSX (all, or the one named) file. */
export async function readSheets(
  bytes: Uint8Array,
  fileName: string,
  sheetName?: string,
): Promise<{ format: FileFormat; sheets: Sheet[] }> {
  if (bytes.length === 0) throw new StatsReadError(`${fileName}：文件为空`);
  if (bytes.length > MAX_BYTES) throw new StatsReadError(`${fileName}：文件超过 20 MB，不像是一张执法统计表`);
  const format = detectFormat(bytes, fileName);
  if (format === 'csv') {
    const text = decodeText(bytes);
    const rows = parseCsv(text, sniffDelimiter(text));
    return { format, sheets: [{ grid: rows.map((r) => r.map((t) => ({ text: t }))) }] };
  }
  return { format, sheets: await readXlsx(bytes, fileName, sheetName) };
}

async function readXlsx(bytes: Uint8Array, fileName: string, sheetName?: string): Promise<Sheet[]> {
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs's declared parameter type lags Node's Buffer generics; a Buffer is what it reads.
    await wb.xlsx.load(Buffer.from(bytes) as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch (err) {
    throw new StatsReadError(`${fileName}：Excel 工作簿已损坏或格式不受支持，无法读取（${(err as Error).message}）`);
  }
  let worksheets = wb.worksheets;
  if (sheetName !== undefined) {
    worksheets = worksheets.filter((ws) => ws.name === sheetName);
    if (worksheets.length === 0) {
      const names = wb.worksheets.map((ws) => `「${ws.name}」`).join('、');
      throw new StatsReadError(`${fileName}：没有名为「${sheetName}」的工作表（现有：${names || '无'}）`);
    }
  }
  return worksheets.map((ws) => ({ name: ws.name, grid: worksheetGrid(ws) }));
}

function worksheetGrid(ws: ExcelJS.Worksheet): Grid {
  const grid: Grid = [];
  const cols = ws.columnCount;
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: RawCell[] = [];
    for (let c = 1; c <= cols; c++) {
      // A merged cell's other parts report the master's value: a merged group header thus
      // labels every column it spans, which is what header recognition wants.
      const cell = row.getCell(c);
      cells.push(rawCell(cell.value, cell.numFmt));
    }
    grid.push(cells);
  }
  return grid;
}

function rawCell(value: ExcelJS.CellValue, numFmt: string | undefined): RawCell {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'number')
    return { text: String(value), num: value, percent: typeof numFmt === 'string' && numFmt.includes('%') };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10), date: true };
  if ('richText' in value) return { text: value.richText.map((t) => t.text).join('') };
  if ('error' in value) return { text: String(value.error), error: String(value.error) };
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    if (result === undefined || result === null) {
      // Written by a program that stores formulas without their values; Excel computes on open.
      return { text: '', error: '公式没有保存计算结果（请在 Excel 中打开并保存后再导入）' };
    }
    if (typeof result === 'object' && result !== null && 'error' in result) {
      const e = String((result as { error: unknown }).error);
      return { text: e, error: e };
    }
    return rawCell(result as ExcelJS.CellValue, numFmt);
  }
  if ('text' in value) return { text: String((value as { text: unknown }).text) };
  return { text: String(value) };
}
