/**
 * A proofreader's rules (校对规则) for the text `pdftotext` reads out of a rendered letter: what a
 * person at a county would circle in red before the letter goes into the record. Each rule names
 * what it found and where, so a failing test reads like a proofreader's note.
 *
 * Line breaks fall anywhere in Chinese text, so most rules read the letter with its lines joined;
 * the numbering rule reads line starts, where headings and items begin. Where a paragraph ends is
 * not in pdftotext's text (a short line may end a paragraph or a cell), so the punctuation rule
 * reads the letter's paragraphs as the renderer laid them out (`paragraphs`).
 *
 * Over 300 lines because it is the one list of proofreading rules every document test applies;
 * a rule split from the others could be forgotten by a caller.
 */

export interface Flag {
  rule: RuleName;
  /** What a proofreader would write in the margin. */
  message: string;
  /** The text around the fault. */
  excerpt: string;
}

export type RuleName =
  | 'doubled-punctuation'
  | 'ascii-id'
  | 'placeholder'
  | 'english-word'
  | 'date-form'
  | 'period-range'
  | 'numbering'
  | 'repeated-label'
  | 'item-punctuation';

export interface ProofreadOptions {
  /**
   * Text the letter prints by design that a rule would otherwise flag.
   * Removed before the rules run; say why wherever it is used.
   */
  allow?: (string | RegExp)[];
  /**
   * The letter's body paragraphs and numbered items as printed, one string each (the `<p>` blocks
   * of the rendered markup with their first-line indent; headings, form lines and table cells are
   * not among them). Read by the `item-punctuation` rule only.
   */
  paragraphs?: string[];
}

/** English words of the engine's statuses and records: never printed to a person. */
export const ENGLISH_STATUS_WORDS = [
  'delivered',
  'accepted',
  'returned',
  'pending',
  'started',
  'scheduled',
  'cancelled',
  'canceled',
  'completed',
  'closed',
  'open',
  'rectification',
  'approved',
  'rejected',
  'overdue',
  'draft',
  'failed',
  'sent',
  'running',
  'notice',
  'opinion',
  'reminder',
  'urge',
  'supervise',
  'warning',
  'summons',
  'acceptance',
  'bulletin',
  'receipt',
  'system',
  'supervisor',
  'county',
  'admin',
  'approver',
  'none',
  'true',
  'false',
  'error',
];

const CN_DIGITS = '零一二三四五六七八九';

