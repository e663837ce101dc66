/**
 * Chinese line breaking (中文断行与标点禁则).
 *
 * Chinese breaks between any two characters, except that a line may not start with closing
 * punctuation (行首禁则) nor end with opening punctuation (行尾禁则), and that the two-em
 * punctuation —— and …… never splits. Latin words and numbers (2027, 0379-6321-1234) do not
 * split either. When a break would violate a rule, the last character of the line moves down
 * with it (推出法) and the line is justified; the text never hangs into the margin, because the
 * GB/T 9704 text block is a hard edge.
 */

/** May not begin a line: closing punctuation and marks that lean on what precedes them. */
export const NO_LINE_START = new Set([...'，。、；：？！）」』》〉】〕〗”’％‰℃·,.;:?!)]}%']);
/** May not end a line: opening punctuation. */
export const NO_LINE_END = new Set([...'（「『《〈【〔〖“‘([{']);

/** Whether a code point is set on the full-width grid and may be broken around (CJK, 全角). */
export function isWide(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x303f) || // radicals, CJK symbols and punctuation
    (cp >= 0x3040 && cp <= 0x33ff) || // kana, CJK compatibility
    (cp >= 0x3400 && cp <= 0x4dbf) || // extension A
    (cp >= 0x4e00 && cp <= 0x9fff) || // unified ideographs
    (cp >= 0xf900 && cp <= 0xfaff) || // compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xff60) || // full-width forms
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd) // extensions B and later
  );
}

/** Punctuation that is not full-width by code point but behaves as Chinese punctuation. */
const CJK_PUNCT = new Set([0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2026, 0x00b7, 0x2030, 0x2103]);

/** Characters each forming an atom of their own: a break is allowed on either side. */
export function isBreakable(cp: number): boolean {
  return isWide(cp) || CJK_PUNCT.has(cp);
}

export interface BreakAtom {
  /** Width in points, tracking included. */
  width: number;
  /** A space: dropped at line ends. */
  space: boolean;
  noStart: boolean;
  noEnd: boolean;
  /** A forced line end (a table cell's `<br/>`): the line ends here and the atom itself is dropped. */
  hard?: boolean;
}

/** U+2028 LINE SEPARATOR: a forced line end, as a table cell's `<br/>` arrives (markup.ts, CELL_BREAK). */
const HARD_BREAK = '\u2028';

/**
 * Splits text into atoms: one per Chinese character or punctuation mark, one per Latin word or
 * number, one per space, one per forced line end (U+2028); —— and …… stay whole. Whitespace must
 * already be normalised.
 */
export function segment(
  text: string,
): { text: string; space: boolean; noStart: boolean; noEnd: boolean; hard?: boolean }[] {
  const out: { text: string; space: boolean; noStart: boolean; noEnd: boolean; hard?: boolean }[] = [];
  const chars = [...text];
  let word = '';
  const flushWord = () => {
    if (word) {
      out.push({
        text: word,
        space: false,
        noStart: NO_LINE_START.has(word[0]!),
        noEnd: NO_LINE_END.has(word[word.length - 1]!),
      });
      word = '';
    }
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    if (ch === ' ') {
      flushWord();
      out.push({ text: ' ', space: true, noStart: false, noEnd: false });
    } else if (ch === HARD_BREAK) {
      flushWord();
      out.push({ text: ch, space: false, noStart: false, noEnd: false, hard: true });
    } else if (isBreakable(cp)) {
      flushWord();
      // —— and …… are one mark two ems wide: never split across lines.
      if ((ch === '—' || ch === '…') && chars[i + 1] === ch) {
        out.push({ text: ch + ch, space: false, noStart: false, noEnd: false });
        i++;
      } else {
        out.push({ text: ch, space: false, noStart: NO_LINE_START.has(ch), noEnd: NO_LINE_END.has(ch) });
      }
    } else {
      word += ch;
    }
  }
  flushWord();
  return out;
}

const EPS = 0.01;

/**
 * Greedy line breaking with the kinsoku rules. `widthOf(lineIndex)` gives each line's measure
 * (the first line of an indented paragraph is shorter). Returns the atoms of each line with
 * spaces at the line ends removed. A hard atom ends its line and is dropped; two in a row leave an
 * empty line between them.
 */
export function breakLines<T extends BreakAtom>(atoms: T[], widthOf: (line: number) => number): T[][] {
  const lines: T[][] = [];
  const n = atoms.length;
  // The first visible atom at or after k (what the next line would start with).
  const visibleFrom = (k: number): T | undefined => {
    while (k < n && atoms[k]!.space) k++;
    return atoms[k];
  };
  // The last visible atom before k (what this line would end with).
  const visibleBefore = (k: number, from: number): T | undefined => {
    k--;
    while (k >= from && atoms[k]!.space) k--;
    return k >= from ? atoms[k] : undefined;
  };
  const violates = (k: number, from: number): boolean =>
    (visibleFrom(k)?.noStart ?? false) || (visibleBefore(k, from)?.noEnd ?? false);

  let i = 0;
  while (i < n) {
    while (i < n && atoms[i]!.space) i++;
    if (i >= n) break;
    const avail = widthOf(lines.length);
    let w = 0;
    let j = i;
    while (j < n && !atoms[j]!.hard && w + atoms[j]!.width <= avail + EPS) w += atoms[j++]!.width;
    if (j < n && atoms[j]!.hard) {
      // A forced end: no punctuation rule moves anything across it.
      let end = j;
      while (end > i && atoms[end - 1]!.space) end--;
      lines.push(atoms.slice(i, end));
      i = j + 1;
      continue;
    }
    if (j < n) {
      if (j === i) {
        j = i + 1; // one atom wider than the line: it must go somewhere
      } else if (violates(j, i)) {
        let k = j - 1;
        while (k > i && violates(k, i)) k--;
        if (k > i) j = k;
        else {
          // Nothing on this line can move down (a line of nothing but punctuation): let the
          // closing marks hang rather than loop.
          while (j < n && atoms[j]!.noStart) j++;
        }
      }
    }
    let end = j;
    while (end > i && atoms[end - 1]!.space) end--;
    lines.push(atoms.slice(i, end));
    i = j;
  }
  return lines;
}
