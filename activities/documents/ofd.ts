/**
 * Draws a laid-out document as OFD (GB/T 33190-2016, 版式文档), the second backend beside pdf.ts:
 * the same `LaidOutDocument`, so every character and rule sits where the PDF puts it.
 *
 * The package: OFD.xml (document info) → Doc_0/Document.xml (page area, page list) →
 * Doc_0/PublicRes.xml (one font per font file with its embedded subset) →
 * Doc_0/Pages/Page_N/Content.xml (one layer of TextObjects and PathObjects). Units are millimetres.
 * Each text item is one TextObject whose TextCode gives every glyph's offset (DeltaX), so a reader
 * places glyphs by the engine's own measurements and the text stays searchable and copyable.
 * Fonts are subset by HarfBuzz (font-subset.ts), which keeps the cmap a reader needs to map the
 * TextCode's characters to glyphs; the package is zipped by fflate with the document's own date,
 * so the same input gives the same bytes (ofd-package.ts).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pack, packedFont, zipPackage, type Packed } from './ofd-package';
import { advance, twinName, type FaceName, type FontSet } from './fonts';
import { A4, EM_ASCENT, MM, type Color, type DrawItem, type LaidOutDocument } from './geometry';
import type { PdfMeta } from './pdf';

const NS = 'http://www.ofdspec.org/2016';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Millimetres, to 3 decimals (a micrometre: far below a pixel at any reader's zoom). */
const mm = (pt: number) => String(Math.round((pt / MM) * 1000) / 1000);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type TextItem = Extract<DrawItem, { t: 'text' }>;

/**
 * CMYK in percent → RGB, the default colour space: the PDF keeps CMYK for the print shop, but an
 * OFD reader (ofdrw 2.3) draws nothing in a CMYK colour space, and red M+Y 100 is RGB 255 0 0.
 */
const rgb = ([c, m, y, k]: Color) => [c, m, y].map((v) => Math.round(255 * (1 - v / 100) * (1 - k / 100))).join(' ');

/**
 * A CFF face has no TrueType twin on this host: set-up (`npm run setup`) makes it. The document
 * activity reports this as PlanNotServable, so the case waits in an incident until the worker is fixed.
 */
export class OfdFontMissing extends Error {
  constructor(readonly fontFile: string) {
    super(
      `本工作进程缺少字体 ${path.basename(fontFile)} 的 TrueType 版本（${twinName(fontFile)}），无法生成 OFD 版式文件：请在工作进程所在机器上运行 npm run setup`,
    );
    this.name = 'OfdFontMissing';
  }
}

