/**
 * Pins in the evidence store: a pinned file is removed only by releasing its last pin, only if a
 * pinned upload first wrote it, and never out from under an upload that pins it meanwhile. The
 * sweep settles stale pins against what their cases hold.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EvidenceStore, OUTGOING } from '../activities/evidence/store';
import { sweepPins } from '../activities/evidence/sweep';

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-pins-test-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let n = 0;
const pdf = () => Buffer.from(`%PDF-1.4\n% pins ${n++} ${Math.random()}\n%%EOF\n`);
const newStore = () => new EvidenceStore({ dir: fs.mkdtempSync(path.join(ROOT, 'store-')) });
const CASE = 'visit-2031-hl-xiangshan';
const HOUR = 3_600_000;

/** Every file (not directory) under the store and under its pins directory. */
function onDisk(store: EvidenceStore): string[] {
  const walk = (dir: string): string[] =>
    fs.existsSync(dir)
      ? (fs.readdirSync(dir, { recursive: true }) as string[])
          .map((r) => path.join(dir, r))
          .filter((p) => fs.statSync(p).isFile())
      : [];
  return [...walk(store.dir), ...walk(store.pins.dir)].sort();
}

describe('release', () => {
  it('removes a file and its pin when the upload that wrote it lets go, leaving nothing', async () => {
    const store = newStore();
    const bytes = pdf();
    const stored = await store.put({ bytes }, 'a.pdf', { pin: { caseId: CASE } });
    expect(stored).toMatchObject({
      sha256: sha(bytes),
      deduplicated: false,
      pin: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
    expect(await store.pins.read(stored.sha256, stored.pin)).toMatchObject({ caseId: CASE });
    expect(await store.release(stored.sha256, stored.pin)).toBe(true);
    expect(await store.has(stored.sha256)).toBe(false);
    expect(onDisk(store)).toEqual([]);
    expect(fs.existsSync(path.join(store.pins.dir, stored.sha256))).toBe(false);
  });

  it('keeps a file while another upload pins it, whichever lets go first', async () => {
    for (const writerFirst of [true, false]) {
      const store = newStore();
      const bytes = pdf();
      const a = await store.put({ bytes }, 'a.pdf', { pin: { caseId: CASE } });
      const b = await store.put({ bytes }, 'b.pdf', { pin: { caseId: 'visit-2031-hl-qinghe' } });
      expect([a.deduplicated, b.deduplicated]).toEqual([false, true]);
      const [first, second] = writerFirst ? [a, b] : [b, a];
      expect(await store.release(first.sha256, first.pin)).toBe(false);
      expect(await store.verify(a.sha256)).toBe(true);
      expect(await store.release(second.sha256, second.pin)).toBe(true);
      expect(await store.has(a.sha256)).toBe(false);
    }
  });

  it('never removes a file no pinned upload wrote (stored before pins, or by a caller that does not pin)', async () => {
    const store = newStore();
    const bytes = pdf();
    await store.put({ bytes }, 'old.pdf');
    const before = onDisk(store);
    const again = await store.put({ bytes }, 'again.pdf', { pin: { caseId: CASE } });
    expect(again.deduplicated).toBe(true);
    expect(await store.release(again.sha256, again.pin)).toBe(false);
    expect(await store.verify(again.sha256)).toBe(true);
    expect(onDisk(store)).toEqual(before);

    // A damaged copy rewritten by a pinned upload stays unmanaged too: some older case may hold it.
    fs.chmodSync(store.pathOf(again.sha256), 0o644);
    fs.truncateSync(store.pathOf(again.sha256), 5);
    const rewrite = await store.put({ bytes }, 'fix.pdf', { pin: { caseId: CASE } });
    expect(rewrite.deduplicated).toBe(false);
    expect(await store.release(rewrite.sha256, rewrite.pin)).toBe(false);
    expect(await store.verify(rewrite.sha256)).toBe(true);
  });

  it('puts the file back when an upload pins it while it is being removed', async () => {
    const store = newStore();
    const bytes = pdf();
    const a = await store.put({ bytes }, 'a.pdf', { pin: { caseId: CASE } });
    // The upload arrives between the file being renamed aside and the pins being read again:
    // it finds no file, writes its own copy, and the release must not take either away.
    const list = store.pins.list.bind(store.pins);
    let calls = 0;
    let late: Awaited<ReturnType<typeof store.put>> | undefined;
    store.pins.list = async (hash: string) => {
      if (++calls === 2) late = await store.put({ bytes }, 'late.pdf', { pin: { caseId: CASE } });
      return list(hash);
    };
    expect(await store.release(a.sha256, a.pin)).toBe(false);
    expect(late?.deduplicated).toBe(false);
    expect(await store.verify(a.sha256)).toBe(true);
    expect(await store.pins.list(a.sha256)).toEqual([late!.pin]);
    expect(fs.readdirSync(store.dir).filter((f) => f.startsWith(OUTGOING))).toEqual([]);
  });

  it('refuses a pin id that is not one', async () => {
    const store = newStore();
    const stored = await store.put({ bytes: pdf() }, 'a.pdf', { pin: { caseId: CASE } });
    await expect(store.release(stored.sha256, '../../etc/passwd')).rejects.toThrow(/pin id/);
    await expect(store.release('../x', stored.pin)).rejects.toThrow(/sha256/);
    expect(await store.has(stored.sha256)).toBe(true);
  });
});

describe('sweepPins', () => {
  const later = new Date(Date.now() + 2 * HOUR);

  it('accepts what the case holds, releases what it does not, and keeps what it cannot tell', async () => {
    const store = newStore();
    const held = await store.put({ bytes: pdf() }, 'held.pdf', { pin: { caseId: CASE } });
    const dropped = await store.put({ bytes: pdf() }, 'dropped.pdf', { pin: { caseId: CASE } });
    const unreadable = await store.put({ bytes: pdf() }, 'elsewhere.pdf', { pin: { caseId: 'visit-2031-hl-gone' } });
    const accepted = await store.put({ bytes: pdf() }, 'accepted.pdf', {
      pin: { caseId: 'visit-2031-hl-never-asked' },
    });
    await store.accept(accepted.sha256, accepted.pin);
    const asked: string[] = [];
    const references = async (caseId: string) => {
      asked.push(caseId);
      if (caseId === 'visit-2031-hl-gone') throw new Error('workflow not found');
      return new Set([held.sha256]);
    };

    const before = onDisk(store);
    expect(await sweepPins(store, { graceMs: HOUR, references, now: later, dryRun: true })).toMatchObject({
      checked: 3,
      accepted: 1,
      released: 1,
      unknown: 1,
      removed: [],
    });
    expect(onDisk(store)).toEqual(before);

    const report = await sweepPins(store, { graceMs: HOUR, references, now: later });
    expect(report).toMatchObject({ checked: 3, accepted: 1, released: 1, unknown: 1, removed: [dropped.sha256] });
    // Each case asked once per sweep; an accepted pin is never asked about.
    expect(asked.filter((c) => c === CASE)).toHaveLength(2);
    expect(asked).not.toContain('visit-2031-hl-never-asked');
    expect(await store.pins.read(held.sha256, held.pin)).toMatchObject({ accepted: true });
    expect(await store.has(dropped.sha256)).toBe(false);
    expect(await store.verify(unreadable.sha256)).toBe(true);
    expect(await store.verify(accepted.sha256)).toBe(true);
    // Within the grace period nothing is looked at.
    const fresh = await store.put({ bytes: pdf() }, 'fresh.pdf', { pin: { caseId: CASE } });
    expect(await sweepPins(store, { graceMs: HOUR, references: async () => new Set() })).toMatchObject({
      checked: 0,
      removed: [],
    });
    expect(await store.has(fresh.sha256)).toBe(true);
  });

  it('puts back a file a crash left aside while still pinned, and removes one nothing pins', async () => {
    const store = newStore();
    const kept = await store.put({ bytes: pdf() }, 'kept.pdf', { pin: { caseId: CASE } });
    await store.accept(kept.sha256, kept.pin);
    const gone = await store.put({ bytes: pdf() }, 'gone.pdf', { pin: { caseId: CASE } });
    // As a release leaves them if the process dies between the rename and the last look at the pins.
    fs.renameSync(store.pathOf(kept.sha256), path.join(store.dir, `${OUTGOING}${kept.sha256}-0000`));
    fs.renameSync(store.pathOf(gone.sha256), path.join(store.dir, `${OUTGOING}${gone.sha256}-0000`));
    await store.pins.remove(gone.sha256, gone.pin);

    const report = await sweepPins(store, {
      graceMs: HOUR,
      references: async () => new Set([kept.sha256]),
      now: later,
    });
    expect(report.restored).toBe(2);
    expect(await store.verify(kept.sha256)).toBe(true);
    expect(await store.has(gone.sha256)).toBe(false);
    expect(fs.readdirSync(store.dir).filter((f) => f.startsWith(OUTGOING))).toEqual([]);
    expect(fs.existsSync(path.join(store.pins.dir, gone.sha256))).toBe(false);
  });
});
