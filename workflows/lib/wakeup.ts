/**
 * A wake-up (唤醒): "something changed, re-plan your wait". An Update handler calls `notify()` after
 * changing state; a loop of the script that sleeps towards a date waits on it (UpdatableTimer), so
 * a moved deadline or new work is noticed at once. It replaces version counters that handlers and
 * the script both bumped by hand.
 */
export class Wakeup {
  #version = 0;

  /** Something the waiting loop depends on changed. */
  notify(): void {
    this.#version++;
  }

  /** A predicate that turns true once `notify()` has been called after this call. */
  since(): () => boolean {
    const seen = this.#version;
    return () => this.#version !== seen;
  }
}
