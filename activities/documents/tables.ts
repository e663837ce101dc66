/**
 * Tables (表格) split across pages with their header repeated, and the 版记 (record block: 抄送,
 * 印发机关 and 印发日期 between rules) on the last page's bottom edge (GB/T 9704 §7.4).
 */
import { breakLines } from './linebreak';
import { type Inline, type TableCell } from './markup';
import {
  type Atom,
  BLACK,
  type Box,
  type DrawItem,
  EM_ASCENT,
  EPS,
  LINE_PITCH,
  MM,
  SIZE,
  type Style,
  TEXT_BLOCK,
} from './geometry';
import type { Typesetter } from './typeset';

/**
 * A table: header rows repeat at the top of every page the table runs onto; a row never
 * splits, unless it is taller than a page under the header: then it continues on the next page
 * (each part ruled as a row, its text from the top), where it would otherwise run off the page.
 * Header cells 黑体, body cells 宋体, both 5号 (10.5 pt).
 */
export function table(t: Typesetter, weights: number[], head: TableCell[][], body: TableCell[][]): Box[] {
  const id = ++t.tableCount;
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
      return { cell, style, avail, lines: breakLines(t.atoms(cell.content, style, avail, true), () => avail) };
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
        items.push(...t.line(l, style, edges[c]! + padX, avail, cell.align, true, baseline));
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
export function record(
  t: Typesetter,
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
    const label = t.atoms([{ text: '抄送：' }], style);
    const labelWidth = label.reduce((s, a) => s + a.width, 0);
    const atoms = t.atoms(cc, style);
    // Continuation lines align under the first name, after “抄送：”.
    const lines = breakLines(atoms, () => W - 2 * one - labelWidth);
    lines.forEach((l, i) => {
      const items = i === 0 ? t.line(label, style, TEXT_BLOCK.left + one, labelWidth, 'left', true, baseline) : [];
      items.push(
        ...t.line(
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
    const lines = breakLines(t.atoms(note, style), () => W - 2 * one);
    lines.forEach((l, i) => {
      const items = t.line(l, style, TEXT_BLOCK.left + one, W - 2 * one, 'justify', i === lines.length - 1, baseline);
      if (ruled && i === 0) items.push(rule(0, boxes.length > 0 ? 0.25 * MM : 0.35 * MM));
      boxes.push({ height: LINE_PITCH, grid: true, items });
    });
  }
  if (printed && ruled) {
    const text = `${printed.date}印发`;
    const wDate = t.width(text, 'fang', size, 0);
    const items = [
      ...t.label(printed.org, 'fang', size, 0, BLACK, TEXT_BLOCK.left + one, baseline),
      ...t.label(text, 'fang', size, 0, BLACK, TEXT_BLOCK.left + W - one - wDate, baseline),
      rule(0, boxes.length > 0 ? 0.25 * MM : 0.35 * MM),
    ];
    boxes.push({ height: LINE_PITCH, grid: true, items });
  }
  if (ruled && boxes.length > 0) boxes[boxes.length - 1]!.items.push(rule(LINE_PITCH, 0.35 * MM));
  return boxes;
}
