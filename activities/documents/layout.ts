/**
 * The layout engine (排版): document markup in, positioned text and rules per page out.
 *
 * Geometry is GB/T 9704-2012 (党政机关公文格式):
 * - A4 (210 × 297 mm); text block (版心) 156 × 225 mm, 37 mm from the top edge and 28 mm from the
 *   binding edge (§5.2.1–5.2.2).
 * - 22 lines of 28 characters of 3号 (16 pt) text (§5.2.3): every line of body text sits on a
 *   grid of 225/22 mm, and a full-width character advances 156/28 mm, so each glyph is tracked
 *   by −0.21 pt; justified lines spread any remainder across the line.
 * - The red 发文机关标志 and red rule, 发文字号 and title with the spacing of §7.2–7.3, the 署名 and
 *   成文日期 of §7.3.5.2, the 版记 on the last page's bottom edge (§7.4), page numbers “— 1 —” in
 *   4号 7 mm below the text block, odd pages right and even pages left (§7.5).
 *
 * Layout is pure (no PDF here): pdf.ts draws the result. Fonts come in only as metrics.
 */
import { advance, faceFor, type FaceName, type FontSet } from './fonts';
import { breakLines, isBreakable, segment, type BreakAtom } from './linebreak';
import {
  CELL_BREAK,
  type Align,
  type Block,
  type DocumentMarkup,
  type Inline,
  type TableCell,
  type TextBlockType,
} from './markup';

export const MM = 72 / 25.4;
export const A4 = { width: 210 * MM, height: 297 * MM } as const;
/** 版心: the text block. */
export const TEXT_BLOCK = { left: 28 * MM, top: 37 * MM, width: 156 * MM, height: 225 * MM } as const;
export const LINES_PER_PAGE = 22;
export const CHARS_PER_LINE = 28;
/** Vertical pitch of the line grid: 225 mm / 22 ≈ 28.99 pt. */
export const LINE_PITCH = TEXT_BLOCK.height / LINES_PER_PAGE;
/** Horizontal pitch of a full-width 3号 character: 156 mm / 28 ≈ 15.79 pt. */
export const CHAR_PITCH = TEXT_BLOCK.width / CHARS_PER_LINE;

/** Type sizes in points: 2号 22, 3号 16, 4号 14, 小2 18, 5号 10.5. */
export const SIZE = { title: 22, subtitle: 18, body: 16, pageNumber: 14, record: 14, table: 10.5 } as const;
/** The 发文机关标志 is set as large as fits, up to 初号-ish 42 pt (文件格式) or 36 pt (信函格式). */
const LETTERHEAD_MAX = { file: 42, letter: 36 } as const;

/** CMYK in percent: print shops separate red as pure M+Y and text as pure K. */
export type Color = readonly [number, number, number, number];
export const RED: Color = [0, 100, 100, 0];
export const BLACK: Color = [0, 0, 0, 100];

/** Ideographic em box: the baseline sits 0.88 em below its top in Noto CJK and Fandol alike. */
const EM_ASCENT = 0.88;
const BODY_TRACKING = CHAR_PITCH - SIZE.body;

export type DrawItem =
  /** Text at baseline y; `tracking` is added after every glyph (PDF Tc). */
  | { t: 'text'; x: number; y: number; text: string; face: FaceName; size: number; tracking: number; color: Color }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: Color };

export interface LaidOutDocument {
  title: string;
  pages: DrawItem[][];
}

interface Style {
  face: FaceName;
  size: number;
  tracking: number;
  color: Color;
}

interface Piece {
  text: string;
  face: FaceName;
  width: number;
  chars: number;
}

interface Atom extends BreakAtom {
  pieces: Piece[];
  /** Glyph slots for justification (a blank counts as one). */
  slots: number;
  /** Width of an underlined blank, for signature lines. */
  blank?: number;
}

/** A unit of vertical flow: one line of text, a table row, the letterhead. */
interface Box {
  height: number;
  /** Snaps to the 22-line grid. */
  grid: boolean;
  /** Items with y relative to the box top. */
  items: DrawItem[];
  /** Blank grid lines before the box, dropped at the top of a page. */
  spaceBefore?: number;
  keepWithNext?: boolean;
  /** Lines of preceding text carried to the next page with this box (署名 never stands alone). */
  keepWithPrev?: number;
  breakBefore?: boolean;
  /** A line of running text, which may be carried. */
  text?: boolean;
  table?: { id: number; header: boolean };
}

