/**
 * Pins: the store's own record of who relies on a stored file, so a file is never deleted while a
 * case may point at it.
 *
 * Why pins rather than asking the cases: the store is content-addressed and shared by every case
 * of every year and bureau, so "does any case reference this hash?" would mean querying every
 * visit workflow ever run (closed ones included, some past retention). Instead each upload leaves
 * one small pin object, `<pins>/<sha256>/<pinId>.json` ({ caseId, at }), written durably *before*
 * the store decides whether the content is already there. A pin is removed only when the upload's
 * Update is known to have been refused and its case does not hold the file; an accepted upload's
 * pin stays for good (the case's reference, marked `accepted`). A file goes only when its last pin
 * goes, and only if it is *managed*: first written by a pinned upload (the `.managed` marker).
 * Files stored before pins existed, or by callers that do not pin, are never deleted here.
 *
 * The pins live beside the store (`evidence.pins/` beside `evidence/`), not inside it, so the store
 * stays exactly `<2 hex>/<sha256>`; losing the pins only makes every file unmanaged (kept), never
 * lost. They go through the same object store as the files (objects.ts), so every host sees them:
 * a pin is created with `putIfAbsent` (a fresh random id; the atomic create makes sure it is one
 * nobody else holds), and `list` must see every pin written before it began. S3 gives that
 * read-after-write and list-after-write consistency; an S3-compatible server that lists stale
 * keys would break the guarantee that a pinned file is never removed (store.ts, `release`).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { LocalDiskStore } from '../storage/local';
import type { ObjectStore } from '../storage/object-store';
import { folderVanished, removeEmptyFolder } from './objects';

/** What one upload's pin says. */
export interface PinRecord {
  /** The case (visit workflow id) whose Update the file was stored for. */
  caseId: string;
  /** When the upload pinned the file (ISO). */
  at: string;
  /** Set once the Update is known to have been accepted: the case's reference, never swept. */
  accepted?: true;
}

const PIN_FILE = /^([0-9a-f]{24})\.json$/;
const PIN_ID = /^[0-9a-f]{24}$/;
const SHA = /^[0-9a-f]{64}$/;
const MANAGED = '.managed';
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The pins of a store (one folder per hash) under `prefix/` of its object store. Hashes are validated by the store. */
export class Pins {
  readonly objects: ObjectStore;
  /** The pins' key prefix (`evidence.pins`). */
  readonly prefix: string;
  /** Where they are, for people: the local folder, or the prefix in the bucket. */
  readonly dir: string;

  /** The pins under `prefix/` of `objects`, or (one argument) in a folder on this host's disk. */
  constructor(objects: ObjectStore | string, prefix?: string, dir?: string) {
    if (typeof objects === 'string') {
      const folder = path.resolve(objects);
      this.objects = new LocalDiskStore(path.dirname(folder));
      this.prefix = path.basename(folder);
      this.dir = folder;
    } else {
      if (prefix === undefined) throw new Error('Pins 需要键前缀');
      this.objects = objects;
      this.prefix = prefix;
      this.dir = dir ?? `${prefix}/`;
    }
  }

  private shaKey(sha256: string): string {
    return `${this.prefix}/${sha256}`;
  }

  private key(sha256: string, id: string): string {
    if (!PIN_ID.test(id)) throw new Error(`pin id 格式不正确：${JSON.stringify(id.slice(0, 40))}`);
    return `${this.shaKey(sha256)}/${id}.json`;
  }

  /** Writes a new pin, durably: a pin lost in a crash could let the file go while a case holds it. */
  async add(sha256: string, record: Omit<PinRecord, 'at' | 'accepted'>): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const id = randomBytes(12).toString('hex');
      const bytes = json({ caseId: record.caseId, at: new Date().toISOString() } satisfies PinRecord);
      try {
        if (await this.objects.putIfAbsent(this.key(sha256, id), bytes)) return id;
      } catch (e) {
        // On disk, a release tidying the hash's empty folder between its creation and the write.
        if (!folderVanished(e) || attempt >= 5) throw e;
      }
    }
  }

  /** Marks a pin as the reference of an accepted Update (written whole and durably over the old). */
  async accept(sha256: string, id: string): Promise<void> {
    const record = await this.read(sha256, id);
    if (!record || record.accepted) return;
    await this.objects.put(this.key(sha256, id), json({ ...record, accepted: true } satisfies PinRecord));
  }

  async remove(sha256: string, id: string): Promise<void> {
    await this.objects.delete(this.key(sha256, id));
  }

  /** The pin ids held on a hash. */
  async list(sha256: string): Promise<string[]> {
    const keys = await this.objects.list(`${this.shaKey(sha256)}/`);
    return keys.flatMap((k) => PIN_FILE.exec(k.slice(k.lastIndexOf('/') + 1))?.[1] ?? []);
  }

  /** A pin's record; an unreadable one (torn by a crash) reads as a plain pin of unknown case. */
  async read(sha256: string, id: string): Promise<PinRecord | undefined> {
    const bytes = await this.objects.get(this.key(sha256, id));
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as PinRecord;
    } catch {
      return { caseId: '', at: new Date(0).toISOString() };
    }
  }

  /** Every hash that has a pin or a marker. */
  async hashes(): Promise<string[]> {
    const found = new Set<string>();
    for (const k of await this.objects.list(`${this.prefix}/`)) {
      const sha256 = k.slice(this.prefix.length + 1).split('/')[0]!;
      if (SHA.test(sha256)) found.add(sha256);
    }
    return [...found];
  }

  /** Records that the file was first written by a pinned upload, so its pins decide its life. */
  async markManaged(sha256: string): Promise<void> {
    await this.objects.put(`${this.shaKey(sha256)}/${MANAGED}`, new Uint8Array(0));
  }

  async isManaged(sha256: string): Promise<boolean> {
    return (await this.objects.head(`${this.shaKey(sha256)}/${MANAGED}`)) !== undefined;
  }

  /** Removes the marker (and on disk the hash's folder) once its file is gone and no pin is left. */
  async forget(sha256: string): Promise<void> {
    await this.objects.delete(`${this.shaKey(sha256)}/${MANAGED}`);
    await this.tidy(sha256);
  }

  /** Removes the hash's folder on disk if nothing is left in it (an upload pinning meanwhile wins). */
  async tidy(sha256: string): Promise<void> {
    await removeEmptyFolder(this.objects, this.shaKey(sha256));
  }
}
