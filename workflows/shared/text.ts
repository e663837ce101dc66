/**
 * People's text at the boundary (输入文字的规范化). Every text an Update accepts is normalised once,
 * by the zod schema the Update's validator, the CLI and the HTTP API share, so what was accepted is
 * exactly what the case keeps and the letters print: no invisible character can make a line that
 * looks filled in but is empty, and no control character reaches a template.
 *
 * Pure and deterministic. The character classes are written out as code point ranges rather than
 * `\p{…}` escapes, whose tables follow the JavaScript engine's Unicode version: a workflow replayed
 * on a newer Node must normalise its recorded arguments exactly as it did the first time.
 *
 * Deliberately no Unicode normalisation form: NFKC would turn full-width punctuation （，。：）
 * into ASCII and break Chinese typesetting, and even NFC maps CJK compatibility ideographs
 * (郞 U+F92C → 郎) — in a person's or a company's name that is a different character.
 */
import { z } from 'zod';

/** Line breaks of every kind, each becoming `\n`: CRLF, CR, VT, FF, NEL, LS, PS. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const LINE_BREAK = /\r\n|[\r\u000b\u000c\u0085\u2028\u2029]/g;

/** Space separators other than the ideographic space, each becoming an ASCII space. */
const SPACES = new Set([
  0x09, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x202f,
  0x205f,
]);

/** [from, to] ranges of characters removed: controls, invisible format characters, noncharacters. */
const REMOVED: readonly (readonly [number, number])[] = [
  [0x00, 0x08], // C0 controls (\t and \n are handled; VT, FF, CR became \n)
  [0x0e, 0x1f],
  [0x7f, 0x9f], // DEL and the C1 controls (NEL became \n)
  [0xad, 0xad], // soft hyphen
  [0x34f, 0x34f], // combining grapheme joiner
  [0x61c, 0x61c], // Arabic letter mark (bidi)
  [0x115f, 0x1160], // Hangul fillers: blank glyphs
  [0x17b4, 0x17b5], // Khmer inherent vowels (invisible)
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner; LRM, RLM
  [0x202a, 0x202e], // bidi embeddings and overrides
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates, deprecated format characters
  [0x3164, 0x3164], // Hangul filler
  [0xfdd0, 0xfdef], // noncharacters
  [0xfeff, 0xfeff], // byte order mark / zero-width no-break space
  [0xffa0, 0xffa0], // half-width Hangul filler
  [0xfff0, 0xfffb], // reserved format characters, interlinear annotation marks
  [0x1bca0, 0x1bca3], // shorthand format controls
  [0x1d173, 0x1d17a], // musical format controls
  [0xe0000, 0xe00ff], // tag characters
  [0xe01f0, 0xe0fff], // reserved default-ignorable
];

/**
 * Variation selectors: standard (FE00–FE0F), ideographic (E0100–E01EF, the IVS a name may need
 * for a rare variant of a character) and Mongolian (180B–180F). Kept after a character they can
 * modify; dropped when orphaned (at the start of a line, after a space or another selector).
 */
const isSelector = (cp: number) =>
  (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x180b && cp <= 0x180f);

const isRemoved = (cp: number): boolean => {
  if ((cp & 0xfffe) === 0xfffe) return true; // U+xFFFE and U+xFFFF of every plane: noncharacters
  for (const [from, to] of REMOVED) if (cp >= from && cp <= to) return true;
  return false;
};

export interface NormaliseOptions {
  /** Keep line breaks (default). False: the text is one line, each line break a space. */
  multiline?: boolean;
}

/**
 * The text as the engine keeps it:
 * - a lone UTF-16 surrogate (half an emoji, cut by a client) becomes U+FFFD �;
 * - every kind of line break (CRLF, CR, VT, FF, NEL, U+2028, U+2029) becomes `\n`;
 * - a tab or any other space separator becomes a plain space; the ideographic space U+3000 stays;
 * - C0/C1 control characters, invisible format characters (zero-width spaces and joiners, BOM,
 *   bidi controls, soft hyphen, Hangul fillers, tags) and noncharacters are removed;
 * - a variation selector stays only after a character it can modify;
 * - each line loses its trailing space, runs of blank lines become one blank line, and the whole
 *   text loses its surrounding space. Single-line: the lines are joined by one space.
 * Idempotent: normalising a normalised text changes nothing.
 */