const TEXT_STYLE: Record<TextBlockType, { face: FaceName; size: number; indent: number; align: Align }> = {
  title: { face: 'songBold', size: SIZE.title, indent: 0, align: 'center' },
  subtitle: { face: 'songBold', size: SIZE.subtitle, indent: 0, align: 'center' },
  to: { face: 'fang', size: SIZE.body, indent: 0, align: 'justify' },
  p: { face: 'fang', size: SIZE.body, indent: 2, align: 'justify' },
  h1: { face: 'hei', size: SIZE.body, indent: 2, align: 'justify' },
  h2: { face: 'kai', size: SIZE.body, indent: 2, align: 'justify' },
  h3: { face: 'fang', size: SIZE.body, indent: 2, align: 'justify' },
  note: { face: 'fang', size: SIZE.body, indent: 2, align: 'justify' },
};

/** Lays a parsed document out on A4 pages. */
export function layoutDocument(markup: DocumentMarkup, fonts: FontSet): LaidOutDocument {
  return new Layout(fonts).run(markup);
}

class Layout {
  private tableCount = 0;
  private bodyFace: FaceName = 'fang';
  constructor(private readonly fonts: FontSet) {}

  /** The face actually used for a style's face: 仿宋 stands for the document's body face. */
  private face(f: FaceName): FaceName {
    return f === 'fang' ? this.bodyFace : f;
  }

  run(markup: DocumentMarkup): LaidOutDocument {
    this.bodyFace = markup.body;
    const boxes: Box[] = [];
    let record: Box[] | undefined;
    let format: 'file' | 'letter' | undefined;
    let prev: Block['type'] | undefined;
    for (const block of markup.blocks) {
      const made = this.block(block, prev, format);
      if (block.type === 'letterhead') format = block.format;
      if (block.type === 'record') record = made;
      else boxes.push(...made);
      if (block.type !== 'space') prev = block.type;
    }
    const pages = paginate(boxes, record);
    return { title: markup.title, pages: pages.map((items, i) => [...items, ...this.pageFurniture(i + 1, format)]) };
  }

  private block(block: Block, prev: Block['type'] | undefined, format: 'file' | 'letter' | undefined): Box[] {
    switch (block.type) {
      case 'letterhead':
        return [this.letterhead(block.org, block.number, block.format)];
      case 'signoff':
        return this.signoff(block.org, block.date);
      case 'space':
        return Array.from({ length: block.lines }, () => ({
          height: LINE_PITCH,
          grid: true,
          items: [],
          spaceBefore: 0,
        }));
      case 'pagebreak':
        return [{ height: 0, grid: false, items: [], breakBefore: true }];
      case 'table':
        return this.table(block.widths, block.head, block.body);
      case 'record':
        return this.record(block.cc, block.note, block.printed, format ?? 'file');
      default: {
        const boxes = this.textBlock(block.type, block.content, block.indent, block.align);
        const first = boxes[0];
        if (first) first.spaceBefore = spacingBefore(block.type, prev, format);
        return boxes;
      }
    }
  }

