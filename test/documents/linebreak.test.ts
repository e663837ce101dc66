/**
 * Chinese line breaking: no line starts with closing punctuation and none ends with opening
 * punctuation — in the breaker itself and in a real PDF read back with pdftotext.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { breakLines, NO_LINE_END, NO_LINE_START, segment } from '../../activities/documents/linebreak';
import { renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { pdftotext, SETUP_TIMEOUT, squash, writeTemp } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

/** Breaks `text` at `width` ems: Chinese 1 em, Latin 0.5 em, as the fonts roughly do. */
function lines(text: string, width: number): string[] {
  const atoms = segment(text).map((a) => ({
    ...a,
    width: [...a.text].reduce((s, ch) => s + (ch.codePointAt(0)! < 0x2000 ? 0.5 : 1), 0),
  }));
  return breakLines(atoms, () => width).map((l) => l.map((a) => a.text).join(''));
}

describe('breaker', () => {
  it('moves a character down rather than start a line with closing punctuation', () => {
    expect(lines('一二三，四', 3)).toEqual(['一二', '三，四']);
    expect(lines('一二三”。四', 3)).toEqual(['一二', '三”。', '四']);
  });

  it('moves opening punctuation down rather than end a line with it', () => {
    expect(lines('一二（三）', 3)).toEqual(['一二', '（三）']);
    expect(lines('一二三“《四》五', 4)).toEqual(['一二三', '“《四》', '五']);
  });

  it('keeps —— and ……, Latin words and numbers whole', () => {
    expect(lines('一二——三', 3)).toEqual(['一二', '——三']);
    // GB/T 15834: the two-em marks never split; they may begin a line.
    expect(lines('一二三……', 4)).toEqual(['一二三', '……']);
    expect(lines('一二三——四', 4)).toEqual(['一二三', '——四']);
    expect(lines('电话0379-6321', 6)).toEqual(['电话', '0379-6321']);
  });

  it('terminates on a line of nothing but punctuation', () => {
    expect(lines('，，，，', 2).join('')).toBe('，，，，');
  });

  it('ends the line at a hard break (a table cell’s <br/>, U+2028); no punctuation rule reaches across it', () => {
    expect(lines('一二\u2028三', 5)).toEqual(['一二', '三']);
    expect(lines('一\u2028\u2028二', 5)).toEqual(['一', '', '二']);
    // A full line just before the break: no empty line after it.
    expect(lines('一二三四\u2028五', 4)).toEqual(['一二三四', '五']);
    // The comma starts its line: the break, not the breaker, put it there.
    expect(lines('一二\u2028，三', 5)).toEqual(['一二', '，三']);
    expect(lines('a\u2028', 5)).toEqual(['a']);
  });
});

describe('in a rendered letter', () => {
  const filler = '安全生产执法指导工作落实监督检查计划严格执行规范程序完善案卷';
  // Indented first line holds 26 characters, later lines 28 (16 pt on the 156 mm block).
  const crafted = [
    // A comma falls on the 27th character: the first line must give up a character.
    `${filler.slice(0, 26)}，${filler.slice(0, 20)}。`,
    // An opening bracket falls on the 26th: it must move down with what it opens.
    `${filler.slice(0, 25)}（${filler.slice(0, 4)}）${filler.slice(0, 20)}。`,
    // A closing quote and full stop start the second line of 28.
    `${filler.slice(0, 26)}${filler.slice(0, 28)}”。${filler.slice(0, 10)}“${filler.slice(0, 3)}”。`,
    // Dense punctuation everywhere.
    '检查，处罚；整改、复查：“闭环”（台账）《规范》。'.repeat(6),
  ];

  it('the crafted paragraphs would break wrongly by plain counting', () => {
    const naive = (p: string) => {
      const cs = [...p];
      const out = [cs.slice(0, 26).join('')];
      for (let i = 26; i < cs.length; i += 28) out.push(cs.slice(i, i + 28).join(''));
      return out;
    };
    for (const p of crafted) {
      const bad = naive(p).some((l) => NO_LINE_START.has(l[0]!) || NO_LINE_END.has(l[l.length - 1]!));
      expect(bad, p).toBe(true);
    }
  });

  it('no line of the PDF starts with closing or ends with opening punctuation, and the text is intact', async () => {
    const data = exampleData('bulletin') as object;
    const { pdf } = await renderPdf('bulletin', { ...data, summary: crafted });
    const file = writeTemp(pdf);
    // Page numbers (“— 1 —”) would sit between the halves of a paragraph that turns the page.
    const all = pdftotext(file, ['-f', '1', '-l', '2'])
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^—\s*\d+\s*—$/.test(l));
    const text = all.join('');
    for (const p of crafted) expect(squash(text)).toContain(p);
    const inCrafted = all.filter((l) => crafted.some((p) => p.includes(l)));
    expect(inCrafted.length).toBeGreaterThan(12);
    for (const l of all) {
      expect(NO_LINE_START.has(l[0]!), `line starts with closing punctuation: ${l}`).toBe(false);
      expect(NO_LINE_END.has(l[l.length - 1]!), `line ends with opening punctuation: ${l}`).toBe(false);
    }
    // The first crafted paragraph's first line gave up one character to the comma.
    expect([...inCrafted[0]!].length).toBe(25);
  });
});
