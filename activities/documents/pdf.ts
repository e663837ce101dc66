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
type EmbeddedFontClass = new (doc: PDFKit.PDFDocument, font: fontkit.Font, id: string) => unknown;

let embeddedFontClass: EmbeddedFontClass | undefined;

/** pdfkit does not export EmbeddedFont; take its constructor from a font opened once. */
function getEmbeddedFontClass(sampleFile: string): EmbeddedFontClass {
  if (!embeddedFontClass) {
    const probe = new PDFDocument({ autoFirstPage: false, font: null } as unknown as PDFKit.PDFDocumentOptions);
    probe.font(fs.readFileSync(sampleFile));
    embeddedFontClass = (probe as unknown as { _font: { constructor: EmbeddedFontClass } })._font.constructor;
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

function drawPage(doc: PDFKit.PDFDocument, items: DrawItem[], useFace: (f: Extract<DrawItem, { t: 'text' }>['face']) => string) {
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
