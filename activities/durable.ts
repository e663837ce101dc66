/**
 * Durable, atomic file writes (落盘): the one helper every record file goes through.
 *
 * A temp file beside the target, written and fsync'ed, renamed over the target, then the folder
 * fsync'ed. A crash (power cut, kernel panic) leaves the old file or the new one under the final
 * name, never a short or empty one: without the file's fsync the rename can reach the disk before
 * the data does, and the case would then hold a sha256 of bytes that are not there.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Marks a temp file of `writeFileDurable` (`<target>.tmp-<pid>-<random>`); never read as a record. */
export const TMP_MARK = '.tmp-';

/**
 * fsync of a folder, so a rename in it survives a power cut. Windows cannot open a folder for
 * that, and some file systems refuse it; there the rename stays atomic, only not yet durable.
 */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (err) {
    if (process.platform === 'win32') return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/** Writes `file` atomically and durably: a temp file beside it, fsync, rename, fsync of the folder. */
export async function writeFileDurable(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${file}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
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