  /**
   * Measures inline content into atoms, resolving each character's face (with fallback). A word
   * wider than `maxWidth` (a URL, a long number, a run of dashes) is cut between its characters
   * into atoms that fit: whole, it would run off the page. With `cellBreaks` (a table cell), each
   * `<br/>` (CELL_BREAK) becomes a hard atom that ends the line; elsewhere it is only whitespace.
   */
  private atoms(content: Inline[], base: Style, maxWidth = Infinity, cellBreaks = false): Atom[] {
    const chars: { ch: string; face: FaceName }[] = [];
    const blanks = new Map<number, number>();
    for (const part of content) {
      if ('blank' in part) blanks.set(chars.length, (blanks.get(chars.length) ?? 0) + part.blank);
      else for (const ch of part.text) chars.push({ ch, face: this.face(part.face ?? base.face) });
    }
    // Whitespace: a source line break between two Chinese characters is not a space. Keep one
    // space only between two non-Chinese characters (between Latin words).
    // Spaces around a forced line end are dropped like those at any line's end.
    const isBreak = (ch: string) => cellBreaks && ch === CELL_BREAK;
    const isSpace = (ch: string) => /\s/.test(ch) && ch !== '\u3000' && !isBreak(ch);
    const kept: { ch: string; face: FaceName; at: number }[] = [];
    chars.forEach((c, i) => {
      if (!isSpace(c.ch)) {
        kept.push({ ...c, at: i });
        return;
      }
      const last = kept[kept.length - 1];
      if (!last || last.ch === ' ' || isBreak(last.ch) || blanks.has(i)) return;
      let k = i + 1;
      while (k < chars.length && isSpace(chars[k]!.ch)) k++;
      const next = chars[k];
      if (!next || isBreak(next.ch) || blanks.has(k)) return;
      if (isBreakable(last.ch.codePointAt(0)!) || isBreakable(next.ch.codePointAt(0)!)) return;
      kept.push({ ch: ' ', face: c.face, at: i });
    });

    const out: Atom[] = [];
    // Blanks sit before the character at their index; whitespace dropped above may have been
    // there, so emit every blank at or before the next kept character.
    const pending = [...blanks.entries()].sort((a, b) => a[0] - b[0]);
    const pushBlanks = (upTo: number) => {
      while (pending.length > 0 && pending[0]![0] <= upTo) {
        const w = pending.shift()![1] * (base.size + base.tracking);
        out.push({ width: w, space: false, noStart: false, noEnd: false, pieces: [], slots: 1, blank: w });
      }
    };
    let k = 0;
    for (const seg of segment(kept.map((c) => c.ch).join(''))) {
      const n = [...seg.text].length;
      const cs = kept.slice(k, k + n);
      pushBlanks(cs[0]!.at);
      if (seg.hard) {
        out.push({ width: 0, space: false, noStart: false, noEnd: false, hard: true, pieces: [], slots: 0 });
        k += n;
        continue;
      }
      const glyphs = cs.map((c) => {
        const cp = c.ch.codePointAt(0)!;
        const face = faceFor(this.fonts, c.face, cp);
        return { ch: c.ch, face, w: (advance(this.fonts.faces[face], cp) * base.size) / 1000 + base.tracking };
      });
      const chunks = seg.space ? [glyphs] : fitWidth(glyphs, maxWidth);
      chunks.forEach((chunk, i) => {
        const pieces: Piece[] = [];
        let width = 0;
        for (const g of chunk) {
          width += g.w;
          const last = pieces[pieces.length - 1];
          if (last && last.face === g.face) {
            last.text += g.ch;
            last.width += g.w;
            last.chars++;
          } else pieces.push({ text: g.ch, face: g.face, width: g.w, chars: 1 });
        }
        out.push({
          width,
          space: seg.space,
          noStart: i === 0 && seg.noStart,
          noEnd: i === chunks.length - 1 && seg.noEnd,
          pieces,
          slots: chunk.length,
        });
      });
      k += n;
    }
    pushBlanks(Infinity);
    return out;
  }

  /**
   * Places one line of atoms: alignment, justification (spreading the remainder over every glyph
   * gap, as Chinese typesetting does), merged into as few text runs as possible.
   */
  private line(
    atoms: Atom[],
    style: Style,
    x0: number,
    avail: number,
    align: Align,
    last: boolean,
    baseline: number,
  ): DrawItem[] {
    const natural = atoms.reduce((s, a) => s + a.width, 0);
    const slots = atoms.reduce((s, a) => s + a.slots, 0);
    let extra = 0;
    let x = x0;
    if (align === 'justify' && !last && slots > 1 && natural < avail) {
      extra = (avail - natural) / (slots - 1);
      // A line that would need more than a quarter em per gap (a long number pushed down) reads
      // better ragged than stretched.
      if (extra > style.size / 4) extra = 0;
    } else if (align === 'center') x += (avail - natural) / 2;
    else if (align === 'right') x += avail - natural;

    const items: DrawItem[] = [];
    let run: Extract<DrawItem, { t: 'text' }> | undefined;
    for (const a of atoms) {
      if (a.blank !== undefined) {
        run = undefined;
        items.push({
          t: 'line',
          x1: x,
          y1: baseline + 2,
          x2: x + a.blank,
          y2: baseline + 2,
          width: 0.6,
          color: style.color,
        });
        x += a.blank + extra;
        continue;
      }
      for (const p of a.pieces) {
        if (run && run.face === p.face) run.text += p.text;
        else {
          run = {
            t: 'text',
            x,
            y: baseline,
            text: p.text,
            face: p.face,
            size: style.size,
            tracking: style.tracking + extra,
            color: style.color,
          };
          items.push(run);
        }
        x += p.width + extra * p.chars;
      }
    }
    return items;
  }

