/** The Handlebars helpers (辅助函数) templates may use, and the built-in blocks; nothing else compiles. */
import { formatDateZh } from '../../workflows/shared/documents';
import { closeItem, joinSentences } from '../../workflows/shared/text';

export const DIGITS = '零一二三四五六七八九';

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: the numbering of 一、 and （一） headings. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`序号超出范围（1–99）：${n}`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

export const isOptions = (v: unknown) => typeof v === 'object' && v !== null && 'hash' in v;

/** Helpers a template may call. Anything else is refused at compile time (knownHelpersOnly). */
export const HELPERS: Record<string, (...args: unknown[]) => unknown> = {
  /** `{{date issueDate}}` → 2027年5月18日. */
  date: (iso) => formatDateZh(String(iso)),
  /** `{{cn @index}}` → 一 (0-based index to Chinese ordinal). */
  cn: (i) => chineseNumeral(Number(i) + 1),
  /** `{{ord @index}}` → 1 (0-based index to Arabic ordinal). */
  ord: (i) => String(Number(i) + 1),
  /** `{{fixed fines 2}}` → 12.50. */
  fixed: (n, d) => Number(n).toFixed(isOptions(d) ? 0 : Number(d)),
  /** `{{join cc "、"}}` → 甲、乙. */
  join: (arr, sep) => (Array.isArray(arr) ? arr.join(typeof sep === 'string' ? sep : '、') : ''),
  /** `{{#if (eq decision "accepted")}}`. */
  eq: (a, b) => a === b,
  /** `{{sentences problems}}` → 甲；乙。 (each item's own closing punctuation dropped, one 。 at the end). */
  sentences: (arr) => joinSentences(Array.isArray(arr) ? arr.map(String) : []),
  /** `{{item this @last}}` → 甲； … 乙。 (an item that closes with its own mark keeps it); `{{item opinion true}}` → one closed sentence. */
  item: (text, last) => closeItem(String(text ?? ''), last === true),
};

export const BUILTIN_BLOCKS = new Set(['if', 'unless', 'each', 'with']);
