/**
 * Pagination: boxes flowed onto pages on the 22-line grid, with keeps, page breaks, repeated table
 * headers and the 版记 at the bottom of the last page; and the blank lines GB/T 9704 puts between
 * blocks.
 */
import type { Block, TextBlockType } from './markup';
import { type Box, type DrawItem, EPS, LINE_PITCH, TEXT_BLOCK } from './geometry';

/** Blank grid lines GB/T 9704 puts before a block, given the block before it. */
export function spacingBefore(
  type: TextBlockType,
  prev: Block['type'] | undefined,
  format: 'file' | 'letter' | undefined,
): number {
  if (type === 'title') return prev === 'letterhead' ? (format === 'letter' ? 2 : 1) : 0; // 标题: 红线下空二行
  if (prev === 'title' || prev === 'subtitle') return type === 'subtitle' ? 0 : 1; // 主送机关: 标题下空一行
  if (type === 'subtitle') return 1;
  return 0;
}

/** Flows boxes onto pages, honouring the grid, keeps, page breaks and repeated table headers. */
export function paginate(boxes: Box[], record: Box[] | undefined): DrawItem[][] {
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