export function normaliseText(text: string, options: NormaliseOptions = {}): string {
  const unified = text.replace(LINE_BREAK, '\n');
  let out = '';
  let prev = '\n'; // what the last kept character was, for orphaned selectors
  for (const ch of unified) {
    const cp = ch.codePointAt(0)!;
    let keep: string;
    if (cp >= 0xd800 && cp <= 0xdfff)
      keep = '\ufffd'; // a lone surrogate: a pair iterates as one
    else if (SPACES.has(cp)) keep = ' ';
    else if (isRemoved(cp)) continue;
    else if (isSelector(cp)) {
      if (prev === '\n' || prev === ' ' || prev === '\u3000' || isSelector(prev.codePointAt(0)!)) continue;
      keep = ch;
    } else keep = ch;
    out += keep;
    prev = keep;
  }
  const lines = out.split('\n').map((l) => l.trimEnd());
  if (options.multiline === false)
    return lines
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
  return lines
    .filter((l, i) => l !== '' || (i > 0 && lines[i - 1] !== ''))
    .join('\n')
    .trim();
}

/** Length as a person counts characters: code points (an emoji or a rare ideograph is one). */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export interface TextRules {
  /** Most characters accepted, counted after normalisation. */
  max: number;
  /** Fewest characters after normalisation; 0 (default) accepts an empty text. */
  min?: number;
  /** Keep line breaks (default true); false for names, file names and one-line list items. */
  multiline?: boolean;
  /** What the field is, for the messages: 存在问题, 理由. */
  label?: string;
  /** Message when the text is shorter than `min`; by default 不能为空 / 至少 N 个字. */
  tooShort?: string;
  /** Message when longer than `max`; by default 不能超过 N 字. */
  tooLong?: string;
}

/**
 * A person's text in an argument schema: normalised (see `normaliseText`), then checked for length,
 * with Chinese messages. `Text({ max: 2000, label: '存在问题' }).optional()`.
 */
export function Text(rules: TextRules) {
  const { max, min = 0, multiline = true, label = '' } = rules;
  const tooShort = rules.tooShort ?? (min <= 1 ? `${label}不能为空` : `${label}至少 ${min} 个字`);
  const tooLong = rules.tooLong ?? `${label}不能超过 ${max} 字`;
  return z
    .string({ error: `${label || '内容'}应为文字` })
    .transform((s) => normaliseText(s, { multiline }))
    .pipe(
      z.string().superRefine((s, ctx) => {
        const n = textLength(s);
        if (n < min) ctx.addIssue({ code: 'custom', message: tooShort });
        else if (n > max) ctx.addIssue({ code: 'custom', message: tooLong });
      }),
    );
}

/** One line of text: a name, a file name, one item of a list the letter prints a line each. */
export function Line(rules: Omit<TextRules, 'multiline'>) {
  return Text({ ...rules, multiline: false });
}

const FULL_WIDTH_MARK: Record<string, string> = { ';': '；', ':': '：', '!': '！', '?': '？' };

/**
 * One item of a list the letter prints a paragraph each (要求、理由、材料): closed by its own mark
 * when it has one (the last of 。；：！？ it ends with, an ASCII one in full width, or a closing
 * bracket or quote), otherwise by ； or, after the last item, 。. Trailing commas are dropped.
 */
export function closeItem(item: string, last: boolean): string {
  const trimmed = item.trim();
  const tail = /[，,、.。；;：:！!？?\s]*$/u.exec(trimmed)![0];
  const body = trimmed.slice(0, trimmed.length - tail.length);
  if (body === '') return '';
  if (tail === '' && /[）】》」』”’]$/u.test(body)) return body;
  const own = [...tail]
    .reverse()
    .map((c) => FULL_WIDTH_MARK[c] ?? c)
    .find((c) => '。；：！？'.includes(c));
  return `${body}${own ?? (last ? '。' : '；')}`;
}

/** Items of one paragraph as one sentence: 甲；乙。 — each item's own trailing punctuation dropped. */
export function joinSentences(items: readonly string[]): string {
  const parts = items.map((x) => x.trim().replace(/[。；;，,.、！!？?\s]+$/u, '')).filter(Boolean);
  return parts.length ? `${parts.join('；')}。` : '';
}
