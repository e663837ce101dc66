/**
 * Case reads for people's screens (case pages, the board's rows) that do not wait behind the
 * worker's backlog. A case is its visit's query; under load that query waits for the worker's
 * workflow thread, seconds at the p99 of bench:scale. So a read gives the query a budget: answered
 * within it, the case is current; not answered, the screen gets the last answer this process had,
 * marked with the moment it was read (`asOf`), and the query goes on to refresh it for the next
 * look. A case this process has never read, or one a person just changed through it (`changed`,
 * after an Update), waits for its query: nobody sees a page from before their own action.
 * Concurrent reads of one case share one query.
 */

/** A case as read: `asOf` (epoch ms) when it is the last answer rather than a current one. */
export interface CaseRead<T> {
  value: T;
  asOf?: number;
}

export interface CaseReadsOptions {
  /** How long a read waits for its query before it serves the last answer (ms). */
  budgetMs?: number;
  /** How many cases' last answers are kept (least recently read dropped first). */
  maxEntries?: number;
}

export class CaseReads<T> {
  private readonly last = new Map<string, { value: T; at: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();
  private readonly budgetMs: number;
  private readonly maxEntries: number;

  constructor(opts: CaseReadsOptions = {}) {
    this.budgetMs = opts.budgetMs ?? 800;
    this.maxEntries = opts.maxEntries ?? 5000;
  }

  /** The case `id` through `query`: current within the budget, else the last answer with its time. */
  async read(id: string, query: () => Promise<T>): Promise<CaseRead<T>> {
    const answer = this.ask(id, query);
    const kept = this.last.get(id);
    if (!kept) return { value: await answer };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.budgetMs)));
    try {
      const first = await Promise.race([answer, late]);
      if (first !== 'late') return { value: first };
      // Refreshed by a query that answered meanwhile? Serve the newest there is.
      const newest = this.last.get(id) ?? kept;
      return { value: newest.value, asOf: newest.at };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A person changed case `id` (an Update answered): its last answer is from before the change,
   * so it is dropped, and a query already in flight is not shared with later reads.
   */
  changed(id: string): void {
    this.last.delete(id);
    this.inFlight.delete(id);
  }

  /** The query in flight for `id`, or a new one; its answer is kept unless the case changed meanwhile. */
  private ask(id: string, query: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const at = Date.now();
    const p = query().then(
      (value) => {
        if (this.inFlight.get(id) === p) {
          this.inFlight.delete(id);
          this.keep(id, value, at);
        }
        return value;
      },
      (err: unknown) => {
        if (this.inFlight.get(id) === p) this.inFlight.delete(id);
        throw err;
      },
    );
    // A read that served the last answer does not await this one: its failure is the next read's.
    p.catch(() => undefined);
    this.inFlight.set(id, p);
    return p;
  }

  private keep(id: string, value: T, at: number): void {
    this.last.delete(id);
    this.last.set(id, { value, at });
    if (this.last.size > this.maxEntries) this.last.delete(this.last.keys().next().value!);
  }
}
