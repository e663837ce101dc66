/**
 * One way to declare a human step: `onUpdate(definition, schema, guard, apply)`.
 *
 * - The arguments are parsed once, by the shared zod schema, in the validator; the parsed value is
 *   kept for the handler (keyed by the raw argument object, which Temporal hands to both). On
 *   replay validators do not run, so the handler parses then.
 * - `guard` runs in the validator: a refused call is answered at once and leaves no trace in
 *   history; it throws `refuse(...)` failures with a Chinese message.
 * - `apply` changes state and returns. It is synchronous by type: an Update never waits on an
 *   activity (mail, rendering, archive); the workflow's main script notices the change and does
 *   the I/O, so a caller never waits on SMTP.
 */
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { FailureType } from '../shared/errors';
import { formatIssues } from '../shared/plan';
import { tolerantly } from '../shared/tolerance';

/** A non-retryable failure of the taxonomy, with the message a person reads. */
export function refuse(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Parses with the shared schema; every problem becomes one `path: message` line. */
export function parseArgs<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw refuse(FailureType.InvalidInput, formatIssues(r.error).join('；'));
  return r.data;
}

/** A value that is not a Promise: keeps `apply` synchronous. */
type NotPromise<T> = T extends PromiseLike<unknown> ? never : T;

/** Registers a validated, state-only Update. */
export function onUpdate<Ret, Arg, S extends z.ZodType>(
  def: UpdateDefinition<Ret, [Arg]>,
  schema: S,
  guard: (args: z.infer<S>) => void,
  apply: (args: z.infer<S>) => NotPromise<Ret>,
): void {
  const parsed = new WeakMap<object, z.infer<S>>();
  const once = (raw: unknown): z.infer<S> => {
    const hit = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
    if (hit) return hit;
    // Replay: the validator did not run. Arguments an earlier version accepted are accepted again,
    // without the checks added since (a real date, a list's maximum: shared/tolerance.ts).
    try {
      return parseArgs(schema, raw);
    } catch {
      return tolerantly(() => parseArgs(schema, raw));
    }
  };
  setHandler(def, (raw: Arg) => apply(once(raw)), {
    validator: (raw: Arg) => {
      const args = parseArgs(schema, raw);
      guard(args);
      if (typeof raw === 'object' && raw !== null) parsed.set(raw, args);
    },
  });
}

/** Registers a read. */
export function onQuery<Ret, Args extends unknown[]>(
  def: QueryDefinition<Ret, Args>,
  read: (...args: NoInfer<Args>) => Ret,
): void {
  setHandler(def, read);
}
