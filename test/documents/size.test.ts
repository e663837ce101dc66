/**
 * Issue 16's size goal for the two-page example letter, on a real render checked with poppler.
 *
 * Every face is embedded as a subset holding exactly the glyphs drawn (pdffonts: emb, sub, uni).
 * The 80 KB goal is out of reach with these faces: FandolFang's outlines average ~400 compressed
 * bytes a glyph (no subroutines, charstrings already compact), so its 212-glyph subset alone is
 * ~85 KB, as large in Typst's output (bench/RESULTS.md, "Document rendering"). The it.fails below
 * keeps that gap visible; the bound above it catches any regression (a font embedded twice, a
 * subset that copies more than its glyphs, an uncompressed stream).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { pdffonts, SETUP_TIMEOUT, writeTemp } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

describe('the two-page example opinion letter', () => {
  let bytes = 0;
  let file = '';
  beforeAll(async () => {
    const r = await renderPdf('opinion', exampleData('opinion'));
    expect(r.pages).toBe(2);
    bytes = r.pdf.length;
    file = writeTemp(r.pdf, 'opinion-two-pages.pdf');
  }, 60_000);

  it('embeds all six faces, each once, as subsets with Unicode maps', () => {
    const fonts = pdffonts(file);
    const names = fonts.map((f) => f.name.slice(7)).sort();
    expect(names).toEqual([
      'FandolFang-Regular',
      'FandolKai-Regular',
      'NotoSansSC-Medium',
      'NotoSerifSC-Black',
      'NotoSerifSC-Bold',
      'NotoSerifSC-Regular',
    ]);
    for (const f of fonts) expect(f, JSON.stringify(f)).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
  });

  it('stays within 132 KB (127.4 KB when issue 16 measured it)', () => {
    expect(bytes).toBeLessThanOrEqual(132 * 1024);
  });

  it.fails('is at most 80 KB (issue 16 goal; not reachable with FandolFang embedded as it is)', () => {
    expect(bytes).toBeLessThanOrEqual(80 * 1024);
  });
});
