/**
 * The typesetter (排版): inline content measured into atoms with font fallback, broken into lines
 * on the 28-character grid and justified; text blocks, unbroken labels and widths. The official
 * parts (furniture.ts) and tables (tables.ts) are built with it; layout.ts drives it block by block.
 */
import { advance, faceFor, type FaceName, type FontSet } from './fonts';
import { breakLines, isBreakable, segment } from './linebreak';
import { CELL_BREAK, type Align, type Inline, type TextBlockType } from './markup';
import {
  type Atom,
  BLACK,
  BODY_TRACKING,
  type Box,
  type Color,
  type DrawItem,
  EM_ASCENT,
  EPS,
  LINE_PITCH,
  type Piece,
  SIZE,
  type Style,
  TEXT_BLOCK,
} from './geometry';

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

/** Sets text for one document: the fonts, the body face, and a counter for table ids. */
export class Typesetter {
  tableCount = 0;
  protected bodyFace: FaceName = 'fang';
  constructor(protected readonly fonts: FontSet) {}

  /** The face actually used for a style's face: 仿宋 stands for the document's body face. */
  face(f: FaceName): FaceName {
    return f === 'fang' ? this.bodyFace : f;
  }

  /**
   * Measures inline content into atoms, resolving each character's face (with fallback). A word
   * wider than `maxWidth` (a URL, a long number, a run of dashes) is cut between its characters
   * into atoms that fit: whole, it would run off the page. With `cellBreaks` (a table cell), each
   * `<br/>` (CELL_BREAK) becomes a hard atom that ends the line; elsewhere it is only whitespace.
   */
  atoms(content: Inline[], base: Style, maxWidth = Infinity, cellBreaks = false): Atom[] {
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
  line(
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

  textBlock(type: TextBlockType, content: Inline[], indentChars?: number, alignOverride?: Align): Box[] {
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

  width(text: string, face: FaceName, size: number, tracking: number): number {
    face = this.face(face);
    let w = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      w += (advance(this.fonts.faces[faceFor(this.fonts, face, cp)], cp) * size) / 1000 + tracking;
    }
    return w;
  }

  /** Text that never wraps (bureau name, document number, page number), split by fallback face. */
  label(text: string, face: FaceName, size: number, tracking: number, color: Color, x: number, y: number): DrawItem[] {
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
}

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

/**
 * A title that needs several lines is broken into lines of nearly equal length (GB/T 9704 §7.3.1:
 * 排列对称, 长短适宜) rather than one full line and a stub: the narrowest measure that still
 * gives the same number of lines, found by bisection.
 */
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
