/**
 * The benchmark's HTML twin of a document: the same markup, fonts and GB/T 9704 figures expressed
 * as HTML and CSS, so headless Chromium prints the same letter the layout engine sets.
 */
import { pathToFileURL } from 'node:url';
import type { FontSet, FaceName } from '../activities/documents/fonts';
import type { Block, DocumentMarkup, Inline } from '../activities/documents/markup';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(content: Inline[]): string {
  return content
    .map((c) =>
      'blank' in c
        ? `<span class="blank" style="width:${c.blank}em"></span>`
        : c.face
          ? `<span class="${c.face}">${esc(c.text)}</span>`
          : esc(c.text),
    )
    .join('');
}

function block(b: Block): string {
  switch (b.type) {
    case 'letterhead':
      return `<div class="letterhead">${esc(b.org)}</div><div class="docno">${esc(b.number ?? '')}</div><hr class="red">`;
    case 'signoff':
      return `<div class="signoff"><div>${esc(b.org)}</div><div class="date">${esc(b.date)}</div></div>`;
    case 'space':
      return '<p>&nbsp;</p>'.repeat(b.lines);
    case 'pagebreak':
      return '<div style="break-after:page"></div>';
    case 'table':
      return `<table>${[...b.head, ...b.body].map((r) => `<tr>${r.map((c) => `<${c.header ? 'th' : 'td'} style="text-align:${c.align}">${inline(c.content)}</${c.header ? 'th' : 'td'}>`).join('')}</tr>`).join('')}</table>`;
    case 'record':
      return b.cc ? `<div class="record">抄送：${inline(b.cc)}</div>` : '';
    default: {
      const style = [b.indent !== undefined ? `text-indent:${b.indent}em` : '', b.align ? `text-align:${b.align}` : '']
        .filter(Boolean)
        .join(';');
      return `<p class="${b.type}"${style ? ` style="${style}"` : ''}>${inline(b.content)}</p>`;
    }
  }
}

/** A standalone HTML page for the document; fonts are referenced by file URL. */
export function markupToHtml(markup: DocumentMarkup, fonts: FontSet): string {
  const faces = Object.entries(fonts.faces) as [FaceName, FontSet['faces'][FaceName]][];
  const fontFaces = faces
    .map(([name, f]) => `@font-face{font-family:"g-${name}";src:url("${pathToFileURL(f.file).href}")}`)
    .join('\n');
  const body = markup.body === 'song' ? 'g-song' : 'g-fang';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(markup.title)}</title><style>
${fontFaces}
@page{size:A4;margin:37mm 26mm 35mm 28mm}
html,body{margin:0}
body{font:16pt/10.2273mm "${body}","g-song";letter-spacing:-0.21pt;text-align:justify;line-break:strict;color:#000}
p{margin:0;text-indent:2em}
.hei,.h1{font-family:"g-hei","g-song"}.kai,.h2{font-family:"g-kai","g-song"}.song{font-family:"g-song"}
.title{font:22pt/10.2273mm "g-songBold";text-align:center;text-indent:0;margin:20.45mm 0 10.2273mm}
.to{text-indent:0}
.letterhead{font:42pt/20.45mm "g-songHeavy";color:#e60012;text-align:center}
.docno{text-align:center;margin-top:20.45mm}
hr.red{border:0;border-top:1.5pt solid #e60012;margin:4mm 0 0}
.signoff{margin-top:10.2273mm;width:max-content;margin-left:auto;margin-right:2em}
.signoff .date{padding-left:2em}
.blank{display:inline-block;border-bottom:0.6pt solid #000;height:1em}
table{border-collapse:collapse;width:100%;font:10.5pt/1.35 "g-song";letter-spacing:0}
td,th{border:0.5pt solid #000;padding:3.5pt 2.5pt}th{font-family:"g-hei";font-weight:normal}
.record{font-size:14pt;border-top:1pt solid #000;border-bottom:1pt solid #000;padding:0 1em}
</style></head><body>
${markup.blocks.map(block).join('\n')}
</body></html>`;
}
