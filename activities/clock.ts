/**
 * The time, read where it is recorded: a workflow that decides by "what is due now" (the visit's
 * ladder and receipts) asks this local activity, whose answer goes into the history as a marker, so
 * a replay decides as the live run did. A workflow's own clock is the start of its task, and a
 * worker that replayed a visit for a query can run the next task at the previous task's time
 * (docs/architecture.md, "Replay after a worker dies").
 */
export interface ClockDeps {
  /**
   * The service's "now" in ms: the wall clock for a real Temporal service (the default); a
   * time-skipping test server's skipped time is the test environment's `currentTimeMs()`.
   */
  now?: () => number | Promise<number>;
}

export function createClockActivities(deps: ClockDeps = {}) {
  const now = deps.now ?? Date.now;
  return {
    /** Milliseconds since the epoch, as the service counts them. */
    async readClock(): Promise<number> {
      return now();
    },
  };
}
