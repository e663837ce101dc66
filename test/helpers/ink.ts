/**
 * Where the ink is on two drawings of one page (the PDF by poppler, the OFD by ofdrw), compared
 * as a proofreader holding one sheet over the other would: the box the ink fills, and, tile by
 * tile, how much of either drawing's ink has no ink of the other within a pixel or two. Two
 * rasterisers differ at the edges of every stroke (anti-aliasing, hinting), never by whole
 * strokes; a glyph set half a millimetre off leaves its vertical strokes unmatched.
 */
import type { Grey } from './ofdrw';

/** A pixel darker than this is ink (red 255 0 0 is 76; anti-aliased edges straddle it). */
const INK_BELOW = 160;

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface InkComparison {
  /** The ink's bounding box in each drawing, pixels; undefined for a blank page. */
  box: [Box | undefined, Box | undefined];
  /** The largest distance between the two boxes' corresponding edges, pixels. */
  boxDelta: number;
  /** Of all ink pixels of both drawings, the fraction with no ink of the other within `radius`. */
  unmatched: number;
  /** The tile where that fraction is largest (among tiles with ink), its top-left corner in pixels. */
  worst: { fraction: number; x: number; y: number; ink: number };
}

function inkMask(g: Grey, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * g.width;
    for (let x = 0; x < width; x++) if (g.data[row + x]! < INK_BELOW) mask[y * width + x] = 1;
  }
  return mask;
}

/** Ink grown by `r` pixels in every direction (a square of side 2r+1), rows then columns. */
function dilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[o + x]) continue;
      for (let d = Math.max(0, x - r); d <= Math.min(width - 1, x + r); d++) rows[o + d] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!rows[y * width + x]) continue;
      for (let d = Math.max(0, y - r); d <= Math.min(height - 1, y + r); d++) out[d * width + x] = 1;
    }
  }
  return out;
}

function boxOf(mask: Uint8Array, width: number): Box | undefined {
  let box: Box | undefined;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % width;
    const y = (i - x) / width;
    if (!box) box = { x0: x, y0: y, x1: x, y1: y };
    else {
      box.x0 = Math.min(box.x0, x);
      box.x1 = Math.max(box.x1, x);
      box.y1 = y;
    }
  }
  return box;
}

/**
 * Compares the ink of `a` and `b` over the area both cover (the two rasterisers may round the
 * page's size differently by a pixel). `tile` is the side of a square tile in pixels; a tile with
 * fewer than `minInk` ink pixels in both drawings together is not judged on its own.
 */
export function compareInk(a: Grey, b: Grey, opts: { radius: number; tile: number; minInk: number }): InkComparison {
  const width = Math.min(a.width, b.width);
  const height = Math.min(a.height, b.height);
  const ma = inkMask(a, width, height);
  const mb = inkMask(b, width, height);
  const da = dilate(ma, width, height, opts.radius);
  const db = dilate(mb, width, height, opts.radius);
  const cols = Math.ceil(width / opts.tile);
  const tiles = Math.ceil(height / opts.tile) * cols;
  const ink = new Uint32Array(tiles);
  const lost = new Uint32Array(tiles);
  for (let y = 0; y < height; y++) {
    const t0 = Math.floor(y / opts.tile) * cols;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const t = t0 + Math.floor(x / opts.tile);
      if (ma[i]) {
        ink[t]!++;
        if (!db[i]) lost[t]!++;
      }
      if (mb[i]) {
        ink[t]!++;
        if (!da[i]) lost[t]!++;
      }
    }
  }
  let allInk = 0;
  let allLost = 0;
  const worst = { fraction: 0, x: 0, y: 0, ink: 0 };
  for (let t = 0; t < tiles; t++) {
    allInk += ink[t]!;
    allLost += lost[t]!;
    const fraction = ink[t]! >= opts.minInk ? lost[t]! / ink[t]! : 0;
    if (fraction > worst.fraction) {
      Object.assign(worst, { fraction, ink: ink[t]!, x: (t % cols) * opts.tile, y: Math.floor(t / cols) * opts.tile });
    }
  }
  const box: [Box | undefined, Box | undefined] = [boxOf(ma, width), boxOf(mb, width)];
  const [p, q] = box;
  const boxDelta =
    p && q
      ? Math.max(Math.abs(p.x0 - q.x0), Math.abs(p.y0 - q.y0), Math.abs(p.x1 - q.x1), Math.abs(p.y1 - q.y1))
      : p || q
        ? Infinity
        : 0;
  return { box, boxDelta, unmatched: allInk ? allLost / allInk : 0, worst };
}
