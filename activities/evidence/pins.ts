/**
 * Pins: the store's own record of who relies on a stored file, so a file is never deleted while a
 * case may point at it.
 *
 * Why pins rather than asking the cases: the store is content-addressed and shared by every case
 * of every year and bureau, so "does any case reference this hash?" would mean querying every
 * visit workflow ever run (closed ones included, some past retention). Instead each upload leaves
 * one small pin file, `<pinsDir>/<sha256>/<pinId>.json` ({ caseId, at }), written durably *before*
 * the store decides whether the content is already there. A pin is removed only when the upload's
 * Update is known to have been refused and its case does not hold the file; an accepted upload's
 * pin stays for good (the case's reference, marked `accepted`). A file goes only when its last pin
 * goes, and only if it is *managed*: first written by a pinned upload (the `.managed` marker).
 * Files stored before pins existed, or by callers that do not pin, are never deleted here.
 *
 * The pins live beside the store, not inside it, so the store directory stays exactly
 * `<2 hex>/<sha256>`; losing the pins directory only makes every file unmanaged (kept), never lost.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { syncDir, writeFileDurable } from '../durable';

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
const MANAGED = '.managed';

/** The pin files of a store (one directory per hash). Hashes are validated by the store. */
export class Pins {
  constructor(readonly dir: string) {}

  private shaDir(sha256: string): string {
    return path.join(this.dir, sha256);
  }

  private file(sha256: string, id: string): string {
    if (!PIN_ID.test(id)) throw new Error(`pin id 格式不正确：${JSON.stringify(id.slice(0, 40))}`);
    return path.join(this.shaDir(sha256), `${id}.json`);
  }

  /** Writes a new pin and syncs it: a pin lost in a crash could let the file go while a case holds it. */
  async add(sha256: string, record: Omit<PinRecord, 'at' | 'accepted'>): Promise<string> {
    const id = randomBytes(12).toString('hex');
    const dir = this.shaDir(sha256);
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(this.file(sha256, id), 'wx', 0o644);
    try {
      await handle.writeFile(
        JSON.stringify({ caseId: record.caseId, at: new Date().toISOString() } satisfies PinRecord),
      );
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDir(dir);
    return id;
  }

  /** Marks a pin as the reference of an accepted Update (written whole and durably, then renamed over the old). */
  async accept(sha256: string, id: string): Promise<void> {
    const record = await this.read(sha256, id);
    if (!record || record.accepted) return;
    await writeFileDurable(this.file(sha256, id), JSON.stringify({ ...record, accepted: true } satisfies PinRecord));
  }

  async remove(sha256: string, id: string): Promise<void> {
    await fs.rm(this.file(sha256, id), { force: true });
  }

  /** The pin ids held on a hash. */
  async list(sha256: string): Promise<string[]> {
    const names = await readdirOrEmpty(this.shaDir(sha256));
    return names.flatMap((n) => PIN_FILE.exec(n)?.[1] ?? []);
  }

  /** A pin's record; an unreadable one (torn by a crash) reads as a plain pin of unknown case. */
  async read(sha256: string, id: string): Promise<PinRecord | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file(sha256, id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return JSON.parse(text) as PinRecord;
    } catch {
      return { caseId: '', at: new Date(0).toISOString() };
    }
  }

  /** Every hash that has a pin directory. */
  async hashes(): Promise<string[]> {
    return (await readdirOrEmpty(this.dir)).filter((n) => /^[0-9a-f]{64}$/.test(n));
  }

  /** Records that the file was first written by a pinned upload, so its pins decide its life. */
  async markManaged(sha256: string): Promise<void> {
    await fs.mkdir(this.shaDir(sha256), { recursive: true });
    await fs.writeFile(path.join(this.shaDir(sha256), MANAGED), '');
  }

  async isManaged(sha256: string): Promise<boolean> {
    return fs.stat(path.join(this.shaDir(sha256), MANAGED)).then(
      () => true,
      () => false,
    );
  }

  /** Removes the marker and the hash's directory once its file is gone and no pin is left. */
  async forget(sha256: string): Promise<void> {
    await fs.rm(path.join(this.shaDir(sha256), MANAGED), { force: true });
    await this.tidy(sha256);
  }

  /** Removes the hash's directory if nothing is left in it (an upload pinning meanwhile wins). */
  async tidy(sha256: string): Promise<void> {
    await fs.rmdir(this.shaDir(sha256)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT' && e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