  private textBlock(type: TextBlockType, content: Inline[], indentChars?: number, alignOverride?: Align): Box[] {
    const d = TEXT_STYLE[type];
    const size = d.size;
    const style: Style = { face: d.face, size, tracking: size === SIZE.body ? BODY_TRACKING : 0, color: BLACK };
    const em = size + style.tracking;
    const indent = (indentChars ?? d.indent) * em;
    const align = alignOverride ?? d.align;
    const W = TEXT_BLOCK.width;
    const atoms = this.atoms(content, style, W - Math.max(0, indent));
    let lines = breakLines(atoms, (i) => (i === 0 ? W - indent : W));
    if ((type === 'title' || type === 'subtitle') && lines.length > 1) lines = balance(atoms, lines.length, W);
    const cells = Math.max(1, Math.ceil(size / LINE_PITCH));
    const height = cells * LINE_PITCH;
    const baseline = (height - size) / 2 + EM_ASCENT * size;
    const heading = type === 'h1' || type === 'h2' || type === 'h3' || type === 'title' || type === 'subtitle';
    return lines.map((l, i) => {
      const x0 = TEXT_BLOCK.left + (i === 0 ? indent : 0);
      const avail = W - (i === 0 ? indent : 0);
      const box: Box = {
        height,
        grid: true,
        items: this.line(l, style, x0, avail, align, i === lines.length - 1, baseline),
        text: !heading,
      };
      // Headings stay with what follows; a paragraph leaves neither its first line alone at the
      // foot of a page nor its last alone at the head of the next (孤行控制).
      if (heading || (i === 0 && lines.length > 1)) box.keepWithNext = true;
      if (!heading && i === lines.length - 1 && lines.length > 2) box.keepWithPrev = 1;
      return box;
    });
  }

