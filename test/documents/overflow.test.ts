/**
 * Text longer than the space it is set in stays on the page: a word wider than the line (a URL, a
 * long number) breaks between its characters, and a table row taller than a page continues on the
 * next one under the repeated header. Checked on real PDFs with pdftotext -bbox.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { MM, SETUP_TIMEOUT, pdftotext, squash, words, writeTemp, type Word } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const LEFT = 28 * MM;
const RIGHT = (28 + 156) * MM;
const TOP = 37 * MM;
const BOTTOM = (37 + 225) * MM;
const inside = (w: Word) =>
  w.xMin >= LEFT - 0.5 && w.xMax <= RIGHT + 0.5 && w.yMin >= TOP - 0.5 && w.yMax <= BOTTOM + 0.5;
/** Words of the long texts below (the letterhead and page numbers lie outside the block by design). */
const long = (w: Word) => /a{4}|9{4}|https|三分之一|生产经营/.test(w.text);
const outside = (ws: Word[]) => {
  expect(ws.filter(long).length).toBeGreaterThan(0);
  return ws.filter(long).filter((w) => !inside(w));
};

async function acceptance(edit: (data: any) => void): Promise<{ file: string; pages: number }> {
  const data: any = structuredClone(exampleData('acceptance'));
  edit(data);
  const { pdf, pages } = await renderPdf('acceptance', data);
  return { file: writeTemp(pdf, 'overflow.pdf'), pages };
}

describe('long text stays inside the text block', () => {
  it('a word wider than the line breaks between its characters, in a paragraph and in a table cell', async () => {
    const word = `https://yjj.example.gov.cn/${'a'.repeat(150)}`;
    const number = '9'.repeat(80);
    const { file } = await acceptance((d) => {
      Object.assign(d, { decision: 'returned', reasons: [`整改材料见${word}，请核对`], resubmitBy: '2027-07-10' });
      d.items[1].measure = `已公示，编号${number}`;
    });
    const all = words(file).flat();
    expect(outside(all)).toEqual([]);
    const text = squash(pdftotext(file, ['-raw']));
    expect(text).toContain(`整改材料见${word}，请核对`);
    expect(text).toContain(number);
  });

  it('a table row taller than a page continues on the next page, under the repeated header', async () => {
    const problem = '列入计划的一般生产经营单位比例不足三分之一。'.repeat(50); // 1100 characters
    const { file, pages } = await acceptance((d) => (d.items[0].problem = problem));
    const perPage = words(file);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(outside(perPage.flat())).toEqual([]);
    // Every character of the row is printed: none runs off the foot of the page.
    const printed = squash(pdftotext(file, ['-raw']));
    expect(printed.split('三分之一').length - 1).toBe(50);
    // Each page the row runs onto starts with the table's header.
    const rowPages = perPage.filter((ws) => ws.some((w) => w.text.includes('三分之一')));
    expect(rowPages.length).toBeGreaterThanOrEqual(2);
    for (const ws of rowPages) expect(ws.some((w) => w.text === '序号')).toBe(true);
  });
});
