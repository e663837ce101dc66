/**
 * Checks added after histories were recorded, and the switch that lets a replayed Update handler
 * accept what an earlier version accepted. Validators do not run on replay: the handler parses its
 * arguments again, and a check that did not exist when the Update was accepted (a real date, a
 * list's maximum) must not refuse it then, or the replayed state would differ from the recorded
 * one. `workflows/lib/updates.ts` parses strictly first and, only if that fails, once more inside
 * `tolerantly`. Synchronous and module-local, so it stays deterministic.
 */
let tolerant = false;

/** True while a handler re-parses arguments an earlier version accepted. */
export function tolerating(): boolean {
  return tolerant;
}

/** Runs `parse` with the checks added since the first recorded histories switched off. */
export function tolerantly<T>(parse: () => T): T {
  const before = tolerant;
  tolerant = true;
  try {
    return parse();
  } finally {
    tolerant = before;
  }
}