  private width(text: string, face: FaceName, size: number, tracking: number): number {
    face = this.face(face);
    let w = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      w += (advance(this.fonts.faces[faceFor(this.fonts, face, cp)], cp) * size) / 1000 + tracking;
    }
    return w;
  }

  /** Text that never wraps (bureau name, document number, page number), split by fallback face. */
  private label(
    text: string,
    face: FaceName,
    size: number,
    tracking: number,
    color: Color,
    x: number,
    y: number,
  ): DrawItem[] {
    face = this.face(face);
    const items: Extract<DrawItem, { t: 'text' }>[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const f = faceFor(this.fonts, face, cp);
      const w = (advance(this.fonts.faces[f], cp) * size) / 1000 + tracking;
      const last = items[items.length - 1];
      if (last && last.face === f) last.text += ch;
      else items.push({ t: 'text', x, y, text: ch, face: f, size, tracking, color });
      x += w;
    }
    return items;
  }

  /**
   * 版头. 文件格式 (§7.2): bureau name centred in red on the first grid lines, 发文字号 two blank
   * lines below it, a red rule the width of the text block 4 mm under the number.
   * 信函格式 (§10.1): bureau name 30 mm from the top edge, a thick-over-thin red double rule
   * 170 mm long 4 mm under it, the number flush right beneath the rule.
   * (上行文 with 签发人 are not issued by this programme, so the 35 mm drop of §7.2.3 is not used.)
   */
  private letterhead(org: string, number: string | undefined, format: 'file' | 'letter'): Box {
    const W = TEXT_BLOCK.width;
    const left = TEXT_BLOCK.left;
    const unit = this.width(org, 'songHeavy', 1, 0);
    const size = Math.min(LETTERHEAD_MAX[format], W / unit);
    const orgWidth = unit * size;
    const items: DrawItem[] = [];
    const numberBaseline = (line: number) => line * LINE_PITCH + (LINE_PITCH - SIZE.body) / 2 + EM_ASCENT * SIZE.body;
    if (format === 'file') {
      const orgCells = Math.ceil(size / LINE_PITCH);
      items.push(
        ...this.label(
          org,
          'songHeavy',
          size,
          0,
          RED,
          left + (W - orgWidth) / 2,
          (orgCells * LINE_PITCH - size) / 2 + EM_ASCENT * size,
        ),
      );
      const numberLine = orgCells + 2;
      if (number) {
        const w = this.width(number, 'fang', SIZE.body, BODY_TRACKING);
        items.push(
          ...this.label(
            number,
            'fang',
            SIZE.body,
            BODY_TRACKING,
            BLACK,
            left + (W - w) / 2,
            numberBaseline(numberLine),
          ),
        );
      }
      const ruleY = numberLine * LINE_PITCH + (LINE_PITCH - SIZE.body) / 2 + SIZE.body + 4 * MM;
      items.push({ t: 'line', x1: left, y1: ruleY, x2: left + W, y2: ruleY, width: 1.5, color: RED });
      return { height: (numberLine + 2) * LINE_PITCH, grid: true, items };
    }
    // 信函格式: positions relative to the text block's top edge (37 mm), so the name sits above it.
    const orgTop = 30 * MM - TEXT_BLOCK.top;
    items.push(...this.label(org, 'songHeavy', size, 0, RED, left + (W - orgWidth) / 2, orgTop + EM_ASCENT * size));
    const thick = orgTop + size + 4 * MM;
    const thin = thick + 2.5;
    const cx = left + W / 2;
    items.push({ t: 'line', x1: cx - 85 * MM, y1: thick, x2: cx + 85 * MM, y2: thick, width: 1.5, color: RED });
    items.push({ t: 'line', x1: cx - 85 * MM, y1: thin, x2: cx + 85 * MM, y2: thin, width: 0.5, color: RED });
    // First grid line whose text clears the double rule by at least 1 mm.
    let line = 0;
    while (line * LINE_PITCH + (LINE_PITCH - SIZE.body) / 2 < thin + 1 * MM) line++;
    if (number) {
      const w = this.width(number, 'fang', SIZE.body, BODY_TRACKING);
      items.push(...this.label(number, 'fang', SIZE.body, BODY_TRACKING, BLACK, left + W - w, numberBaseline(line)));
    }
    // Without a number the title counts its two blank lines from the rule itself.
    return { height: (number ? line + 1 : line) * LINE_PITCH, grid: true, items };
  }

  /**
   * 发文机关署名 and 成文日期 (§7.3.5.2, without a seal): one blank line under the text, the bureau
   * two characters from the right edge, the date on the next line starting two characters to the
   * right of the bureau's first character; a date longer than that is set two characters from the
   * edge and the bureau moves left with it.
   */
  private signoff(org: string, date: string): Box[] {
    const two = 2 * CHAR_PITCH;
    const right = TEXT_BLOCK.left + TEXT_BLOCK.width - two;
    const wOrg = this.width(org, 'fang', SIZE.body, BODY_TRACKING);
    const wDate = this.width(date, 'fang', SIZE.body, BODY_TRACKING);
    let orgX: number;
    let dateX: number;
    if (wDate + two > wOrg) {
      dateX = right - wDate;
      orgX = dateX - two;
    } else {
      orgX = right - wOrg;
      dateX = orgX + two;
    }
    const baseline = (LINE_PITCH - SIZE.body) / 2 + EM_ASCENT * SIZE.body;
    return [
      {
        height: LINE_PITCH,
        grid: true,
        items: this.label(org, 'fang', SIZE.body, BODY_TRACKING, BLACK, orgX, baseline),
        spaceBefore: 1,
        keepWithPrev: 2,
        keepWithNext: true,
      },
      {
        height: LINE_PITCH,
        grid: true,
        items: this.label(date, 'fang', SIZE.body, BODY_TRACKING, BLACK, dateX, baseline),
      },
    ];
  }

  /**
   * A table: header rows repeat at the top of every page the table runs onto; a row never
   * splits, unless it is taller than a page under the header: then it continues on the next page
   * (each part ruled as a row, its text from the top), where it would otherwise run off the page.
   * Header cells 黑体, body cells 宋体, both 5号 (10.5 pt).
   */
  private table(weights: number[], head: TableCell[][], body: TableCell[][]): Box[] {
    const id = ++this.tableCount;
    const total = weights.reduce((s, w) => s + w, 0);
    const widths = weights.map((w) => (w / total) * TEXT_BLOCK.width);
    const edges = [TEXT_BLOCK.left];
    for (const w of widths) edges.push(edges[edges.length - 1]! + w);
    const size = SIZE.table;
    const lineHeight = size * 1.35;
    const padX = 2.5;
    const padY = 3.5;
    type Laid = { cell: TableCell; style: Style; avail: number; lines: Atom[][] };
    const row = (cells: TableCell[], header: boolean, maxLines = Infinity): Box[] => {
      const laid: Laid[] = cells.map((cell, c) => {
        const style: Style = { face: cell.header ? 'hei' : 'song', size, tracking: 0, color: BLACK };
        const avail = widths[c]! - 2 * padX;
        return { cell, style, avail, lines: breakLines(this.atoms(cell.content, style, avail, true), () => avail) };
      });
      const rows = Math.max(1, ...laid.map((l) => l.lines.length));
      if (rows <= maxLines) return [rowBox(laid, rows, header, true)];
      const parts: Box[] = [];
      for (let from = 0; from < rows; from += maxLines) {
        parts.push(
          rowBox(
            laid.map((l) => ({ ...l, lines: l.lines.slice(from, from + maxLines) })),
            Math.min(maxLines, rows - from),
            header,
            false,
          ),
        );
      }
      return parts;
    };
    const rowBox = (laid: Laid[], rows: number, header: boolean, centred: boolean): Box => {
      const height = rows * lineHeight + 2 * padY;
      const items: DrawItem[] = [];
      laid.forEach(({ cell, style, avail, lines }, c) => {
        const top = centred ? (height - lines.length * lineHeight) / 2 : padY;
        lines.forEach((l, i) => {
          const baseline = top + i * lineHeight + (lineHeight - size) / 2 + EM_ASCENT * size;
          items.push(...this.line(l, style, edges[c]! + padX, avail, cell.align, true, baseline));
        });
      });
      const x1 = edges[0]!;
      const x2 = edges[edges.length - 1]!;
      const rule = (y1: number, y2: number, xa: number, xb: number): DrawItem => ({
        t: 'line',
        x1: xa,
        y1,
        x2: xb,
        y2,
        width: 0.5,
        color: BLACK,
      });
      items.push(rule(0, 0, x1, x2), rule(height, height, x1, x2));
      for (const x of edges) items.push(rule(0, height, x, x));
      return { height, grid: false, items, table: { id, header }, keepWithNext: header };
    };
    const heads = head.flatMap((r) => row(r, true));
    // The most lines a body row may take and still fit on a page below the repeated header rows.
    const headHeight = heads.reduce((s, b) => s + b.height, 0);
    const maxLines = Math.max(1, Math.floor((TEXT_BLOCK.height - headHeight - 2 * padY - EPS) / lineHeight));
    return [...heads, ...body.flatMap((r) => row(r, false, maxLines))];
  }

  /**
   * 版记 (§7.4): 抄送 and 印发 in 4号 仿宋 at the foot of the last page, between a thick first and last
   * rule with a thin one between; the last rule lies on the text block's bottom edge. In 信函格式
   * only 抄送 is printed and without rules (§10.1). A form's footnote (本文书一式两份…, as on the
   * enforcement-document forms) sits in the same place, in the same type.
   */
  private record(
    cc: Inline[] | undefined,
    note: Inline[] | undefined,
    printed: { org: string; date: string } | undefined,
    format: 'file' | 'letter',
  ): Box[] {
    const size = SIZE.record;
    const style: Style = { face: 'fang', size, tracking: 0, color: BLACK };
    const one = size;
    const W = TEXT_BLOCK.width;
    const baseline = (LINE_PITCH - size) / 2 + EM_ASCENT * size;
    const boxes: Box[] = [];
    const rule = (y: number, width: number): DrawItem => ({
      t: 'line',
      x1: TEXT_BLOCK.left,
      y1: y,
      x2: TEXT_BLOCK.left + W,
      y2: y,
      width,
      color: BLACK,
    });
    const ruled = format === 'file';
    if (cc && cc.length > 0) {
      const label = this.atoms([{ text: '抄送：' }], style);
      const labelWidth = label.reduce((s, a) => s + a.width, 0);
      const atoms = this.atoms(cc, style);
      // Continuation lines align under the first name, after “抄送：”.
      const lines = breakLines(atoms, () => W - 2 * one - labelWidth);
      lines.forEach((l, i) => {
        const items = i === 0 ? this.line(label, style, TEXT_BLOCK.left + one, labelWidth, 'left', true, baseline) : [];
        items.push(
          ...this.line(
            l,
            style,
            TEXT_BLOCK.left + one + labelWidth,
            W - 2 * one - labelWidth,
            'justify',
            i === lines.length - 1,
            baseline,
          ),
        );
        if (ruled && i === 0) items.push(rule(0, 0.35 * MM));
        boxes.push({ height: LINE_PITCH, grid: true, items });
      });
    }
    if (note && note.length > 0) {
      const lines = breakLines(this.atoms(note, style), () => W - 2 * one);
      lines.forEach((l, i) => {
        const items = this.line(
          l,
          style,
          TEXT_BLOCK.left + one,
          W - 2 * one,
          'justify',
          i === lines.length - 1,
          baseline,
        );
        if (ruled && i === 0) items.push(rule(0, boxes.length > 0 ? 0.25 * MM : 0.35 * MM));
        boxes.push({ height: LINE_PITCH, grid: true, items });
      });
    }
    if (printed && ruled) {
      const text = `${printed.date}印发`;
      const wDate = this.width(text, 'fang', size, 0);
      const items = [
        ...this.label(printed.org, 'fang', size, 0, BLACK, TEXT_BLOCK.left + one, baseline),
        ...this.label(text, 'fang', size, 0, BLACK, TEXT_BLOCK.left + W - one - wDate, baseline),
        rule(0, boxes.length > 0 ? 0.25 * MM : 0.35 * MM),
      ];
      boxes.push({ height: LINE_PITCH, grid: true, items });
    }
    if (ruled && boxes.length > 0) boxes[boxes.length - 1]!.items.push(rule(LINE_PITCH, 0.35 * MM));
    return boxes;
  }

  /** Page numbers (页码) and, on the first page of a letter, the lower red double rule. */
  private pageFurniture(page: number, format: 'file' | 'letter' | undefined): DrawItem[] {
    const items: DrawItem[] = [];
    if (format === 'letter' && page === 1) {
      // §10.1: 信函格式 has no page number on its first page, and a thin-over-thick red double
      // rule 20 mm above the bottom edge.
      const y = A4.height - 20 * MM;
      const cx = TEXT_BLOCK.left + TEXT_BLOCK.width / 2;
      items.push({ t: 'line', x1: cx - 85 * MM, y1: y - 2.5, x2: cx + 85 * MM, y2: y - 2.5, width: 0.5, color: RED });
      items.push({ t: 'line', x1: cx - 85 * MM, y1: y, x2: cx + 85 * MM, y2: y, width: 1.5, color: RED });
      return items;
    }
    const size = SIZE.pageNumber;
    const text = `— ${page} —`;
    const w = this.width(text, 'song', size, 0);
    // The dash line's top edge lies 7 mm under the text block; one character in from the edge.
    const y = TEXT_BLOCK.top + TEXT_BLOCK.height + 7 * MM + EM_ASCENT * size;
    const x = page % 2 === 1 ? TEXT_BLOCK.left + TEXT_BLOCK.width - size - w : TEXT_BLOCK.left + size;
    items.push(...this.label(text, 'song', size, 0, BLACK, x, y));
    return items;
  }
}

