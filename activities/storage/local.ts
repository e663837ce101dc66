/**
 * The object store on this host's disk (本地磁盘): key `a/b/c` is the file `<root>/a/b/c`. Every
 * write is durable and atomic (durable.ts: temp file, fsync, rename, folder fsync), so a crash
 * leaves the old object or the new one, never part of one.
 *
 * putIfAbsent: the bytes go to a synced temp file first, then `link()` gives it the key's name.
 * link(2) fails with EEXIST when the name exists, atomically, so of any number of racing writers
 * (threads, processes, hosts sharing a POSIX file system) exactly one succeeds, and the file under
 * the name is always complete: it appears whole or not at all (`open(…, 'wx')` then write would
 * let a reader see it short).
 *
 * One difference from a bucket: a key cannot be both an object and a folder (`a` and `a/b`); such
 * a write is refused with StorageKeyError.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { syncDir, tempNameFor, TMP_MARK, writeFileDurable } from '../durable';
import {
  checkGivenSha256,
  checkPrefix,
  keySegments,
  StorageKeyError,
  type ObjectHead,
  type ObjectStore,
  type PutObjectOptions,
} from './object-store';

const code = (e: unknown): string => (e as NodeJS.ErrnoException | undefined)?.code ?? '';
/** The key names no file: absent, or a folder, or a file stands where a folder would be. */
const absent = (e: unknown): boolean => ['ENOENT', 'ENOTDIR', 'EISDIR'].includes(code(e));

export class LocalDiskStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The file a key names (checked: it can never leave the root). */
  pathOf(key: string): string {
    return path.join(this.root, ...keySegments(key));
  }

  async put(key: string, bytes: Uint8Array, opts: PutObjectOptions = {}): Promise<void> {
    const file = this.pathOf(key);
    checkGivenSha256(key, bytes, opts.sha256);
    await this.makeFolder(key, file);
    try {
      await writeFileDurable(file, bytes);
    } catch (e) {
      throw this.folderClash(key, e);
    }
  }

  async putIfAbsent(key: string, bytes: Uint8Array, opts: PutObjectOptions = {}): Promise<boolean> {
    const file = this.pathOf(key);
    checkGivenSha256(key, bytes, opts.sha256);
    await this.makeFolder(key, file);
    const tmp = tempNameFor(file);
    try {
      const handle = await fs.open(tmp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.link(tmp, file);
      } catch (e) {
        if (code(e) === 'EEXIST') return false;
        throw this.folderClash(key, e);
      }
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await syncDir(path.dirname(file));
    return true;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (e) {
      if (absent(e)) return undefined;
      throw e;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    const file = this.pathOf(key);
    let size: number;
    try {
      const st = await fs.stat(file);
      if (!st.isFile()) return undefined;
      size = st.size;
    } catch (e) {
      if (absent(e)) return undefined;
      throw e;
    }
    // A file keeps no checksum beside it: hashed on demand (evidence is at most 20 MB).
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    } catch (e) {
      if (absent(e)) return undefined;
      throw e;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    // Walk only the folder the prefix is inside of, then match the rest as a string.
    const cut = prefix.lastIndexOf('/');
    const base = cut < 0 ? '' : prefix.slice(0, cut);
    const keys: string[] = [];
    await this.walk(base, keys);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      const st = await fs.lstat(file);
      if (!st.isFile()) return;
      await fs.rm(file);
    } catch (e) {
      if (absent(e)) return;
      throw e;
    }
    await syncDir(path.dirname(file));
  }

  private async walk(folderKey: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(folderKey ? path.join(this.root, ...folderKey.split('/')) : this.root, {
        withFileTypes: true,
      });
    } catch (e) {
      if (absent(e)) return;
      throw e;
    }
    for (const entry of entries) {
      // A writer's temp file is not an object.
      if (entry.name.includes(TMP_MARK)) continue;
      const key = folderKey ? `${folderKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(key, out);
      else if (entry.isFile()) out.push(key);
    }
  }

  /** Creates the key's folders, syncing each new one into its parent so the object's path survives a crash. */
  private async makeFolder(key: string, file: string): Promise<void> {
    const dir = path.dirname(file);
    let first: string | undefined;
    try {
      first = await fs.mkdir(dir, { recursive: true });
    } catch (e) {
      throw this.folderClash(key, e);
    }
    if (first === undefined) return;
    // Sync from the first folder made up to the root's level: each new name lives in its parent.
    for (let d = dir; d.length >= first.length; d = path.dirname(d)) await syncDir(path.dirname(d));
  }

  private folderClash(key: string, e: unknown): unknown {
    if (['ENOTDIR', 'EISDIR', 'EEXIST'].includes(code(e))) {
      return new StorageKeyError(
        `存储键 ${JSON.stringify(key)} 与已有对象的路径冲突（本地存储中同一路径不能既是对象又是目录）`,
      );
    }
    return e;
  }
}
