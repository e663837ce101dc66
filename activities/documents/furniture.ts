/**
 * The official parts of a letter (GB/T 9704 §7.2, §7.3.5, §7.5, §10.1): the letterhead (版头) with
 * its red rules, the 署名 and 成文日期, and the page numbers (页码).
 */
import {
  A4,
  BLACK,
  BODY_TRACKING,
  type Box,
  CHAR_PITCH,
  type DrawItem,
  EM_ASCENT,
  LETTERHEAD_MAX,
  LINE_PITCH,
  MM,
  RED,
  SIZE,
  TEXT_BLOCK,
} from './geometry';
import type { Typesetter } from './typeset';

/**
 * 版头. 文件格式 (§7.2): bureau name centred in red on the first grid lines, 发文字号 two blank
 * lines below it, a red rule the width of the text block 4 mm under the number.
 * 信函格式 (§10.1): bureau name 30 mm from the top edge, a thick-over-thin red double rule
 * 170 mm long 4 mm under it, the number flush right beneath the rule.
 * (上行文 with 签发人 are not issued by this programme, so the 35 mm drop of §7.2.3 is not used.)
 */
export function letterhead(t: Typesetter, org: string, number: string | undefined, format: 'file' | 'letter'): Box {
  const W = TEXT_BLOCK.width;
  const left = TEXT_BLOCK.left;
  const unit = t.width(org, 'songHeavy', 1, 0);
  const size = Math.min(LETTERHEAD_MAX[format], W / unit);
  const orgWidth = unit * size;
  const items: DrawItem[] = [];
  const numberBaseline = (line: number) => line * LINE_PITCH + (LINE_PITCH - SIZE.body) / 2 + EM_ASCENT * SIZE.body;
  if (format === 'file') {
    const orgCells = Math.ceil(size / LINE_PITCH);
    items.push(
      ...t.label(
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
      const w = t.width(number, 'fang', SIZE.body, BODY_TRACKING);
      items.push(
        ...t.label(number, 'fang', SIZE.body, BODY_TRACKING, BLACK, left + (W - w) / 2, numberBaseline(numberLine)),
      );
    }
    const ruleY = numberLine * LINE_PITCH + (LINE_PITCH - SIZE.body) / 2 + SIZE.body + 4 * MM;
    items.push({ t: 'line', x1: left, y1: ruleY, x2: left + W, y2: ruleY, width: 1.5, color: RED });
    return { height: (numberLine + 2) * LINE_PITCH, grid: true, items };
  }
  // 信函格式: positions relative to the text block's top edge (37 mm), so the name sits above it.
  const orgTop = 30 * MM - TEXT_BLOCK.top;
  items.push(...t.label(org, 'songHeavy', size, 0, RED, left + (W - orgWidth) / 2, orgTop + EM_ASCENT * size));
  const thick = orgTop + size + 4 * MM;
  const thin = thick + 2.5;
  const cx = left + W / 2;
  items.push({ t: 'line', x1: cx - 85 * MM, y1: thick, x2: cx + 85 * MM, y2: thick, width: 1.5, color: RED });
  items.push({ t: 'line', x1: cx - 85 * MM, y1: thin, x2: cx + 85 * MM, y2: thin, width: 0.5, color: RED });
  // First grid line whose text clears the double rule by at least 1 mm.
  let line = 0;
  while (line * LINE_PITCH + (LINE_PITCH - SIZE.body) / 2 < thin + 1 * MM) line++;
  if (number) {
    const w = t.width(number, 'fang', SIZE.body, BODY_TRACKING);
    items.push(...t.label(number, 'fang', SIZE.body, BODY_TRACKING, BLACK, left + W - w, numberBaseline(line)));
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
export function signoff(t: Typesetter, org: string, date: string): Box[] {
  const two = 2 * CHAR_PITCH;
  const right = TEXT_BLOCK.left + TEXT_BLOCK.width - two;
  const wOrg = t.width(org, 'fang', SIZE.body, BODY_TRACKING);
  const wDate = t.width(date, 'fang', SIZE.body, BODY_TRACKING);
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
      items: t.label(org, 'fang', SIZE.body, BODY_TRACKING, BLACK, orgX, baseline),
      spaceBefore: 1,
      keepWithPrev: 2,
      keepWithNext: true,
    },
    {
      height: LINE_PITCH,
      grid: true,
      items: t.label(date, 'fang', SIZE.body, BODY_TRACKING, BLACK, dateX, baseline),
    },
  ];
}

/** Page numbers (页码) and, on the first page of a letter, the lower red double rule. */
export function pageFurniture(t: Typesetter, page: number, format: 'file' | 'letter' | undefined): DrawItem[] {
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
  const w = t.width(text, 'song', size, 0);
  // The dash line's top edge lies 7 mm under the text block; one character in from the edge.
  const y = TEXT_BLOCK.top + TEXT_BLOCK.height + 7 * MM + EM_ASCENT * size;
  const x = page % 2 === 1 ? TEXT_BLOCK.left + TEXT_BLOCK.width - size - w : TEXT_BLOCK.left + size;
  items.push(...t.label(text, 'song', size, 0, BLACK, x, y));
  return items;
}