/** Renders the pages to OFD bytes (a zip package). */
export async function writeOfd(laid: LaidOutDocument, meta: PdfMeta, fonts: FontSet): Promise<Buffer> {
  let nextId = 0;
  const id = () => ++nextId;

  // One font resource per font file, as in the PDF, with the characters it draws; a CFF face is
  // embedded as its TrueType twin (fonts.ts `ofdFile`), which readers on Java's font stack draw.
  const fontOf = new Map<string, { id: number; face: FaceName; chars: Set<string> }>();
  const fontFor = (face: FaceName) => {
    const file = fonts.faces[face].ofdFile;
    if (!file) throw new OfdFontMissing(fonts.faces[face].file);
    let f = fontOf.get(file);
    if (!f) fontOf.set(file, (f = { id: id(), face, chars: new Set() }));
    return f;
  };
  for (const page of laid.pages)
    for (const it of page) if (it.t === 'text') for (const ch of it.text) fontFor(it.face).chars.add(ch);

  const files: Record<string, Uint8Array> = {};
  const pageIds: number[] = [];
  laid.pages.forEach((items, n) => {
    const layer = id();
    const objects = items.map((it) =>
      it.t === 'text' ? textObject(it, id(), fontFor(it.face).id) : pathObject(it, id()),
    );
    pageIds.push(id());
    files[`Doc_0/Pages/Page_${n}/Content.xml`] = utf8(
      `${XML_HEAD}<ofd:Page xmlns:ofd="${NS}"><ofd:Content><ofd:Layer ID="${layer}">${objects.join('')}</ofd:Layer></ofd:Content></ofd:Page>`,
    );
  });

  const fontEntries: string[] = [];
  const fontFiles: [string, Packed][] = [];
  for (const [file, f] of fontOf) {
    const font = fonts.faces[f.face].font;
    const name = `font_${f.id}.ttf`;
    fontFiles.push([`Doc_0/Res/${name}`, packedFont(file, f.chars)]);
    fontEntries.push(
      `<ofd:Font ID="${f.id}" FontName="${esc(font.postscriptName)}" FamilyName="${esc(font.familyName)}"><ofd:FontFile>${name}</ofd:FontFile></ofd:Font>`,
    );
  }
  files['Doc_0/PublicRes.xml'] = utf8(
    `${XML_HEAD}<ofd:Res xmlns:ofd="${NS}" BaseLoc="Res"><ofd:Fonts>${fontEntries.join('')}</ofd:Fonts></ofd:Res>`,
  );
  files['Doc_0/Document.xml'] = utf8(
    `${XML_HEAD}<ofd:Document xmlns:ofd="${NS}"><ofd:CommonData><ofd:MaxUnitID>${nextId}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 ${mm(A4.width)} ${mm(A4.height)}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>${pageIds
      .map((p, n) => `<ofd:Page ID="${p}" BaseLoc="Pages/Page_${n}/Content.xml"/>`)
      .join('')}</ofd:Pages></ofd:Document>`,
  );
  const day = meta.created.toISOString().slice(0, 10);
  // A stable identifier: the same document gives the same one (GB/T 33190 asks for a UUID-like DocID).
  const docId = createHash('sha256')
    .update(JSON.stringify([meta.title, meta.subject, meta.keywords ?? '', day, laid.pages]))
    .digest('hex')
    .slice(0, 32);
  files['OFD.xml'] = utf8(
    `${XML_HEAD}<ofd:OFD xmlns:ofd="${NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>${docId}</ofd:DocID><ofd:Title>${esc(meta.title)}</ofd:Title><ofd:Author>${esc(meta.author)}</ofd:Author><ofd:Subject>${esc(meta.subject)}</ofd:Subject>${meta.keywords ? `<ofd:Keywords><ofd:Keyword>${esc(meta.keywords)}</ofd:Keyword></ofd:Keywords>` : ''}<ofd:CreationDate>${day}</ofd:CreationDate><ofd:ModDate>${day}</ofd:ModDate><ofd:Creator>guidance-engine</ofd:Creator></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
  );
  // OFD.xml first, as readers that stream the package expect; every entry dated by the document.
  const ordered: [string, Packed][] = [['OFD.xml', pack(files['OFD.xml']!)]];
  for (const [k, v] of Object.entries(files)) if (k !== 'OFD.xml') ordered.push([k, pack(v)]);
  for (const [k, v] of fontFiles) ordered.push([k, v]);
  return zipPackage(ordered, meta.created);

  /** A text item: its glyphs' advances as the layout measured them, plus the tracking after each. */
  function textObject(it: TextItem, objectId: number, font: number): string {
    const chars = [...it.text];
    const steps = chars.map((ch) => (advance(fonts.faces[it.face], ch.codePointAt(0)!) * it.size) / 1000 + it.tracking);
    // Blanks at either end are space, not text: the first and last glyphs drawn carry the position.
    let first = 0;
    let x = it.x;
    while (first < chars.length && chars[first] === ' ') x += steps[first++]!;
    let last = chars.length;
    while (last > first && chars[last - 1] === ' ') last--;
    if (last === first) return '';
    const width = steps.slice(first, last).reduce((a, b) => a + b, 0);
    const top = it.y - it.size * EM_ASCENT;
    const deltas = steps
      .slice(first, last - 1)
      .map(mm)
      .join(' ');
    return `<ofd:TextObject ID="${objectId}" Boundary="${mm(x)} ${mm(top)} ${mm(width)} ${mm(it.size)}" Font="${font}" Size="${mm(it.size)}"><ofd:FillColor Value="${rgb(it.color)}"/><ofd:TextCode X="0" Y="${mm(it.size * EM_ASCENT)}"${deltas ? ` DeltaX="${deltas}"` : ''}>${esc(chars.slice(first, last).join(''))}</ofd:TextCode></ofd:TextObject>`;
  }
}

/** A rule: a stroked path in a box around it (OFD positions every object by its Boundary). */
function pathObject(it: Extract<DrawItem, { t: 'line' }>, objectId: number): string {
  const pad = it.width / 2;
  const x0 = Math.min(it.x1, it.x2) - pad;
  const y0 = Math.min(it.y1, it.y2) - pad;
  const w = Math.abs(it.x2 - it.x1) + 2 * pad;
  const h = Math.abs(it.y2 - it.y1) + 2 * pad;
  return `<ofd:PathObject ID="${objectId}" Boundary="${mm(x0)} ${mm(y0)} ${mm(w)} ${mm(h)}" LineWidth="${mm(it.width)}" Stroke="true" Fill="false"><ofd:StrokeColor Value="${rgb(it.color)}"/><ofd:AbbreviatedData>M ${mm(it.x1 - x0)} ${mm(it.y1 - y0)} L ${mm(it.x2 - x0)} ${mm(it.y2 - y0)}</ofd:AbbreviatedData></ofd:PathObject>`;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
