/**
 * GB/T 9704-2012 geometry, checked on real PDFs (positions from `pdftotext -bbox`, colour from
 * pdftoppm pixels) and on the layout engine's output (faces and sizes).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFonts } from '../../activities/documents/fonts';
import { CHAR_PITCH, LINE_PITCH, RED, layoutDocument, type DrawItem } from '../../activities/documents/layout';
import { renderMarkup, renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { MM, raster, SETUP_TIMEOUT, words, writeTemp, type Word } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const LEFT = 28 * MM;
const RIGHT = (28 + 156) * MM;
const TOP = 37 * MM;
const BOTTOM = (37 + 225) * MM;
const near = (a: number, b: number, tol = 0.5) => Math.abs(a - b) <= tol;

describe('the grid: A4, 37 mm / 28 mm margins, 22 lines × 28 characters of 16 pt', () => {
  it('22 lines fill 225 mm and 28 characters fill 156 mm', () => {
    expect(LINE_PITCH * 22).toBeCloseTo(225 * MM, 6);
    expect(CHAR_PITCH * 28).toBeCloseTo(156 * MM, 6);
  });

  let pages: Word[][] = [];
  beforeAll(async () => {
    const { pdf } = await renderPdf('notice', exampleData('notice'));
    pages = words(writeTemp(pdf));
  });

  it('body lines sit on the text block: 28 mm from the left, justified to 184 mm, indented two characters', () => {
    const body = pages[0]!.filter((w) => w.yMin > TOP + 10 * LINE_PITCH && w.yMin < BOTTOM && !w.text.startsWith('—'));
    expect(body.length).toBeGreaterThan(5);
    for (const w of body) {
      expect(w.xMin >= LEFT - 0.01, `${w.text} starts left of the text block`).toBe(true);
      expect(w.xMax <= RIGHT + 0.5, `${w.text} runs past the text block`).toBe(true);
    }
    // A paragraph's first line is indented two characters; its following lines start flush.
    const first = body.find((w) => w.text.startsWith('根据《'))!;
    expect(near(first.xMin, LEFT + 2 * CHAR_PITCH)).toBe(true);
    const second = body.find((w) => w.text.startsWith('案》安排'))!;
    expect(near(second.xMin, LEFT)).toBe(true);
    // Full lines are justified to the right edge of the block (the last glyph's 0.21 pt tracking aside).
    expect(near(first.xMax, RIGHT, 0.5)).toBe(true);
    expect(near(second.xMax, RIGHT, 0.5)).toBe(true);
    // Consecutive lines are one grid pitch (225/22 mm) apart.
    expect(second.yMin - first.yMin).toBeCloseTo(LINE_PITCH, 2);
  });

  it('a full line of Chinese text holds 28 characters (26 after the indent)', async () => {
    const data = exampleData('bulletin') as { summary: string[] };
    // 100 characters and the 。 that closes the paragraph, no punctuation to push within a line.
    const paragraph = `${'安全生产执法指导工作'.repeat(10)}。`;
    const { pdf } = await renderPdf('bulletin', { ...data, summary: [paragraph] });
    const lines = words(writeTemp(pdf))[0]!.filter((w) => paragraph.includes(w.text) && w.text.length > 10);
    expect(lines.map((w) => [...w.text].length)).toEqual([26, 28, 28, 19]);
    for (const w of lines.slice(0, 3)) expect(near(w.xMax, RIGHT, 0.5)).toBe(true);
  });

  it('a page holds at most 22 lines, all inside the text block', () => {
    for (const page of pages) {
      const lines = new Set(page.filter((w) => w.yMin < BOTTOM).map((w) => Math.round((w.yMin - TOP) / LINE_PITCH)));
      expect(lines.size).toBeLessThanOrEqual(22);
    }
  });

  it('page numbers “— n —” in 4号 7 mm under the block: odd pages right, even pages left, one character in', () => {
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => {
      const n = i + 1;
      const num = page.filter((w) => w.yMin > BOTTOM);
      expect(num.map((w) => w.text).join(' ')).toBe(`— ${n} —`);
      expect(num[0]!.yMin).toBeGreaterThan(BOTTOM + 4 * MM);
      expect(num[0]!.yMin).toBeLessThan(BOTTOM + 9 * MM);
      if (n % 2 === 1) expect(near(num[num.length - 1]!.xMax, RIGHT - 14)).toBe(true);
      else expect(near(num[0]!.xMin, LEFT + 14)).toBe(true);
    });
  });
});

describe('letterhead, title and headings', () => {
  const laid = () => {
    const { markup } = renderMarkup('notice', exampleData('notice'));
    return layoutDocument(markup, loadFonts()).pages;
  };
  const texts = (items: DrawItem[]) => items.filter((i): i is Extract<DrawItem, { t: 'text' }> => i.t === 'text');

  it('bureau name in red above a red rule the width of the text block, number centred between them', () => {
    const page = laid()[0]!;
    const name = texts(page).find((t) => t.text === '河洛市应急管理局')!;
    expect(name.color).toEqual(RED);
    expect(name.face).toBe('songHeavy');
    const rule = page.find((i) => i.t === 'line' && i.color === RED)!;
    expect(rule).toMatchObject({ x1: LEFT, x2: LEFT + 156 * MM });
    const number = texts(page).find((t) => t.text.includes('〔2027〕'))!;
    expect(number.y).toBeGreaterThan(name.y);
    expect(number.y).toBeLessThan((rule as { y1: number }).y1);
  });

  it('title 22 pt in the Song bold face, body 16 pt FangSong, 一、 in Hei, （一） in Kai', () => {
    const all = texts(laid().flat());
    expect(all.find((t) => t.text.startsWith('关于对香山县'))).toMatchObject({ size: 22, face: 'songBold' });
    expect(all.find((t) => t.text.startsWith('一、指导时间'))).toMatchObject({ size: 16, face: 'hei' });
    expect(all.find((t) => t.text.startsWith('（一）执法计划'))).toMatchObject({ size: 16, face: 'kai' });
    expect(all.find((t) => t.text.startsWith('根据《'))).toMatchObject({ size: 16, face: 'fang' });
    const pageNumber = all.find((t) => t.text === '— 1 —');
    expect(pageNumber).toMatchObject({ size: 14 });
  });

  it('signoff: the date starts two characters right of the bureau name, two characters from the edge', () => {
    const all = texts(laid().flat());
    const org = all.filter((t) => t.text === '河洛市应急管理局').pop()!;
    const date = all.find((t) => t.text === '2027年4月8日')!;
    expect(date.x - org.x).toBeCloseTo(2 * CHAR_PITCH, 3);
    expect(date.y - org.y).toBeCloseTo(LINE_PITCH, 3);
    const orgRight = org.x + 8 * CHAR_PITCH;
    expect(orgRight).toBeCloseTo(RIGHT - 2 * CHAR_PITCH, 1);
  });

  it('the printed letterhead is red and the body black (pixels)', async () => {
    const { pdf } = await renderPdf('notice', exampleData('notice'));
    const { width, rgb } = raster(writeTemp(pdf), 1, 50);
    const px = 50 / 72;
    const count = (y0: number, y1: number, red: boolean) => {
      let n = 0;
      for (let y = Math.round(y0 * px); y < Math.round(y1 * px); y++) {
        for (let x = 0; x < width; x++) {
          const o = (y * width + x) * 3;
          const [r, g, b] = [rgb[o]!, rgb[o + 1]!, rgb[o + 2]!];
          if (red ? r > 180 && g < 90 && b < 90 : r < 90 && g < 90 && b < 90) n++;
        }
      }
      return n;
    };
    expect(count(TOP, TOP + 2 * LINE_PITCH, true)).toBeGreaterThan(200); // the bureau name
    expect(count(TOP + 10 * LINE_PITCH, BOTTOM, true)).toBe(0); // no red in the body
    expect(count(TOP + 10 * LINE_PITCH, BOTTOM, false)).toBeGreaterThan(500); // black text
  });

  it('letter format (信函格式): name 30 mm from the top edge, number flush right, no page number on page 1', async () => {
    const { pdf } = await renderPdf('opinion', exampleData('opinion'));
    const pages = words(writeTemp(pdf));
    const name = pages[0]!.find((w) => w.text === '河洛市应急管理局')!;
    expect(name.yMin).toBeLessThan(TOP); // above the text block
    const number = pages[0]!.find((w) => w.text === '河洛应急指导〔2027〕3号')!;
    expect(near(number.xMax, RIGHT, 0.5)).toBe(true);
    expect(pages[0]!.some((w) => w.yMin > BOTTOM && w.text === '—')).toBe(false);
    expect(
      pages[1]!
        .filter((w) => w.yMin > BOTTOM)
        .map((w) => w.text)
        .join(' '),
    ).toBe('— 2 —');
  });
});
