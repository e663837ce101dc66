/**
 * What the evidence store asks of its object store (对象存储, activities/storage) beyond the
 * interface, done the cheap way when the store is this host's disk:
 * - a size or presence check: a stat, where the interface's `head` would hash the whole file;
 * - stored files read-only (0444), as they always were, so a tamperer must change that first;
 * - a pin folder left empty removed, so the pins directory keeps only what is pinned;
 * - the time of storage, which the interface does not carry.
 * On any other store (S3) these fall back to `head` or do nothing: a bucket has no folders, no
 * modes, and its objects are replaced whole.
 */
import fs from 'node:fs/promises';
import { LocalDiskStore } from '../storage/local';
import type { ObjectStore } from '../storage/object-store';

const code = (e: unknown): string => (e as NodeJS.ErrnoException | undefined)?.code ?? '';
const absent = (e: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes(code(e));

/** The file a key names when the store is this host's disk; undefined otherwise. */
export function localPath(objects: ObjectStore, key: string): string | undefined {
  return objects instanceof LocalDiskStore ? objects.pathOf(key) : undefined;
}

/** The object's size, or undefined when there is none. */
export async function sizeOf(objects: ObjectStore, key: string): Promise<number | undefined> {
  const file = localPath(objects, key);
  if (file === undefined) return (await objects.head(key))?.size;
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st.size : undefined;
  } catch (e) {
    if (absent(e)) return undefined;
    throw e;
  }
}

/** When a local object was last written; undefined on a store that does not say. */
export async function modifiedOf(objects: ObjectStore, key: string): Promise<Date | undefined> {
  const file = localPath(objects, key);
  return file === undefined ? undefined : (await fs.stat(file)).mtime;
}

/** Makes a local object read-only (the object was just written; gone meanwhile is fine). */
export async function makeReadOnly(objects: ObjectStore, key: string): Promise<void> {
  const file = localPath(objects, key);
  if (file !== undefined) await fs.chmod(file, 0o444).catch((e: unknown) => absent(e) || Promise.reject(e));
}

/**
 * Removes a local folder if nothing is in it; a writer that put something there meanwhile wins
 * (ENOTEMPTY). A bucket has no folders: nothing to do.
 */
export async function removeEmptyFolder(objects: ObjectStore, key: string): Promise<void> {
  const folder = localPath(objects, key);
  if (folder === undefined) return;
  await fs.rmdir(folder).catch((e: unknown) => {
    if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(code(e))) throw e;
  });
}

/** Whether an error means a local folder vanished under a write (a concurrent `removeEmptyFolder`). */
export const folderVanished = (e: unknown): boolean => code(e) === 'ENOENT';
