/**
 * Draws a laid-out document with pdfkit. Fonts are embedded as subsets (pdfkit always subsets
 * and writes a ToUnicode map, which is what keeps the text searchable and copyable).
 *
 * pdfkit's public `doc.font(bytes)` parses the font file again for every document. A 15 MB CJK
 * font costs tens of milliseconds to re-decode, so instead the process-wide fontkit objects from
 * fonts.ts are wrapped in pdfkit's own EmbeddedFont class and registered in the document's font
 * cache under a name; `doc.font(name)` then finds them. This leans on two pdfkit internals
 * (`_fontFamilies`, `_fontCount`); pdfkit is pinned to an exact version and the rendering tests
 * would catch a change.
 *
 * Glyph runs come straight from the cmap, not from fontkit's shaper: the layout engine measured
 * every character by its cmap glyph (fonts.ts `advance`: CJK text needs no shaping), so the drawn
 * glyphs are exactly the measured ones, and each face's code point → glyph table is built once per
 * process (`layoutRun` is the one method of pdfkit's EmbeddedFont that turns text into glyphs).
 */
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import type * as fontkit from 'fontkit';
import type { FontSet } from './fonts';
import { A4, type DrawItem, type LaidOutDocument } from './layout';

export interface PdfMeta {
  title: string;
  author: string;
  subject: string;
  keywords?: string;
  /** Recorded as creation date; a fixed date keeps the bytes reproducible for the same input. */
  created: Date;
}

interface PdfkitFontCache {
  _fontFamilies: Record<string, unknown>;
  _fontCount: number;
}
type EmbeddedFontClass = new (
  doc: PDFKit.PDFDocument,
  font: fontkit.Font,
  id: string,
) => { font: fontkit.Font; scale: number; subset: { glyphs: number[]; cff?: unknown }; embed(): unknown };

/** What pdfkit's EmbeddedFont reads of a glyph: its id, advance (font units) and code points (ToUnicode). */
interface RunGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface RunPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}
interface GlyphRun {
  glyphs: RunGlyph[];
  positions: RunPosition[];
  /** In 1/1000 em, as pdfkit's own layoutRun leaves it. */
  advanceWidth: number;
}

/** Per font, per code point: the cmap glyph and its advance in 1/1000 em; kept for the process. */
const cmapGlyphs = new WeakMap<fontkit.Font, Map<number, { glyph: RunGlyph; advance: number }>>();

function cmapGlyph(font: fontkit.Font, scale: number, cp: number): { glyph: RunGlyph; advance: number } {
  let table = cmapGlyphs.get(font);
  if (!table) cmapGlyphs.set(font, (table = new Map()));
  let g = table.get(cp);
  if (!g) {
    const glyph = font.glyphForCodePoint(cp);
    g = {
      glyph: { id: glyph.id, advanceWidth: glyph.advanceWidth, codePoints: [cp] },
      advance: glyph.advanceWidth * scale,
    };
    table.set(cp, g);
  }
  return g;
}

/** A TrueType glyph as fontkit parses it: `_decode` reads its points from the glyf table on every call. */
interface TrueTypeGlyph {
  _decode(): unknown;
}
const decodedOnce = new WeakSet<object>();

/**
 * fontkit's TrueType subsetter decodes every glyph's points again for every document (only to see
 * whether it is a composite). The decoded glyph never changes for a static font, so each glyph
 * object (fontkit keeps one per glyph id for the life of the font) keeps its first decoding.
 */
function decodeOnce(font: fontkit.Font, gid: number): void {
  const glyph = font.getGlyph(gid) as unknown as TrueTypeGlyph;
  if (decodedOnce.has(glyph)) return;
  const decoded = glyph._decode();
  glyph._decode = () => decoded;
  decodedOnce.add(glyph);
}

let embeddedFontClass: EmbeddedFontClass | undefined;

/** pdfkit does not export EmbeddedFont; take its constructor from a font opened once. */
function getEmbeddedFontClass(sampleFile: string): EmbeddedFontClass {
  if (!embeddedFontClass) {
    const probe = new PDFDocument({ autoFirstPage: false, font: null } as unknown as PDFKit.PDFDocumentOptions);
    probe.font(fs.readFileSync(sampleFile));
    const Base = (probe as unknown as { _font: { constructor: EmbeddedFontClass } })._font.constructor;
    embeddedFontClass = class extends Base {
      layoutRun(text: string): GlyphRun {
        const glyphs: RunGlyph[] = [];
        const positions: RunPosition[] = [];
        let advanceWidth = 0;
        for (const ch of text) {
          const { glyph, advance } = cmapGlyph(this.font, this.scale, ch.codePointAt(0)!);
          glyphs.push(glyph);
          positions.push({ xAdvance: advance, yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: advance });
          advanceWidth += advance;
        }
        return { glyphs, positions, advanceWidth };
      }

      override embed() {
        const variable = (this.font as unknown as { _variationProcessor?: unknown })._variationProcessor;
        if (!this.subset.cff && !variable) for (const gid of this.subset.glyphs) decodeOnce(this.font, gid);
        return super.embed();
      }
    };
  }
  return embeddedFontClass;
}

/** Renders the pages to PDF bytes. */
export function writePdf(laid: LaidOutDocument, meta: PdfMeta, fonts: FontSet): Promise<Buffer> {
  const doc = new PDFDocument({
    size: [A4.width, A4.height],
    margin: 0,
    autoFirstPage: false,
    // No default font: pdfkit would otherwise parse Helvetica's metrics for every document.
    font: null,
    compress: true,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: meta.title,
      Author: meta.author,
      Subject: meta.subject,
      ...(meta.keywords ? { Keywords: meta.keywords } : {}),
      Creator: 'guidance-engine',
      Producer: 'guidance-engine (pdfkit)',
      CreationDate: meta.created,
      ModDate: meta.created,
    },
  } as unknown as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const Embedded = getEmbeddedFontClass(fonts.faces.song.file);
  const cache = doc as unknown as PdfkitFontCache;
  // One embedded font per font file, however many roles share it (fallbacks).
  const keyOf = new Map<string, string>();
  const useFace = (face: keyof FontSet['faces']) => {
    const f = fonts.faces[face];
    let key = keyOf.get(f.file);
    if (!key) {
      key = `face-${keyOf.size}`;
      cache._fontFamilies[key] = new Embedded(doc, f.font, `F${++cache._fontCount}`);
      keyOf.set(f.file, key);
    }
    return key;
  };

  for (const items of laid.pages) {
    doc.addPage({ size: [A4.width, A4.height], margin: 0 });
    drawPage(doc, items, useFace);
  }
  doc.end();
  return done;
}

function drawPage(
  doc: PDFKit.PDFDocument,
  items: DrawItem[],
  useFace: (f: Extract<DrawItem, { t: 'text' }>['face']) => string,
) {
  for (const it of items) {
    if (it.t === 'text') {
      doc
        .font(useFace(it.face))
        .fontSize(it.size)
        .fillColor([...it.color] as [number, number, number, number])
        .text(it.text, it.x, it.y, { lineBreak: false, baseline: 'alphabetic', characterSpacing: it.tracking });
    } else {
      doc
        .lineWidth(it.width)
        .strokeColor([...it.color] as [number, number, number, number])
        .moveTo(it.x1, it.y1)
        .lineTo(it.x2, it.y2)
        .stroke();
    }
  }
}