/**
 * A title that needs several lines is broken into lines of nearly equal length (GB/T 9704 §7.3.1:
 * 排列对称, 长短适宜) rather than one full line and a stub: the narrowest measure that still
 * gives the same number of lines, found by bisection.
 */
/**
 * Cuts a word's glyphs into runs no wider than `maxWidth` (at least one glyph each): a word that
 * fits stays whole; one wider than the line breaks between characters, as the last resort.
 */
function fitWidth<G extends { w: number }>(glyphs: G[], maxWidth: number): G[][] {
  const total = glyphs.reduce((s, g) => s + g.w, 0);
  if (total <= maxWidth + EPS) return [glyphs];
  const runs: G[][] = [[]];
  let width = 0;
  for (const g of glyphs) {
    const run = runs[runs.length - 1]!;
    if (run.length > 0 && width + g.w > maxWidth + EPS) {
      runs.push([g]);
      width = g.w;
    } else {
      run.push(g);
      width += g.w;
    }
  }
  return runs;
}

function balance(atoms: Atom[], count: number, W: number): Atom[][] {
  let lo = W / count;
  let hi = W;
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    if (breakLines(atoms, () => mid).length > count) lo = mid;
    else hi = mid;
  }
  return breakLines(atoms, () => hi);
}

/** Blank grid lines GB/T 9704 puts before a block, given the block before it. */
function spacingBefore(
  type: TextBlockType,
  prev: Block['type'] | undefined,
  format: 'file' | 'letter' | undefined,
): number {
  if (type === 'title') return prev === 'letterhead' ? (format === 'letter' ? 2 : 1) : 0; // 标题: 红线下空二行
  if (prev === 'title' || prev === 'subtitle') return type === 'subtitle' ? 0 : 1; // 主送机关: 标题下空一行
  if (type === 'subtitle') return 1;
  return 0;
}

