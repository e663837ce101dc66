/**
 * The engine's workers in one process, run and stopped as one: the main worker (every workflow and
 * activity on the task queue) and, with GUIDANCE_NUMBERING_QUEUE=own, a second one polling only
 * the numbering queue, so a document number never waits behind the visits' backlog (docs/performance.md).
 */
import type { Worker } from '@temporalio/worker';

export class EngineWorker {
  constructor(
    private readonly main: Worker,
    private readonly others: Worker[] = [],
  ) {}

  /** Runs every worker until each has shut down; one failing stops the others and rethrows. */
  async run(): Promise<void> {
    const all = [this.main, ...this.others];
    try {
      await Promise.all(all.map((w) => w.run()));
    } catch (err) {
      this.shutdown();
      throw err;
    }
  }

  /** The main worker's state (the numbering worker follows it). */
  getState(): ReturnType<Worker['getState']> {
    return this.main.getState();
  }

  /** Starts the graceful shutdown of every worker still running. */
  shutdown(): void {
    for (const w of [this.main, ...this.others]) if (w.getState() === 'RUNNING') w.shutdown();
  }
}
