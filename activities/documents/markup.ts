/**
 * Document markup (版式标记): what a template produces and the layout engine reads.
 *
 * A small, strict XML vocabulary named after the parts of a GB/T 9704 document, so a template says
 * *what* a line is (主送机关, 一级标题, 署名) and the engine alone decides *where* it goes. Handlebars
 * escapes every `{{value}}`, so data can never open a tag. Unknown elements or attributes are
 * errors, not silently dropped: a typo in a bureau's template shows up when the plan is loaded.
 *
 * Root:     document(title, body=fang|song)
 * Blocks:   letterhead(org, number?, format=file|letter) title subtitle to p(indent, align) h1 h2 h3
 *           signoff(org, date) note space(lines) pagebreak table(widths) record
 * Table:    thead/tbody > tr > th|td(align); <br/> inside a cell ends its line (an address a line)
 * Record:   cc, note (a form's footnote, e.g. 本文书一式两份…), printed(org, date)
 * Inline:   hei kai song fang (face changes) and <blank w="8"/> (an underlined blank for a signature)
 * The XML itself is read by xml.ts.
 */
import type { FaceName } from './fonts';
import { DocumentError } from './errors';
import { parseXml, type Element, type Node } from './xml';

export type Align = 'left' | 'center' | 'right' | 'justify';

export type Inline = { text: string; face?: FaceName } | { blank: number };

/**
 * A cell's `<br/>`, carried as the text U+2028 (LINE SEPARATOR, what the character means), so the
 * inline model (and what reads it, such as the benchmark's HTML twin) stays as it is; the layout
 * engine ends the cell's line there. Text that went through the normaliser holds none (it turns
 * U+2028 into `\n`, which is only whitespace to the layout engine); outside a cell it is whitespace too.
 */
export const CELL_BREAK = '\u2028';

export type TextBlockType = 'title' | 'subtitle' | 'to' | 'p' | 'h1' | 'h2' | 'h3' | 'note';

export interface TableCell {
  content: Inline[];
  align: Exclude<Align, 'justify'>;
  header: boolean;
}

export type Block =
  | { type: 'letterhead'; org: string; number?: string; format: 'file' | 'letter' }
  | { type: TextBlockType; content: Inline[]; indent?: number; align?: Align }
  | { type: 'signoff'; org: string; date: string }
  | { type: 'space'; lines: number }
  | { type: 'pagebreak' }
  | { type: 'table'; widths: number[]; head: TableCell[][]; body: TableCell[][] }
  | {
      type: 'record';
      cc: Inline[] | undefined;
      note: Inline[] | undefined;
      printed: { org: string; date: string } | undefined;
    };

export interface DocumentMarkup {
  /** For the PDF's metadata; the template's `<document title="…">`. */
  title: string;
  /**
   * Face of the body text: 仿宋 as GB/T 9704 asks (default), or 宋 (`<document body="song">`) for a
   * bureau that prefers the smaller files of a TrueType Song face (README, "Official documents").
   */
  body: 'fang' | 'song';
  blocks: Block[];
}

const INLINE_FACES: Record<string, FaceName> = { hei: 'hei', kai: 'kai', song: 'song', fang: 'fang' };
const TEXT_BLOCKS = new Set<string>(['title', 'subtitle', 'to', 'p', 'h1', 'h2', 'h3', 'note']);
const ALLOWED_ATTRS: Record<string, string[]> = {
  document: ['title', 'body'],
  letterhead: ['org', 'number', 'format'],
  p: ['indent', 'align'],
  signoff: ['org', 'date'],
  space: ['lines'],
  table: ['widths'],
  td: ['align'],
  th: ['align'],
  printed: ['org', 'date'],
  blank: ['w'],
};

/**
 * Parses a template's output into blocks. `template` names the template in error messages
 * (e.g. `opinion.hbs`), which is what the person fixing it needs.
 */