const EPS = 0.01;

/** Flows boxes onto pages, honouring the grid, keeps, page breaks and repeated table headers. */
function paginate(boxes: Box[], record: Box[] | undefined): DrawItem[][] {
  const top = TEXT_BLOCK.top;
  const bottom = TEXT_BLOCK.top + TEXT_BLOCK.height;
  const snap = (y: number) => top + Math.ceil((y - top) / LINE_PITCH - 1e-6) * LINE_PITCH;
  const pages: { box: Box; y: number }[][] = [[]];
  const headers = new Map<number, Box[]>();
  let cursor = top;
  const current = () => pages[pages.length - 1]!;
  const newPage = () => {
    pages.push([]);
    cursor = top;
  };

  const place = (box: Box, mayBreak: boolean): void => {
    const page = current();
    const atTop = page.length === 0;
    let y = box.grid ? snap(cursor) : cursor;
    if (!atTop && box.spaceBefore) y += box.spaceBefore * LINE_PITCH;
    if (y + box.height > bottom + EPS && !atTop && mayBreak) {
      // Carry what must stay with this box: preceding text lines it keeps with, and any
      // keep-with-next boxes (headings, first lines, table headers) before it.
      let k = page.length;
      let need = box.keepWithPrev ?? 0;
      while (need > 0 && k > 0 && page[k - 1]!.box.text) {
        k--;
        need--;
      }
      while (k > 0 && page[k - 1]!.box.keepWithNext) k--;
      const carried = k > 0 ? page.splice(k).map((p) => p.box) : [];
      newPage();
      const first = carried[0] ?? box;
      if (first.table && !first.table.header) for (const h of headers.get(first.table.id) ?? []) place(h, false);
      for (const c of carried) place(c, false);
      place(box, false);
      return;
    }
    page.push({ box, y });
    cursor = y + box.height;
  };

  for (const box of boxes) {
    if (box.breakBefore) {
      if (current().length > 0) newPage();
      continue;
    }
    if (box.table?.header) {
      const list = headers.get(box.table.id) ?? [];
      list.push(box);
      headers.set(box.table.id, list);
    }
    // Blank lines asked for by `<space/>` vanish at the top of a page.
    if (box.items.length === 0 && box.grid && current().length === 0) continue;
    place(box, true);
  }

  if (record && record.length > 0) {
    const height = record.reduce((s, b) => s + b.height, 0);
    if (snap(cursor) + height > bottom + EPS) newPage();
    let y = bottom - height;
    for (const b of record) {
      current().push({ box: b, y });
      y += b.height;
    }
  }

  return pages.map((page) =>
    page.flatMap(({ box, y }) =>
      box.items.map((it): DrawItem =>
        it.t === 'text' ? { ...it, y: it.y + y } : { ...it, y1: it.y1 + y, y2: it.y2 + y },
      ),
    ),
  );
}
