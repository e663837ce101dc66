/**
 * The OFD backend (activities/documents/ofd.ts) on the example opinion letter, read back with
 * fflate and fontkit: the package's parts and their references, every page's text in drawing
 * order as the layout set it, every glyph's offset the layout's, each embedded subset font able to
 * draw every character it is asked for, and the same bytes for the same input. An independent
 * reader (ofdrw) is the next layer (issue 26).
 */
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import * as fontkit from 'fontkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFonts } from '../../activities/documents/fonts';
import { layoutDocument } from '../../activities/documents/layout';
import { MM, type LaidOutDocument } from '../../activities/documents/geometry';
import { writeOfd } from '../../activities/documents/ofd';
import { renderMarkup } from '../../activities/documents/render';

const META = {
  title: '安全生产执法指导意见书',
  author: '河洛市应急管理局',
  subject: '执法指导意见书',
  created: new Date('2027-03-01T00:00:00+08:00'),
};
let laid: LaidOutDocument;
let parts: Record<string, Uint8Array>;
let bytes: Buffer;
const text = (name: string) => new TextDecoder().decode(parts[name]);

beforeAll(async () => {
  const data = JSON.parse(fs.readFileSync('examples/documents/opinion.json', 'utf8'));
  laid = layoutDocument(renderMarkup('opinion', data).markup, loadFonts());
  bytes = await writeOfd(laid, META, loadFonts());
  parts = unzipSync(new Uint8Array(bytes));
}, 60_000);

describe('OFD backend', () => {
  it('is a package whose parts reference each other', () => {
    expect(Object.keys(parts)[0]).toBe('OFD.xml');
    expect(text('OFD.xml')).toContain('<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>');
    expect(text('OFD.xml')).toContain(`<ofd:Title>${META.title}</ofd:Title>`);
    const doc = text('Doc_0/Document.xml');
    expect(doc).toContain('<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>');
    const pages = [...doc.matchAll(/BaseLoc="(Pages\/Page_\d+\/Content\.xml)"/g)].map((m) => m[1]!);
    expect(pages).toHaveLength(laid.pages.length);
    for (const p of pages) expect(parts[`Doc_0/${p}`]).toBeDefined();
    const res = text('Doc_0/PublicRes.xml');
    const fontFiles = [...res.matchAll(/<ofd:FontFile>([^<]+)<\/ofd:FontFile>/g)].map((m) => m[1]!);
    expect(fontFiles.length).toBeGreaterThan(0);
    for (const f of fontFiles) expect(parts[`Doc_0/Res/${f}`]?.length).toBeGreaterThan(0);
    // Every id unique, and MaxUnitID the largest.
    const ids = Object.entries(parts)
      .filter(([k]) => k.endsWith('.xml'))
      .flatMap(([k]) => [...text(k).matchAll(/ ID="(\d+)"/g)].map((m) => Number(m[1])));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Number(/<ofd:MaxUnitID>(\d+)</.exec(doc)![1])).toBe(Math.max(...ids));
  });

  it('sets every page’s text, glyph by glyph, where the layout put it', () => {
    laid.pages.forEach((items, n) => {
      const xml = text(`Doc_0/Pages/Page_${n}/Content.xml`);
      const codes = [
        ...xml.matchAll(
          /Boundary="([\d.]+) [\d.]+ [\d.]+ [\d.]+" Font="\d+" Size="[\d.]+">.*?<ofd:TextCode X="0" Y="[\d.]+"(?: DeltaX="([^"]*)")?>([^<]*)<\/ofd:TextCode>/g,
        ),
      ];
      const drawn = items.filter((it) => it.t === 'text' && it.text.trim() !== '');
      expect(codes.map((m) => m[3])).toEqual(drawn.map((it) => (it as { text: string }).text.trim()));
      // The first glyph of each object at the layout's x (allowing for leading blanks), within 0.001 mm.
      codes.forEach((m, i) => {
        const it = drawn[i] as { x: number; text: string };
        if (!it.text.startsWith(' ')) expect(Math.abs(Number(m[1]) - it.x / MM)).toBeLessThan(0.0011);
        const deltas = m[2] ? m[2].split(' ') : [];
        expect(deltas).toHaveLength([...m[3]!].length - 1);
      });
    });
  });

  it('embeds subset fonts that draw every character set in them', () => {
    const res = text('Doc_0/PublicRes.xml');
    const fileOf = new Map(
      [...res.matchAll(/<ofd:Font ID="(\d+)"[^>]*><ofd:FontFile>([^<]+)</g)].map((m) => [m[1]!, m[2]!]),
    );
    const charsOf = new Map<string, Set<string>>();
    for (let n = 0; n < laid.pages.length; n++)
      for (const m of text(`Doc_0/Pages/Page_${n}/Content.xml`).matchAll(
        /Font="(\d+)"[^>]*>.*?<ofd:TextCode[^>]*>([^<]*)</g,
      )) {
        const set = charsOf.get(m[1]!) ?? new Set<string>();
        for (const ch of m[2]!) set.add(ch);
        charsOf.set(m[1]!, set);
      }
    for (const [fontId, chars] of charsOf) {
      const font = fontkit.create(Buffer.from(parts[`Doc_0/Res/${fileOf.get(fontId)}`]!)) as fontkit.Font;
      for (const ch of chars)
        if (ch !== ' ') expect(font.hasGlyphForCodePoint(ch.codePointAt(0)!), `${ch} in font ${fontId}`).toBe(true);
      // A subset: far fewer glyphs than the CJK font it came from.
      expect(font.numGlyphs).toBeLessThan(chars.size + 50);
    }
  });

  it('gives the same bytes for the same document', async () => {
    expect(Buffer.compare(await writeOfd(laid, META, loadFonts()), bytes)).toBe(0);
  });
});
