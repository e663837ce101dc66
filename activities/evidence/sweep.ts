/**
 * The sweep settles what no request could: the pin of an upload whose Update timed out (it may
 * have applied, or may yet), of a request that crashed between storing and its Update, or of one
 * whose case could not be read at the time. Past a grace period any such Update has long been
 * applied or dropped, so the case is asked then: it points at the file → the pin is marked
 * accepted; it does not → the pin is released (and the file goes if nothing else pins it); it
 * cannot be read → the pin stays. Accepted pins are never looked at again.
 */
import { makeReadOnly } from './objects';
import { OUTGOING, type EvidenceStore } from './store';

export interface SweepOptions {
  /** Pins younger than this are left alone: their upload may still be waiting on its Update. */
  graceMs: number;
  /** The sha256 of every file the case points at; undefined when the case cannot be read now. */
  references: (caseId: string) => Promise<ReadonlySet<string> | undefined>;
  /** Report what would change, change nothing. */
  dryRun?: boolean;
  now?: Date;
}

export interface SweepReport {
  /** Pins whose case was asked. */
  checked: number;
  /** Pins the case turned out to hold: marked accepted. */
  accepted: number;
  /** Pins released: their case does not hold the file. */
  released: number;
  /** Files removed with their last pin. */
  removed: string[];
  /** Pins kept because their case could not be read. */
  unknown: number;
  /** Files a crash had left aside in the middle of a release, put back (still pinned) or removed. */
  restored: number;
}

/** Settles stale pins against their cases; see the module comment. */
export async function sweepPins(store: EvidenceStore, opts: SweepOptions): Promise<SweepReport> {
  const now = (opts.now ?? new Date()).getTime();
  const report: SweepReport = { checked: 0, accepted: 0, released: 0, removed: [], unknown: 0, restored: 0 };
  const cases = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  const referencesOf = (caseId: string) => {
    if (!caseId) return Promise.resolve(undefined);
    let refs = cases.get(caseId);
    if (!refs) cases.set(caseId, (refs = opts.references(caseId).catch(() => undefined)));
    return refs;
  };

  for (const sha256 of await store.pins.hashes()) {
    for (const id of await store.pins.list(sha256)) {
      const pin = await store.pins.read(sha256, id);
      if (!pin || pin.accepted || now - Date.parse(pin.at) < opts.graceMs) continue;
      report.checked++;
      const refs = await referencesOf(pin.caseId);
      if (!refs) {
        report.unknown++;
      } else if (refs.has(sha256)) {
        report.accepted++;
        if (!opts.dryRun) await store.accept(sha256, id);
      } else {
        report.released++;
        if (!opts.dryRun && (await store.release(sha256, id))) report.removed.push(sha256);
      }
    }
  }
  if (!opts.dryRun) report.restored = await restoreAside(store, now - opts.graceMs);
  return report;
}

/**
 * A release moves a file aside (`.outgoing-<sha256>-<time>-…`) before it reads the pins a last
 * time; a crash right then leaves it there. Still pinned: it goes back; otherwise it is removed.
 */
async function restoreAside(store: EvidenceStore, before: number): Promise<number> {
  const folder = `${store.prefix}/`;
  let n = 0;
  for (const key of await store.objects.list(`${folder}${OUTGOING}`)) {
    const name = key.slice(folder.length);
    const sha256 = name.slice(OUTGOING.length, OUTGOING.length + 64);
    if (!/^[0-9a-f]{64}$/.test(sha256) || name.includes('/')) continue;
    // Only what a release left long ago: a live one puts back or removes within moments.
    if (asideAt(name) > before) continue;
    if ((await store.pins.list(sha256)).length === 0) {
      await store.objects.delete(key);
      if (!(await store.has(sha256))) await store.pins.forget(sha256);
    } else if (await store.has(sha256)) await store.objects.delete(key);
    else {
      const bytes = await store.objects.get(key);
      if (bytes) {
        await store.objects.put(store.keyOf(sha256), bytes);
        await makeReadOnly(store.objects, store.keyOf(sha256));
      }
      await store.objects.delete(key);
    }
    n++;
  }
  return n;
}

/**
 * When a release moved the file aside (ms since 1970, from its name). A name without a plausible
 * time (an older release's `-<random hex>`) counts as long ago: no live release writes one.
 */
function asideAt(name: string): number {
  const at = Number(name.slice(OUTGOING.length + 65).split('-')[0]);
  return Number.isSafeInteger(at) && at >= 0 && at < Date.now() + 86_400_000 ? at : 0;
}