export function parseMarkup(src: string, template: string): DocumentMarkup {
  const fail = (msg: string, line: number): never => {
    throw new DocumentError(`模板 ${template} 生成的版式标记有误（输出第 ${line} 行）：${msg}`, template);
  };
  const root = parseXml(src, fail);
  const top = root.children.filter((n) => typeof n !== 'string' || n.trim() !== '');
  const doc = top[0];
  if (top.length !== 1 || typeof doc === 'string' || doc === undefined || doc.name !== 'document') {
    fail('输出应为唯一的 <document> 元素', 1);
  }
  const d = doc as Element;

  const checkAttrs = (el: Element) => {
    const allowed = ALLOWED_ATTRS[el.name] ?? [];
    for (const a of Object.keys(el.attrs)) if (!allowed.includes(a)) fail(`元素 <${el.name}> 不支持属性 ${a}`, el.line);
  };
  const need = (el: Element, a: string): string => {
    const v = el.attrs[a];
    if (v === undefined || v.trim() === '') fail(`元素 <${el.name}> 缺少属性 ${a}`, el.line);
    return v!.trim();
  };
  const inline = (nodes: Node[], face?: FaceName, cell = false): Inline[] => {
    const out: Inline[] = [];
    for (const n of nodes) {
      if (typeof n === 'string') {
        out.push(face ? { text: n, face } : { text: n });
        continue;
      }
      checkAttrs(n);
      const f = INLINE_FACES[n.name];
      if (f) out.push(...inline(n.children, f, cell));
      else if (n.name === 'br') {
        // Only a cell has lines of its own; a paragraph's lines are the engine's to break.
        if (!cell) fail('<br/> 只能用在表格单元格（<td>、<th>）中', n.line);
        if (n.children.length > 0) fail('<br/> 不能有内容', n.line);
        out.push({ text: CELL_BREAK });
      } else if (n.name === 'blank') {
        const w = Number(n.attrs.w ?? '6');
        if (!Number.isFinite(w) || w <= 0 || w > 28) fail('<blank w="…"> 的宽度应为 1–28 个字', n.line);
        out.push({ blank: w });
      } else fail(`元素 <${n.name}> 不能出现在文字中`, n.line);
    }
    return out;
  };
  const elements = (el: Element): Element[] => {
    const out: Element[] = [];
    for (const n of el.children) {
      if (typeof n === 'string') {
        if (n.trim() !== '') fail(`<${el.name}> 中不能直接写文字：“${n.trim().slice(0, 20)}”`, el.line);
      } else out.push(n);
    }
    return out;
  };
  const cellAlign = (el: Element, dflt: TableCell['align']): TableCell['align'] => {
    const a = el.attrs.align ?? dflt;
    if (a !== 'left' && a !== 'center' && a !== 'right')
      fail(`单元格对齐方式只能是 left、center、right：${a}`, el.line);
    return a as TableCell['align'];
  };

  const blocks: Block[] = [];
  for (const el of elements(d)) {
    checkAttrs(el);
    if (TEXT_BLOCKS.has(el.name)) {
      const block: Block = { type: el.name as TextBlockType, content: inline(el.children) };
      if (el.attrs.indent !== undefined) {
        const n = Number(el.attrs.indent);
        if (!Number.isInteger(n) || n < 0 || n > 8) fail('indent 应为 0–8 个字', el.line);
        block.indent = n;
      }
      if (el.attrs.align !== undefined) {
        if (!['left', 'center', 'right', 'justify'].includes(el.attrs.align))
          fail(`不支持的对齐方式 ${el.attrs.align}`, el.line);
        block.align = el.attrs.align as Align;
      }
      blocks.push(block);
      continue;
    }
    switch (el.name) {
      case 'letterhead': {
        const format = el.attrs.format ?? 'file';
        if (format !== 'file' && format !== 'letter')
          fail('letterhead 的 format 只能是 file（文件格式）或 letter（信函格式）', el.line);
        const number = el.attrs.number?.trim();
        blocks.push({
          type: 'letterhead',
          org: need(el, 'org'),
          ...(number ? { number } : {}),
          format: format as 'file' | 'letter',
        });
        break;
      }
      case 'signoff':
        blocks.push({ type: 'signoff', org: need(el, 'org'), date: need(el, 'date') });
        break;
      case 'space': {
        const n = Number(el.attrs.lines ?? '1');
        if (!Number.isInteger(n) || n < 1 || n > 22) fail('space 的 lines 应为 1–22', el.line);
        blocks.push({ type: 'space', lines: n });
        break;
      }
      case 'pagebreak':
        blocks.push({ type: 'pagebreak' });
        break;
      case 'table': {
        const widths = need(el, 'widths').split(',').map(Number);
        if (widths.some((w) => !Number.isFinite(w) || w <= 0)) fail('table 的 widths 应为逗号分隔的正数', el.line);
        const head: TableCell[][] = [];
        const body: TableCell[][] = [];
        for (const section of elements(el)) {
          if (section.name !== 'thead' && section.name !== 'tbody')
            fail(`<table> 中只能有 <thead> 和 <tbody>，不能有 <${section.name}>`, section.line);
          for (const tr of elements(section)) {
            if (tr.name !== 'tr') fail(`<${section.name}> 中只能有 <tr>`, tr.line);
            const cells = elements(tr).map((c) => {
              checkAttrs(c);
              if (c.name !== 'td' && c.name !== 'th') fail(`<tr> 中只能有 <td> 和 <th>`, c.line);
              const header = c.name === 'th';
              return {
                content: inline(c.children, header ? 'hei' : undefined, true),
                align: cellAlign(c, 'center'),
                header,
              };
            });
            if (cells.length !== widths.length)
              fail(`表格行有 ${cells.length} 个单元格，widths 定义了 ${widths.length} 列`, tr.line);
            (section.name === 'thead' ? head : body).push(cells);
          }
        }
        blocks.push({ type: 'table', widths, head, body });
        break;
      }
      case 'record': {
        let cc: Inline[] | undefined;
        let note: Inline[] | undefined;
        let printed: { org: string; date: string } | undefined;
        for (const part of elements(el)) {
          checkAttrs(part);
          if (part.name === 'cc') cc = inline(part.children);
          else if (part.name === 'note') note = inline(part.children);
          else if (part.name === 'printed') printed = { org: need(part, 'org'), date: need(part, 'date') };
          else fail(`<record> 中只能有 <cc>、<note> 和 <printed>`, part.line);
        }
        blocks.push({ type: 'record', cc, note, printed });
        break;
      }
      default:
        fail(`未知元素 <${el.name}>`, el.line);
    }
  }
  const body = d.attrs.body ?? 'fang';
  if (body !== 'fang' && body !== 'song') fail('document 的 body 只能是 fang（仿宋）或 song（宋体）', d.line);
  return { title: d.attrs.title?.trim() || '', body: body as 'fang' | 'song', blocks };
}
