/**
 * Lists in Update arguments (a finding's evidence, an enterprise's results, a report's files and
 * items, review reasons, re-inspection items). One rule for all of them, so an Update's arguments,
 * and the history entry each accepted Update writes, stay bounded:
 * - at most `max` entries, counted as sent (more is refused with a Chinese message);
 * - an entry repeated exactly is kept once, where it first appears (de-duplicated, not refused:
 *   a double click or a pasted line twice is not an error);
 * - two different entries for the same thing (two answers for one problem, one file under two
 *   names) are refused, since the workflow cannot tell which one is meant.
 * Pure: safe inside the workflow sandbox.
 */
import { z } from 'zod';
import { tolerating } from './tolerance';

export interface ListRule<T> {
  /** Most entries accepted. */
  max: number;
  /** What the list holds, in Chinese (核查结果, 证据编号…), for the messages. */
  label: string;
  min?: number;
  /** Message when fewer than `min` entries. */
  tooFew?: string;
  /** What the entry is about, when two different entries may not share it (the problem's index). */
  key?: (entry: T) => string | number;
  /** The refusal for two different entries with the same key. */
  conflict?: (key: string | number) => string;
}

/** The entries of `list` with exact repeats dropped, in first-appearance order. */
export function dedupe<T>(list: readonly T[]): T[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * A bounded, de-duplicated list of `item`. A handler re-parsing arguments an earlier version
 * accepted (tolerance.ts) skips the maximum and the conflict check, which that version lacked.
 */
export function List<T extends z.ZodType>(item: T, rule: ListRule<z.output<T>>) {
  const base = rule.min
    ? z.array(item).min(rule.min, rule.tooFew ?? `${rule.label}至少填写 ${rule.min} 项`)
    : z.array(item);
  return base
    .superRefine((list, ctx) => {
      if (tolerating()) return;
      if (list.length > rule.max)
        ctx.addIssue({ code: 'custom', message: `${rule.label}不能超过 ${rule.max} 项（收到 ${list.length} 项）` });
      if (!rule.key) return;
      const first = new Map<string | number, string>();
      for (const entry of list) {
        const k = rule.key(entry);
        const text = JSON.stringify(entry);
        const prev = first.get(k);
        if (prev === undefined) first.set(k, text);
        else if (prev !== text) {
          ctx.addIssue({ code: 'custom', message: rule.conflict?.(k) ?? `${rule.label}重复且内容不同：${k}` });
          return;
        }
      }
    })
    .transform((list) => dedupe(list));
}
