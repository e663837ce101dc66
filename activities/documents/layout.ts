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
 * Layout is pure (no PDF here): pdf.ts draws the result. Fonts come in only as metrics. The page
 * model is geometry.ts; lines of text typeset.ts; the official parts furniture.ts; tables and the
 * 版记 tables.ts; pagination paginate.ts. This file drives them block by block.
 */
import type { FontSet } from './fonts';
import { letterhead, pageFurniture, signoff } from './furniture';
import { type Box, LINE_PITCH, type LaidOutDocument } from './geometry';
import type { Block, DocumentMarkup } from './markup';
import { paginate, spacingBefore } from './paginate';
import { record, table } from './tables';
import { Typesetter } from './typeset';

export {
  A4,
  BLACK,
  CHAR_PITCH,
  CHARS_PER_LINE,
  LINE_PITCH,
  LINES_PER_PAGE,
  MM,
  RED,
  SIZE,
  TEXT_BLOCK,
} from './geometry';
export type { Color, DrawItem, LaidOutDocument } from './geometry';

/** Lays a parsed document out on A4 pages. */
export function layoutDocument(markup: DocumentMarkup, fonts: FontSet): LaidOutDocument {
  return new Layout(fonts).run(markup);
}

/** One document's layout: each block made into boxes, the boxes paginated, page numbers added. */
class Layout extends Typesetter {
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
    return { title: markup.title, pages: pages.map((items, i) => [...items, ...pageFurniture(this, i + 1, format)]) };
  }

  private block(block: Block, prev: Block['type'] | undefined, format: 'file' | 'letter' | undefined): Box[] {
    switch (block.type) {
      case 'letterhead':
        return [letterhead(this, block.org, block.number, block.format)];
      case 'signoff':
        return signoff(this, block.org, block.date);
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
        return table(this, block.widths, block.head, block.body);
      case 'record':
        return record(this, block.cc, block.note, block.printed, format ?? 'file');
      default: {
        const boxes = this.textBlock(block.type, block.content, block.indent, block.align);
        const first = boxes[0];
        if (first) first.spaceBefore = spacingBefore(block.type, prev, format);
        return boxes;
      }
    }
  }
}