/** 一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (the ordinals letters number their sections with). */
export function parseChineseNumeral(s: string): number | undefined {
  const m = /^([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)$/.exec(s);
  if (!m || s === '') return undefined;
  const [, tens, ten, ones] = m;
  if (!ten) return tens && !ones ? CN_DIGITS.indexOf(tens) : undefined;
  return (tens ? CN_DIGITS.indexOf(tens) : 1) * 10 + (ones ? CN_DIGITS.indexOf(ones) : 0);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** pdftotext's page numbers (—1—) and form feeds: the page, not the letter. */
const PAGE_NUMBER = /^\s*—\s*\d+\s*—\s*$/;

const excerptAt = (text: string, index: number, length: number) =>
  text.slice(Math.max(0, index - 12), index + length + 12);

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (let m = g.exec(text); m; m = g.exec(text)) {
    yield m;
    if (m[0] === '') g.lastIndex++;
  }
}

/** The letter's lines without page numbers, allowed text and mail addresses (an address is not an id). */
function cleanLines(raw: string, allow: (string | RegExp)[]): string[] {
  let text = raw.replace(/\f/g, '\n');
  for (const a of allow)
    text =
      typeof a === 'string'
        ? text.split(a).join(' ')
        : text.replace(new RegExp(a.source, `${a.flags.replace('g', '')}g`), ' ');
  text = text.replace(EMAIL, ' ');
  return text.split('\n').filter((l) => !PAGE_NUMBER.test(l));
}

interface Views {
  lines: string[];
  paragraphs: string[];
  /** Lines joined without a separator: a word or an id wrapped at a line's end reads whole. */
  joined: string;
  /** Lines joined by a space: each line's words stay apart from the next line's. */
  spaced: string;
  /** Without any whitespace: punctuation reads as printed, side by side. */
  squashed: string;
}

function views(raw: string, allow: (string | RegExp)[], paragraphs: string[]): Views {
  const lines = cleanLines(raw, allow);
  return {
    lines,
    paragraphs,
    joined: lines.join(''),
    spaced: lines.join(' '),
    squashed: lines.join('').replace(/\s+/g, ''),
  };
}

type Rule = (v: Views) => Omit<Flag, 'rule'>[];

/** How an item or a paragraph may end: a sentence's mark, or the bracket or quote that closes it. */
const ITEM_END = /[。；：！？）】》」』”’]$/;
/**
 * 附件说明 (GB/T 9704-2012 §7.3.6): the attachment's name closes without a mark, and a number
 * before it (附件：1.…) does not make it an item.
 */
const ATTACHMENT_LINE = /^附件[：:]/;

const HAN = '[\\u4e00-\\u9fff]';

const DOUBLED = /《《|》》|（（|））|““|””|[，。；：、！？,;!?]{2,}/;

const rules: Record<RuleName, Rule> = {
  /** 《《…》》, ，，, 。。, ；。 …: two marks where one belongs. */
  'doubled-punctuation': ({ squashed }) =>
    [...matches(DOUBLED, squashed)].map((m) => ({
      message: `重复的标点“${m[0]}”`,
      excerpt: excerptAt(squashed, m.index, m[0].length),
    })),

  /** UUIDs, hashes and engine ids (visit-2027-…, sun-li, XIA-001) are the machine's, not the letter's. */
  'ascii-id': ({ joined, spaced }) => {
    const found: Omit<Flag, 'rule'>[] = [];
    for (const text of [joined, spaced]) {
      // A hex run with letters and digits (sha256, a UUID's parts), 8 characters or more.
      for (const m of matches(
        /(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}(?![0-9A-Za-z])/,
        text,
      )) {
        found.push({ message: `十六进制串（哈希或 UUID）“${m[0]}”`, excerpt: excerptAt(text, m.index, m[0].length) });
      }
      // Words joined by - or _ with a letter in them: a slug or an id (phone numbers have no letter).
      for (const m of matches(
        /(?<![0-9A-Za-z_-])(?=[0-9A-Za-z_-]*[A-Za-z])[0-9A-Za-z]+(?:[-_][0-9A-Za-z]+)+(?![0-9A-Za-z_])/,
        text,
      )) {
        found.push({ message: `英文编号“${m[0]}”`, excerpt: excerptAt(text, m.index, m[0].length) });
      }
    }
    return found;
  },

  /** What a template prints for a value that is not there. */
  placeholder: ({ joined }) =>
    [...matches(/undefined|null|NaN|\[object|\{\{|\}\}|<\/?[a-z]+[^>]*>/, joined)].map((m) => ({
      message: `程序占位文字“${m[0]}”`,
      excerpt: excerptAt(joined, m.index, m[0].length),
    })),

  /**
   * English words: status words by name, and any other run of three or more lowercase letters (a
   * login name such as xiangshan, a key). Units (kg, pH) and capitals (GB/T, A4) pass.
   */
  'english-word': ({ spaced }) => {
    const status = new Set(ENGLISH_STATUS_WORDS);
    return [...matches(/(?<![A-Za-z])[A-Za-z]?[a-z]{2,}(?![A-Za-z])/, spaced)]
      .filter((m) => m[0].length >= 3)
      .map((m) => ({
        message: status.has(m[0].toLowerCase()) ? `英文状态词“${m[0]}”` : `英文单词“${m[0]}”`,
        excerpt: excerptAt(spaced, m.index, m[0].length),
      }));
  },

  /** Dates as 2027年4月19日: no 2027-04-19, 2027/4/19, 2027.04.19, ISO instants or leading zeros. */
  'date-form': ({ squashed }) => {
    const found: Omit<Flag, 'rule'>[] = [];
    const machine =
      /(?<!\d)\d{4}([-/.])\d{1,2}\1\d{1,2}(?!\d)|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|(?<!\d)\d{4}-\d{2}(?![\d-])/;
    for (const m of matches(machine, squashed))
      found.push({
        message: `日期应写作“某年某月某日”：“${m[0]}”`,
        excerpt: excerptAt(squashed, m.index, m[0].length),
      });
    for (const m of matches(/年0\d月|月0\d日/, squashed))
      found.push({ message: `日期不加前导零：“${m[0]}”`, excerpt: excerptAt(squashed, m.index, m[0].length) });
    return found;
  },

  /** A period of months runs forward: 1—6月, never 1—1月 (that is 1月) nor 6—3月. */
  'period-range': ({ squashed }) =>
    [...matches(/(?<!\d)(\d{1,2})—(\d{1,2})月/, squashed)]
      .filter((m) => Number(m[2]) <= Number(m[1]))
      .map((m) => ({
        message: `期间“${m[0]}”首尾相同或倒置${m[1] === m[2] ? `，应为“${m[1]}月”` : ''}`,
        excerpt: excerptAt(squashed, m.index, m[0].length),
      })),

  /**
   * Sections 一、二、三…, items （一）（二）… within a section and 1. 2. … within an item, each
   * level counting on from one, restarting under each new heading above it.
   */
  numbering: ({ lines }) => {
    const found: Omit<Flag, 'rule'>[] = [];
    const next = [1, 1, 1];
    const LEVELS: [RegExp, (m: RegExpExecArray) => number | undefined, (n: number) => string][] = [
      [/^([一二三四五六七八九十]+)、/, (m) => parseChineseNumeral(m[1]!), (n) => `${toChinese(n)}、`],
      [/^（([一二三四五六七八九十]+)）/, (m) => parseChineseNumeral(m[1]!), (n) => `（${toChinese(n)}）`],
      [/^(\d{1,3})[.．](?!\d)/, (m) => Number(m[1]), (n) => `${n}.`],
    ];
    for (const line of lines.map((l) => l.trim())) {
      LEVELS.forEach(([re, value, show], level) => {
        const m = re.exec(line);
        if (!m) return;
        const n = value(m);
        if (n === undefined) return;
        if (n !== next[level])
          found.push({ message: `编号“${m[0]}”处应为“${show(next[level]!)}”`, excerpt: line.slice(0, 30) });
        next[level] = n + 1;
        for (let deeper = level + 1; deeper < next.length; deeper++) next[deeper] = 1;
      });
    }
    return found;
  },

  /**
   * A word said twice where once is meant: 组长：孙立（组长）, 管理员（管理员）. A label's word
   * repeated in the bracket after its value, or a word followed by itself in brackets.
   */
  'repeated-label': ({ squashed }) => {
    const found: Omit<Flag, 'rule'>[] = [];
    const label = new RegExp(`(${HAN}{2,6})：[^：；。，、（）]{1,20}?（\\1）`);
    const twice = new RegExp(`(${HAN}{2,})（\\1）`);
    for (const re of [label, twice]) {
      for (const m of matches(re, squashed))
        found.push({ message: `“${m[1]}”重复：“${m[0]}”`, excerpt: excerptAt(squashed, m.index, m[0].length) });
    }
    return found;
  },

  /** Each paragraph and numbered item ends with its mark (。；：！？ or a closing bracket or quote). */
  'item-punctuation': ({ paragraphs }) =>
    paragraphs
      .map((p) => p.replace(/\s+/g, ''))
      .filter((p) => p !== '' && !ITEM_END.test(p) && !ATTACHMENT_LINE.test(p))
      .map((p) => ({ message: `段落或条目末尾缺少标点：“…${p.slice(-12)}”`, excerpt: p.slice(-30) })),
};

function toChinese(n: number): string {
  if (n < 10) return CN_DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : CN_DIGITS[tens]}十${ones ? CN_DIGITS[ones] : ''}`;
}

/** Every fault the rules find in a letter's pdftotext text, in rule order; none when the letter reads right. */
export function proofread(text: string, opts: ProofreadOptions = {}): Flag[] {
  const v = views(text, opts.allow ?? [], opts.paragraphs ?? []);
  const out: Flag[] = [];
  for (const [rule, check] of Object.entries(rules) as [RuleName, Rule][]) {
    // One note per fault: the views a rule reads may each find it.
    const seen = new Set<string>();
    for (const f of check(v)) {
      if (seen.has(f.message)) continue;
      seen.add(f.message);
      out.push({ rule, ...f });
    }
  }
  return out;
}

/** The flags as a proofreader's notes, one a line, for a test's failure message. */
export const describeFlags = (flags: Flag[]) => flags.map((f) => `[${f.rule}] ${f.message} … ${f.excerpt}`).join('\n');

/** The period a bulletin names, as a proofreader expects it: 2027年1月, 2027年1—5月; the one after December, 2027年度. */
export function expectedBulletinPeriod(year: number, coversThroughMonth: number): string {
  if (coversThroughMonth >= 12) return `${year}年度`;
  return coversThroughMonth === 1 ? `${year}年1月` : `${year}年1—${coversThroughMonth}月`;
}
