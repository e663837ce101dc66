/**
 * What a person must never read on a screen, in a refusal or in a mail (issue 22, point 5): the
 * ids the engine keys things by — the plan's person ids and county codes, workflow ids — and the
 * English words of its statuses. Used by the names test (every audit-log kind through the views)
 * and the bad-input catalogue (every refusal).
 */
import { Stage } from '../../workflows/shared/labels';
import type { Plan } from '../../workflows/shared/plan';

/** The engine's status words (stages, schedule and delivery statuses, rungs, decisions, roles): never shown as such. */
export const STATUS_WORDS = [
  ...Stage.options,
  'scheduled',
  'started',
  'completed',
  'failed',
  'delivered',
  'partial',
  'accepted',
  'intent',
  'sent',
  'skipped',
  'maybe',
  'never',
  'none',
  'urge',
  'supervise',
  'warning',
  'summons',
  'bulletin',
  'approved',
  'returned',
  'accept',
  'return',
  'pending',
  'system',
  'admin',
  'supervisor',
  'leader',
  'county',
];

/** Every person id and county code of a plan (the example plan's, in these tests). */
export function planIds(plan: Pick<Plan, 'supervisors' | 'approval' | 'admins' | 'counties'>): string[] {
  const people = [
    ...plan.supervisors,
    plan.approval.approver,
    ...(plan.approval.deputy ? [plan.approval.deputy] : []),
    ...plan.admins,
  ];
  return [...people.map((p) => p.id), ...plan.counties.map((c) => c.code)];
}

/** Not inside a mail address, a path, a file name or a longer word. */
const BEFORE = '(?<![A-Za-z0-9_.@/-])';
const AFTER = '(?![A-Za-z0-9_.@/-])';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What is wrong with `text` for a person: each id of `ids`, each workflow id (visit-2027-…,
 * guidance-2027-…, docnum-2027-…) and each status word it holds, as `id “sun-li”` / `status “delivered”`.
 */
export function unreadable(text: string, ids: readonly string[]): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(new RegExp(`${BEFORE}(?:visit|guidance|docnum)-\\d{4}-[A-Za-z0-9_-]+`, 'g')))
    found.push(`workflow id “${m[0]}”`);
  if (ids.length) {
    // `link:xiangshan` too: the code after the colon stands alone.
    for (const m of text.matchAll(
      new RegExp(
        `${BEFORE}(?:${[...ids]
          .sort((a, b) => b.length - a.length)
          .map(escape)
          .join('|')})${AFTER}`,
        'g',
      ),
    ))
      found.push(`id “${m[0]}”`);
  }
  // A word alone, not part of a dotted key (approval.period) or an identifier.
  for (const m of text.matchAll(new RegExp(`(?<![A-Za-z0-9_.])(?:${STATUS_WORDS.join('|')})(?![A-Za-z0-9_.])`, 'gi')))
    found.push(`status “${m[0]}”`);
  return found;
}
