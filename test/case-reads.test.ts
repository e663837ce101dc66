/**
 * The people's case reads (client/case-reads.ts) with Vitest's fake clock: a query is a promise
 * this test answers when it chooses, as a worker with a backlog would. The real-service layer is
 * test/case-reads.devserver.test.ts.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaseReads } from '../client/case-reads';

/** Queries the test answers by hand: each sees the case's version when it was asked. */
class Backlog {
  version = 0;
  asked: { version: number; answer: () => void; fail: (e: Error) => void }[] = [];
  query = () =>
    new Promise<number>((resolve, reject) => {
      const version = this.version;
      this.asked.push({ version, answer: () => resolve(version), fail: reject });
    });
}

/** Settles `p` with the fake clock moved by `ms`; undefined when still pending. */
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | undefined> {
  let out: { value: T } | { error: unknown } | undefined;
  p.then(
    (value) => (out = { value }),
    (error: unknown) => (out = { error }),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return out;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2027-03-01T08:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('case reads', () => {
  it('answer within the budget is current; a late one serves the last answer with its time', async () => {
    const b = new Backlog();
    const reads = new CaseReads<number>({ budgetMs: 800 });
    const first = reads.read('c', b.query);
    b.asked[0]!.answer();
    expect(await first).toEqual({ value: 0 });

    b.version = 1;
    const late = settledWithin(reads.read('c', b.query), 800);
    expect(await late).toEqual({ value: { value: 0, asOf: Date.parse('2027-03-01T08:00:00Z') } });
    // The query went on: once answered it is the next read's, within the budget.
    b.asked[1]!.answer();
    await vi.advanceTimersByTimeAsync(0);
    const next = reads.read('c', b.query);
    b.asked[2]!.answer();
    expect(await next).toEqual({ value: 1 });
  });

  it('a case never read waits for its query, however long', async () => {
    const b = new Backlog();
    const reads = new CaseReads<number>({ budgetMs: 800 });
    const read = reads.read('c', b.query);
    expect(await settledWithin(read, 30_000)).toBeUndefined();
    b.asked[0]!.answer();
    expect(await read).toEqual({ value: 0 });
  });

  it('after a change through this process the next read waits, and an older answer is never kept', async () => {
    const b = new Backlog();
    const reads = new CaseReads<number>({ budgetMs: 800 });
    const first = reads.read('c', b.query);
    b.asked[0]!.answer();
    await first;
    const before = reads.read('c', b.query); // asked before the change, answers after it
    b.version = 1;
    reads.changed('c');
    const after = reads.read('c', b.query);
    expect(await settledWithin(after, 5000)).toBeUndefined();
    expect(b.asked).toHaveLength(3); // not shared with the query from before the change
    b.asked[1]!.answer();
    expect((await before).value).toBe(0);
    b.asked[2]!.answer();
    expect(await after).toEqual({ value: 1 });
  });

  it('reads of one case at once share one query', async () => {
    const b = new Backlog();
    const reads = new CaseReads<number>({ budgetMs: 800 });
    const all = Promise.all([1, 2, 3].map(() => reads.read('c', b.query)));
    expect(b.asked).toHaveLength(1);
    b.asked[0]!.answer();
    expect(await all).toEqual([{ value: 0 }, { value: 0 }, { value: 0 }]);
  });

  it('a failed query fails the read that waits for it, and the next read asks again', async () => {
    const b = new Backlog();
    const reads = new CaseReads<number>({ budgetMs: 800 });
    const first = reads.read('c', b.query);
    b.asked[0]!.fail(new Error('Workflow not found'));
    await expect(first).rejects.toThrow('Workflow not found');
    const again = reads.read('c', b.query);
    expect(b.asked).toHaveLength(2);
    b.asked[1]!.answer();
    expect(await again).toEqual({ value: 0 });
  });

  it('keeps at most maxEntries cases, dropping the least recently read', async () => {
    const b = new Backlog();
    const reads = new CaseReads<number>({ budgetMs: 10, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) {
      const r = reads.read(id, b.query);
      b.asked.at(-1)!.answer();
      await r;
    }
    // 'a' was dropped: its read waits; 'c' is kept: its read serves the last answer after 10 ms.
    expect(await settledWithin(reads.read('a', b.query), 100)).toBeUndefined();
    expect(await settledWithin(reads.read('c', b.query), 100)).toMatchObject({ value: { asOf: expect.any(Number) } });
  });

  it('property: a read begun after a change never shows the case from before it, and a kept case is served within the budget', async () => {
    type Op = { kind: 'read' } | { kind: 'change' } | { kind: 'answer'; which: number } | { kind: 'wait'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ kind: 'read' }),
      fc.constant<Op>({ kind: 'change' }),
      fc.nat(5).map<Op>((which) => ({ kind: 'answer', which })),
      fc.integer({ min: 1, max: 2000 }).map<Op>((ms) => ({ kind: 'wait', ms })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const b = new Backlog();
        const reads = new CaseReads<number>({ budgetMs: 800 });
        const open: Promise<void>[] = [];
        let kept = false;
        for (const o of ops) {
          if (o.kind === 'change') {
            b.version++;
            reads.changed('c');
            kept = false;
          } else if (o.kind === 'answer') {
            const q = b.asked.splice(o.which % Math.max(1, b.asked.length), 1)[0];
            q?.answer();
            await vi.advanceTimersByTimeAsync(0);
            if (q && q.version === b.version) kept = true;
          } else if (o.kind === 'wait') {
            await vi.advanceTimersByTimeAsync(o.ms);
          } else {
            const floor = b.version;
            const start = Date.now();
            const servedByBudget = kept;
            const r = reads.read('c', b.query);
            open.push(
              r.then((got) => {
                expect(got.value).toBeGreaterThanOrEqual(floor);
                if (got.asOf !== undefined) expect(Date.now() - start).toBeLessThanOrEqual(800);
              }),
            );
            if (servedByBudget) {
              const s = await settledWithin(r, 800);
              expect(s).toBeDefined();
            }
          }
        }
        for (const q of b.asked.splice(0)) q.answer();
        await vi.advanceTimersByTimeAsync(1000);
        await Promise.all(open);
      }),
      { numRuns: 150 },
    );
  });
});
