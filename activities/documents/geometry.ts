/**
 * The page model of GB/T 9704-2012 (党政机关公文格式): A4, the text block (版心) and its line grid,
 * type sizes and colours, and what layout produces: positioned text and rules per page, flowed as
 * boxes. Shared by the typesetter, the official parts, tables, pagination and pdf.ts.
 */
import type { FaceName } from './fonts';
import type { BreakAtom } from './linebreak';

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
export const LETTERHEAD_MAX = { file: 42, letter: 36 } as const;

/** CMYK in percent: print shops separate red as pure M+Y and text as pure K. */
export type Color = readonly [number, number, number, number];
export const RED: Color = [0, 100, 100, 0];
export const BLACK: Color = [0, 0, 0, 100];

/** Ideographic em box: the baseline sits 0.88 em below its top in Noto CJK and Fandol alike. */
export const EM_ASCENT = 0.88;
export const BODY_TRACKING = CHAR_PITCH - SIZE.body;

export type DrawItem =
  /** Text at baseline y; `tracking` is added after every glyph (PDF Tc). */
  | { t: 'text'; x: number; y: number; text: string; face: FaceName; size: number; tracking: number; color: Color }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: Color };

export interface LaidOutDocument {
  title: string;
  pages: DrawItem[][];
}

export interface Style {
  face: FaceName;
  size: number;
  tracking: number;
  color: Color;
}

export interface Piece {
  text: string;
  face: FaceName;
  width: number;
  chars: number;
}

export interface Atom extends BreakAtom {
  pieces: Piece[];
  /** Glyph slots for justification (a blank counts as one). */
  slots: number;
  /** Width of an underlined blank, for signature lines. */
  blank?: number;
}

/** A unit of vertical flow: one line of text, a table row, the letterhead. */
export interface Box {
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

/** Slack for comparing positions in points. */
export const EPS = 0.01;
