/**
 * The OFD backend read by an independent reader (issue 26): every kind from its example data, and
 * every letter of one whole case, drawn from one layout as PDF and OFD; ofdrw (a Java OFD library
 * no one here wrote, test/ofd-reader) reads each OFD and renders its pages, poppler reads and
 * renders each PDF, and the two readings must agree: the pages, the text of each page, the fonts
 * (each declared font embedded in the package), where the ink falls on each page, and the
 * proofreader's rules (the same ones proofread.test.ts applies to the PDF's text).
 *
 * One JVM reads every OFD (test/helpers/ofdrw.ts `readOfd`): its start costs more than a letter.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderFiles, renderMarkup } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { DocumentKind } from '../../workflows/shared/documents';
import { compareInk } from '../helpers/ink';
import { caseLetters } from '../helpers/letter-case';
import { ensureOfdReader, OFD_READER_BUILD_TIMEOUT, readOfd, readPgm, type OfdReading } from '../helpers/ofdrw';
import { bodyParagraphs, plan, proofreadNotes, wholeCase } from '../helpers/proofread-letters';
import { pdfinfo, pdftotext, SETUP_TIMEOUT, tempDir } from './helpers';

/** Pixels per millimetre both readers draw at (203.2 dpi): a glyph 0.2 mm off moves 1.6 px. */
const PPM = 8;
/**
 * Ink of one drawing counts as matched when the other has ink within this many pixels (1 px =
 * 0.125 mm): the two rasterisers put their pixel grids up to a pixel apart and anti-alias
 * differently, so a stroke's edge may sit one pixel over (measured: worst 6 mm tile 7 % on correct
 * output, 28 % with one glyph 0.2 mm off, 69 % at 0.5 mm).
 */
const RADIUS = 1;
/** The judged tile: 6 mm, about one 三号 (16 pt) character; a tile with less ink is judged with the page. */
const TILE = 6 * PPM;
const MIN_TILE_INK = 50;
/** Of the ink in any tile, at most this fraction without ink of the other drawing near it. */
const MAX_TILE_UNMATCHED = 0.15;
/** Of all the ink on a page (measured: at most 0.03 % on correct output, 0.65 % with one glyph 0.2 mm off). */
const MAX_PAGE_UNMATCHED = 0.002;
/**
 * The ink's bounding boxes, edge by edge, in millimetres. ofdrw draws a rule's ends with square
 * caps (Java's default stroke) even with Cap="Butt", so a red rule reaches half its width (0.26 mm)
 * further than poppler draws it; plus a pixel of rounding either side.
 */
const MAX_BOX_DELTA_MM = 0.5;

interface Doc {
  name: string;
  kind: DocumentKind;
  data: unknown;
}

const DOCS: Doc[] = [
  ...DocumentKind.options.map((kind) => ({ name: kind, kind, data: exampleData(kind) })),
  ...caseLetters(wholeCase).map((l) => ({ name: `香山县 ${l.name}`, kind: l.kind, data: l.data as unknown })),
];

interface Drawn {
  pages: number;
  pdf: string;
  ofd: Buffer;
  paragraphs: string[];
  reading: OfdReading;
  /** Per page: poppler's drawing and ofdrw's, greyscale PGM files. */
  images: [string, string][];
}
const drawn = new Map<string, Drawn>();

beforeAll(
  async () => {
    await ensureDocumentTools();
    ensureOfdReader();
  },
  Math.max(SETUP_TIMEOUT, OFD_READER_BUILD_TIMEOUT),
);

beforeAll(async () => {
  const dir = tempDir('ofd-reader-');
  const opts = { templatesDir: plan.templatesDir };
  const files: { pages: number; pdf: string; ofdFile: string; ofd: Buffer; paragraphs: string[] }[] = [];
  for (const [i, d] of DOCS.entries()) {
    const { pages, pdf, ofd } = await renderFiles(d.kind, d.data, { ...opts, formats: ['pdf', 'ofd'] });
    const base = path.join(dir, `doc-${i}`);
    fs.writeFileSync(`${base}.pdf`, pdf!);
    fs.writeFileSync(`${base}.ofd`, ofd!);
    // poppler's drawing of every page, as doc-<i>-pdf-<page>.pgm (page numbers zero-padded past 9).
    execFileSync('pdftoppm', ['-gray', '-r', String(PPM * 25.4), `${base}.pdf`, `${base}-pdf`]);
    const paragraphs = bodyParagraphs(renderMarkup(d.kind, d.data, opts).markup);
    files.push({ pages, pdf: `${base}.pdf`, ofdFile: `${base}.ofd`, ofd: ofd!, paragraphs });
  }
  const readings = readOfd(
    files.map((f) => f.ofdFile),
    { imageDir: dir, ppm: PPM, format: 'pgm' },
  );
  DOCS.forEach((d, i) => {
    const f = files[i]!;
    const prefix = `doc-${i}-pdf-`;
    const pdfImages = fs
      .readdirSync(dir)
      .filter((n) => n.startsWith(prefix))
      .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
      .map((n) => path.join(dir, n));
    const reading = readings[i]!;
    const images = pdfImages.map((p, n) => [p, reading.images[n] ?? ''] as [string, string]);
    drawn.set(d.name, { pages: f.pages, pdf: f.pdf, ofd: f.ofd, paragraphs: f.paragraphs, reading, images });
  });
}, 120_000);

