/** The RFC 4180 reader and the encodings Excel writes on a Chinese Windows. */
import { describe, expect, it } from 'vitest';
import { decodeText, parseCsv, sniffDelimiter } from '../../activities/stats/csv';
import { StatsReadError } from '../../activities/stats/errors';

describe('parseCsv', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    const text = 'a,"b,c","say ""hi""","检查生产经营单位\r\n（家次）"\r\n1,2,3,4\r\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b,c', 'say "hi"', '检查生产经营单位\r\n（家次）'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('accepts LF, CRLF and CR line ends, keeps empty lines as rows and empty trailing fields', () => {
    expect(parseCsv('a,b\n\nc,\rd,e')).toEqual([['a', 'b'], [''], ['c', ''], ['d', 'e']]);
  });

  it('does not add a row for the final line end, but keeps a final empty quoted field', () => {
    expect(parseCsv('a\r\n')).toEqual([['a']]);
    expect(parseCsv('a,""')).toEqual([['a', '']]);
  });

  it('reads a quote inside an unquoted field literally, as Excel does', () => {
    expect(parseCsv('5"x,1')).toEqual([['5"x', '1']]);
  });

  it('names row and column of an unclosed quote', () => {
    try {
      parseCsv('a,b\r\nc,"open\r\nmore');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StatsReadError);
      expect((err as StatsReadError).cells).toEqual([
        { row: 2, column: 'B', message: '第2行 B列：引号没有闭合，文件在引号内结束' },
      ]);
    }
  });

  it('names row and column of text after a closing quote', () => {
    expect(() => parseCsv('a,b\r\nc,"x"y')).toThrow(/第2行 B列：引号结束后还有多余字符「y」/);
  });

  it('uses the given delimiter', () => {
    expect(parseCsv('a\tb,c\r\n', '\t')).toEqual([['a', 'b,c']]);
  });
});

describe('sniffDelimiter', () => {
  it('picks the delimiter of the first non-empty line, outside quotes', () => {
    expect(sniffDelimiter('\r\n"a,b"\tc\td\r\n')).toBe('\t');
    expect(sniffDelimiter('a;b;c')).toBe(';');
    expect(sniffDelimiter('a,b')).toBe(',');
    expect(sniffDelimiter('only')).toBe(',');
  });
});

describe('decodeText', () => {
  it('strips a UTF-8 BOM', () => {
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('a');
  });

  it('reads GBK (Excel’s “CSV（逗号分隔）” on Chinese Windows)', () => {
    // 合计 in GBK.
    expect(decodeText(new Uint8Array([0xba, 0xcf, 0xbc, 0xc6]))).toBe('合计');
  });

  it('reads UTF-16 LE with BOM (Excel’s “Unicode 文本”)', () => {
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0x08, 0x54, 0xa1, 0x8b]))).toBe('合计');
  });
});
