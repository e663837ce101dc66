/**
 * Where the archive is kept (归档存储): a part of the process's object store (activities/storage),
 * so workers and dashboards on several hosts share the letters and the records. Keys are
 * `<caseId>/<documentId>.pdf`, `<caseId>/case.json`, `<caseId>/MANIFEST.sha256`,
 * `<programmeWorkflowId>/…`: in the process store they sit under `archive/`, which on the local
 * store is `<dataDir>/archive/…`, exactly the folders of before.
 *
 * A caller may still name the archive by its folder on this host (tests, tools): a LocalDiskStore
 * over it. A document is found by its key, derived from caseId + documentId, or from the last two
 * segments of the path a workflow recorded (an absolute path on the worker that rendered it, in
 * runs before the store): never by opening that path.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalDiskStore } from './storage/local';
import { StorageIntegrityError, type ObjectStore } from './storage/object-store';
import { PrefixedStore, withPrefix } from './storage/prefixed';

/** The archive: its folder on this host, or the store whose keys are `<caseId>/<file>`. */
export type ArchiveLocation = string | ObjectStore;

/** The archive's part of the process store. */
export const ARCHIVE_PREFIX = 'archive';

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** The store of an archive location. */
export function archiveStore(at: ArchiveLocation): ObjectStore {
  return typeof at === 'string' ? new LocalDiskStore(at) : at;
}

/**
 * An archive folder named either way: `(archive, id)`, or its path on this host alone (`id`
 * absent: the folder's parent is the archive, its name the id).
 */
export function folderOf(at: ArchiveLocation, id?: string): { store: ObjectStore; id: string } {
  if (id !== undefined) return { store: archiveStore(at), id };
  if (typeof at !== 'string') throw new Error('归档目录未指明案件或计划编号');
  return { store: new LocalDiskStore(path.dirname(at)), id: path.basename(at) };
}

/** The archive in the process store (`storeFromConfig`): its `archive/` part. */
export function archiveIn(store: ObjectStore): ObjectStore {
  return withPrefix(store, ARCHIVE_PREFIX);
}

/** A document's key in the archive, in one of its formats (`.pdf`, `.ofd`). */
export const documentKey = (caseId: string, documentId: string, format: 'pdf' | 'ofd' = 'pdf') =>
  `${caseId}/${documentId}.${format}`;

/**
 * The archive key of a recorded document path: its last two segments (`<caseId>/<file>`), whether
 * the path is an old run's absolute path on some worker or a new run's key. Undefined when they
 * are not safe names.
 */
export function keyOfPath(recorded: string): string | undefined {
  const segments = recorded.split(/[/\\]+/).filter(Boolean);
  const [dir, file] = segments.slice(-2);
  if (!dir || !file || !SEGMENT.test(dir) || !SEGMENT.test(file) || dir.startsWith('.') || file.startsWith('.'))
    return undefined;
  return `${dir}/${file}`;
}

/**
 * Where a key is, for people and records: the file on this host for the local store, otherwise
 * the key in the process store (`archive/<caseId>/…`).
 */
export function whereIs(store: ObjectStore, key: string): string {
  return localFile(store, key) ?? (store instanceof PrefixedStore ? store.keyOf(key) : key);
}

/** The file of a key on this host, when the store is a local one. */
function localFile(store: ObjectStore, key: string): string | undefined {
  if (store instanceof PrefixedStore) return localFile(store.inner, store.keyOf(key));
  if (store instanceof LocalDiskStore) return store.pathOf(key);
  return undefined;
}

/**
 * As `readObject`, and on the local store the file is flushed to the disk on the way: the archive
 * vouches only for letters that survive a crash (archives written before the renderer fsynced).
 */
export async function readDurably(store: ObjectStore, key: string): Promise<Buffer | undefined | 'corrupt'> {
  const file = localFile(store, key);
  if (file === undefined) return readObject(store, key);
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
  try {
    const bytes = await handle.readFile();
    await handle.sync();
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * The object's bytes; undefined when there is none; 'corrupt' when the store itself says they are
 * not the bytes it was given (S3Store checks its stored sha256): altered, as far as the archive goes.
 */
export async function readObject(store: ObjectStore, key: string): Promise<Buffer | undefined | 'corrupt'> {
  try {
    const bytes = await store.get(key);
    return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    if (err instanceof StorageIntegrityError) return 'corrupt';
    throw err;
  }
}
