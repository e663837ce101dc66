/**
 * Durable, atomic file writes (落盘): the one helper every record file goes through — the archive,
 * the mail sent-log and outbox, the evidence store and its pins, the rendered documents, the users
 * file and the receipt-link key.
 *
 * A temp file beside the target, written and fsync'ed, renamed over the target, then the folder
 * fsync'ed. A crash (power cut, kernel panic) leaves the old file or the new one under the final
 * name, never a short or empty one: without the file's fsync the rename can reach the disk before
 * the data does, and the case would then hold a sha256 of bytes that are not there.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, promises as fs } from 'node:fs';
import path from 'node:path';

/** Marks a temp file of `writeFileDurable` (`<target>.tmp-<pid>-<random>`); never read as a record. */
export const TMP_MARK = '.tmp-';

/**
 * The one errno policy for a folder's fsync: these codes, from opening the folder or from its
 * fsync, mean "this platform or file system cannot sync a folder", and the write goes on (the
 * rename stays atomic there, only not yet durable). Each was seen by one of the copies this module
 * replaced; together they are the union, and nothing else is ignored (EACCES, EIO, ENOSPC… throw):
 * - EISDIR: Windows (libuv) refuses to open a folder as a file;
 * - EPERM: Windows opens it but FlushFileBuffers on a folder handle is denied;
 * - EINVAL: Linux fsync(2) on a descriptor whose file system has no sync for it (some FUSE, CIFS,
 *   and special files);
 * - EBADF: systems other than Linux where fsync wants a descriptor open for writing, and a folder
 *   can only be opened for reading (the Linux man page's NOTES).
 */
export const DIR_SYNC_UNSUPPORTED: ReadonlySet<string> = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF']);

function unsupported(err: unknown): boolean {
  return DIR_SYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** fsync of a folder, so a new name in it (a rename, a created file) survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (err) {
    if (unsupported(err)) return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!unsupported(err)) throw err;
  } finally {
    await handle.close();
  }
}

/** `syncDir` for code that must stay synchronous (the receipt-link key, read at start-up). */
export function syncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    if (unsupported(err)) return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!unsupported(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

/** A fresh temp name beside `file`, marked with TMP_MARK. */
export function tempNameFor(file: string): string {
  return `${file}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes `file` atomically and durably: a temp file beside it, fsync, rename, fsync of the folder.
 * On any failure the temp file is removed and the old `file`, if any, is left as it was.
 */
export async function writeFileDurable(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempNameFor(file);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(file));
}

/**
 * Renames a file already written and fsync'ed (a temp the caller had to fill before it knew the
 * final name, as the evidence store does while hashing) into place, then syncs the target's folder
 * and, when it differs, the source's: the new name, and a new folder made for it, survive a crash.
 */
export async function renameDurable(from: string, to: string): Promise<void> {
  await fs.rename(from, to);
  await syncDir(path.dirname(to));
  if (path.dirname(from) !== path.dirname(to)) await syncDir(path.dirname(from));
}
