/**
 * CSV as bureaus have it: RFC 4180 quoting (line breaks inside quoted header cells, "" for a
 * quote), CRLF / LF / CR line ends, and the encodings Excel on a Chinese Windows writes — UTF-8
 * with or without BOM, UTF-16 (“Unicode 文本”, tab-separated) and GBK / GB18030 (“CSV（逗号分隔）”).
 * Small enough to read in one sitting, so no dependency.
 */
import { StatsReadError, columnLetter } from './errors';

/** Decodes the bytes of a text table, guessing the encoding the way a spreadsheet program would. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not valid UTF-8: a Chinese Excel saves CSV in the ANSI code page, GBK, which GB18030 extends.
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Comma, tab or semicolon: whichever the first non-empty line uses most outside quotes. */
export function sniffDelimiter(text: string): string {
  let line = '';
  let inQuotes = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (line.trim() !== '') break;
      line = '';
      continue;
    }
    if (!inQuotes) line += ch;
  }
  const counts = [',', '\t', ';'].map((d) => [d, line.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

/**
 * Parses CSV text into rows of fields. Row i of the result is spreadsheet row i + 1, so messages
 * name the row a user sees when opening the file. Empty lines are kept as rows for that reason.
 */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  // State of the current field: at its start, inside an unquoted field, inside quotes, or just
  // after the closing quote (where only a delimiter or a line end may follow).
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  let quoteRow = 0;
  let quoteCol = 0;
  const endField = () => {
    row.push(field);
    field = '';
    state = 'start';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (state === 'quoted') {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          state = 'closed';
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else if (state === 'closed') {
      throw new StatsReadError('CSV 文件格式错误，无法读取', [
        {
          row: rows.length + 1,
          column: columnLetter(row.length),
          message: `第${rows.length + 1}行 ${columnLetter(row.length)}列：引号结束后还有多余字符「${ch}」（引号内的引号应写成两个 ""）`,
        },
      ]);
    } else if (ch === '"' && state === 'start') {
      state = 'quoted';
      quoteRow = rows.length + 1;
      quoteCol = row.length;
    } else {
      // A quote inside an unquoted field breaks RFC 4180, but Excel reads it literally; so do we.
      field += ch;
      state = 'plain';
    }
  }
  if (state === 'quoted') {
    throw new StatsReadError('CSV 文件格式错误，无法读取', [
      {
        row: quoteRow,
        column: columnLetter(quoteCol),
        message: `第${quoteRow}行 ${columnLetter(quoteCol)}列：引号没有闭合，文件在引号内结束`,
      },
    ]);
  }
  // A final line end does not start another row.
  if (field !== '' || row.length > 0 || state === 'closed') endRow();
  return rows;
}