/**
 * A page's text, compared without its whitespace. pdftotext makes up spaces and line breaks from
 * the gaps between glyphs and writes an ideographic space (U+3000, in the 送达回证's 案件 line) as a
 * plain space; ofdrw gives each TextObject's TextCode on its own line, and the OFD leaves out blanks
 * at either end of a text item (they draw nothing: the next glyph's position carries them). Blank
 * space draws no ink; where it puts the glyphs is what the ink comparison below checks.
 */
const withoutWhitespace = (s: string) => s.replace(/\s+/gu, '');

const names = DOCS.map((d) => [d.name] as const);

describe('ofdrw reads the OFD as poppler reads the PDF drawn from the same layout', () => {
  it.each(names)('%s: opens, with the PDF’s pages', (name) => {
    const d = drawn.get(name)!;
    expect(d.reading.error, `ofdrw: ${d.reading.error}`).toBeUndefined();
    expect(Number(pdfinfo(d.pdf)['Pages'])).toBe(d.pages);
    expect(d.reading.pages).toBe(d.pages);
  });

  it.each(names)('%s: the same text on every page', (name) => {
    const d = drawn.get(name)!;
    // -raw: the text in the order it is drawn, as ofdrw gives it; pdftotext's reading order
    // would read a table's cells across rows where the layout draws them cell by cell.
    const pdfPages = pdftotext(d.pdf, ['-raw']).split('\f').slice(0, -1);
    expect(d.reading.text.map(withoutWhitespace)).toEqual(pdfPages.map(withoutWhitespace));
  });

  it.each(names)('%s: every font it declares is embedded in the package', (name) => {
    const d = drawn.get(name)!;
    const parts = unzipSync(new Uint8Array(d.ofd));
    expect(d.reading.fonts.length).toBeGreaterThan(0);
    for (const font of d.reading.fonts) {
      expect(font.file, `${font.name}: no FontFile`).not.toBeNull();
      // ofdrw gives the file's path in the package from its root.
      expect(
        parts[font.file!.replace(/^\//, '')]?.length ?? 0,
        `${font.name}: ${font.file} not in the package`,
      ).toBeGreaterThan(0);
    }
  });

  it.each(names)('%s: the ink on every page where the PDF puts it', (name) => {
    const d = drawn.get(name)!;
    expect(d.images).toHaveLength(d.pages);
    const faults: string[] = [];
    d.images.forEach(([pdfImage, ofdImage], n) => {
      const c = compareInk(readPgm(pdfImage), readPgm(ofdImage), {
        radius: RADIUS,
        tile: TILE,
        minInk: MIN_TILE_INK,
      });
      const mm = (px: number) => (px / PPM).toFixed(1);
      const at = `page ${n + 1}`;
      if (c.boxDelta > MAX_BOX_DELTA_MM * PPM)
        faults.push(`${at}: ink box ${JSON.stringify(c.box)} px, edges up to ${mm(c.boxDelta)} mm apart`);
      if (c.unmatched > MAX_PAGE_UNMATCHED)
        faults.push(`${at}: ${(c.unmatched * 100).toFixed(2)} % of the ink without ink of the other drawing near it`);
      if (c.worst.fraction > MAX_TILE_UNMATCHED)
        faults.push(
          `${at}: ${(c.worst.fraction * 100).toFixed(0)} % of the ink unmatched in the 6 mm tile at x ${mm(c.worst.x)} mm, y ${mm(c.worst.y)} mm`,
        );
    });
    expect(faults.join('\n')).toBe('');
  });

  it.each(names)('%s: the OFD’s text, as ofdrw reads it, passes the proofreader', (name) => {
    const d = drawn.get(name)!;
    expect(proofreadNotes(name, { text: d.reading.text.join('\n'), paragraphs: d.paragraphs })).toBe('');
  });
});
