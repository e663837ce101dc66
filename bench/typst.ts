/**
 * The benchmark's Typst twin of a document: the same markup, fonts and GB/T 9704 figures written as
 * Typst source (.typ), compiled in-process and warm by PyPI's `typst` package (bench/typst-compile.py).
 * Like bench/html.ts, it is an anchor for speed and size, not a second renderer: it sets the same
 * text in the same faces on the same grid (A4, 版心 156 × 225 mm, 22 lines of 16 pt, 2-em indents).
 */
import path from 'node:path';
import type { FaceName, FontSet } from '../activities/documents/fonts';
import type { Block, DocumentMarkup, Inline } from '../activities/documents/markup';

/** Text as a Typst string literal: no markup character in the data can change the document. */
const str = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')}"`;

/** The Typst family (and weight) of each face, as the font files name themselves. */
function faceFont(fonts: FontSet, face: FaceName): { family: string; weight: number } {
  const f = fonts.faces[face];
  const file = path.basename(f.file);
  if (file.startsWith('FandolFang')) return { family: 'FandolFang R', weight: 400 };
  if (file.startsWith('FandolKai')) return { family: 'FandolKai', weight: 400 };
  if (file.startsWith('NotoSans')) return { family: 'Noto Sans SC', weight: 500 };
  const weight = /Black/.test(file) ? 900 : /Bold/.test(file) ? 700 : 400;
  return { family: 'Noto Serif SC', weight };
}

/** The folders holding the faces' files (Typst takes font folders, not files). */
export function typstFontDirs(fonts: FontSet): string[] {
  return [...new Set(Object.values(fonts.faces).map((f) => path.dirname(f.file)))];
}

/** Source for a document's markup. */
export function markupToTypst(markup: DocumentMarkup, fonts: FontSet): string {
  const font = (face: FaceName) => {
    const { family, weight } = faceFont(fonts, face);
    return `font: (${str(family)}, "Noto Serif SC"), weight: ${weight}`;
  };
  const inline = (content: Inline[]) =>
    content
      .map((c) =>
        'blank' in c
          ? `#box(width: ${c.blank}em, height: 0.9em, stroke: (bottom: 0.6pt))`
          : c.face
            ? `#text(${font(c.face)})[#${str(c.text)}]`
            : `#${str(c.text)}`,
      )
      .join('');
  const body = markup.body === 'song' ? 'song' : 'fang';
  const out: string[] = [
    `#set document(title: ${str(markup.title)})`,
    // 37 mm top, 28 mm binding edge, 156 × 225 mm text block; page number 7 mm under it, 4号, right on odd pages.
    '#set page(paper: "a4", margin: (top: 37mm, left: 28mm, right: 26mm, bottom: 35mm), footer-descent: 7mm,',
    `  footer: context { let n = counter(page).get().first(); align(if calc.odd(n) { right } else { left }, text(${font('song')}, size: 14pt, tracking: 0pt)[— #n —]) })`,
    // One line every 225/22 mm: a 1-em line box (0.88 em above the baseline) plus the leading.
    `#set text(${font(body)}, size: 16pt, tracking: -0.21pt, lang: "zh", region: "cn", cjk-latin-spacing: none, top-edge: 0.88em, bottom-edge: -0.12em)`,
    '#set par(justify: true, leading: 10.2273mm - 16pt, spacing: 10.2273mm - 16pt, first-line-indent: (amount: 2em, all: true))',
    '#let red = cmyk(0%, 100%, 100%, 0%)',
  ];
  const block = (b: Block): string => {
    switch (b.type) {
      case 'letterhead':
        return [
          `#v(30mm - 37mm)`,
          `#align(center, text(${font('songHeavy')}, size: 36pt, fill: red, tracking: 0pt)[#${str(b.org)}])`,
          '#v(4mm)',
          '#line(length: 100%, stroke: 1.5pt + red)',
          '#v(-0.6em)',
          '#line(length: 100%, stroke: 0.5pt + red)',
          b.number ? `#align(right)[#${str(b.number)}]` : '',
        ].join('\n');
      case 'signoff':
        return `#v(10.2273mm)\n#align(right, block[#${str(b.org)} \\ #h(2em)#${str(b.date)}#h(2em)])`;
      case 'space':
        return `#v(${b.lines} * 10.2273mm)`;
      case 'pagebreak':
        return '#pagebreak()';
      case 'table':
        return `#text(${font('song')}, size: 10.5pt, tracking: 0pt, table(columns: (${b.widths.map((w) => `${w}fr`).join(', ')}), ${[
          ...b.head,
          ...b.body,
        ]
          .flat()
          .map(
            (c) =>
              `table.cell(align: ${c.align})[${c.header ? `#text(${font('hei')})[${inline(c.content)}]` : inline(c.content)}]`,
          )
          .join(', ')}))`;
      case 'record': {
        const lines = [b.note, b.cc ? [{ text: '抄送：' }, ...b.cc] : undefined].filter((x): x is Inline[] => !!x);
        return `#place(bottom, block(width: 100%, stroke: (top: 1pt, bottom: 1pt), inset: (x: 1em, y: 2pt), text(size: 14pt, tracking: 0pt)[${lines.map((l) => `#par(first-line-indent: 0pt)[${inline(l)}]`).join('\n')}]))`;
      }
      default: {
        const face: Partial<Record<typeof b.type, FaceName>> = {
          title: 'songBold',
          subtitle: 'songBold',
          h1: 'hei',
          h2: 'kai',
        };
        const f = face[b.type];
        const size = b.type === 'title' ? 22 : b.type === 'subtitle' ? 18 : 16;
        const centred = b.type === 'title' || b.type === 'subtitle';
        const indent = centred || b.type === 'to' ? 0 : (b.indent ?? 2);
        const align = centred
          ? 'center'
          : b.align === 'left'
            ? 'left'
            : b.align === 'right'
              ? 'right'
              : b.align === 'center'
                ? 'center'
                : undefined;
        let p = `#par(first-line-indent: (amount: ${indent}em, all: true))[${inline(b.content)}]`;
        if (f) p = `#text(${font(f)}, size: ${size}pt)[${p}]`;
        if (align) p = `#align(${align})[${p}]`;
        if (b.type === 'title') p = `#v(2 * 10.2273mm)\n${p}\n#v(10.2273mm)`;
        return p;
      }
    }
  };
  for (const b of markup.blocks) out.push(block(b));
  return `${out.join('\n')}\n`;
}
