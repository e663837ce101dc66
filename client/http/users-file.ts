/**
 * The users file while the server runs (用户文件): reloaded when it changes on disk (and on an
 * administrator's POST /api/admin/users/reload), so removing a user or changing a password needs
 * no restart. A file that does not pass every check is refused with its problems logged and the
 * users in force are kept; a user removed or with a new password loses their sessions at once
 * (the server's listener on `Users.replace`).
 *
 * A password hash weaker than the current scrypt cost is upgraded at its user's next login
 * (client/users.ts): `upgradeHash` writes the new hash in place of the old one, changing nothing
 * else in the file (comments and order stay), durably and atomically, and only when the file is
 * still the one loaded. The example file is never rewritten.
 *
 * Also the rule for the example file: its passwords are printed in the README, so a server using
 * it may only listen on a loopback address.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync, watch, type FSWatcher } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { writeFileDurable } from '../../activities/durable';
import { EXIT, UserError } from '../programme';
import { loadUsers, UsersError, type Users } from '../users';

export const EXAMPLE_USERS_FILE = path.resolve(__dirname, '../../examples/users.yaml');

/** 127.0.0.0/8, ::1 (also written [::1] or as an IPv4-mapped address) and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const realpath = (file: string) => {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
};

/** True for examples/users.yaml itself, a link to it, or a byte-for-byte copy of it. */
export function isExampleUsersFile(file: string): boolean {
  if (realpath(file) === realpath(EXAMPLE_USERS_FILE)) return true;
  try {
    return sha256(readFileSync(file)) === sha256(readFileSync(EXAMPLE_USERS_FILE));
  } catch {
    return false;
  }
}

function exampleRefusal(file: string, host: string): string {
  return `用户文件 ${file} 是公开的示例用户文件（密码写在 README 中），只能在本机地址（127.0.0.1、::1、localhost）上使用；看板要监听 ${host}，请用环境变量 GUIDANCE_USERS 指定自己的用户文件（密码散列用 npx guidance users hash-password 生成）`;
}

/** Refuses to serve the example users anywhere but on a loopback address. */
export function assertUsersFileAllowed(file: string, host: string): void {
  if (!isLoopbackHost(host) && isExampleUsersFile(file))
    throw new UserError(exampleRefusal(file, host), EXIT.refused, 'ExampleUsers');
}

export type ReloadResult = { ok: true; users: number; changed: boolean } | { ok: false; problems: string[] };

interface Log {
  info(msg: string): void;
  error(msg: string): void;
}

export class UsersFileWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loadedHash: string | undefined;

  constructor(
    private readonly opts: {
      file: string;
      /** Swapped in place (`Users.replace`), so the server's routes see the new users. */
      users: Users;
      /** The plan's county codes: a user bound to another county is a problem, as at start. */
      counties?: readonly string[];
      /** Where the server listens: a reload may not bring in the example users off loopback. */
      host: string;
      log: Log;
      /** Quiet time after the last change before reading: editors write in several steps. */
      debounceMs?: number;
    },
  ) {
    this.loadedHash = this.hashOnDisk();
  }

  private hashOnDisk(): string | undefined {
    try {
      return sha256(readFileSync(this.opts.file));
    } catch {
      return undefined;
    }
  }

  /** Reads and checks the file; swaps it in when it passes, else keeps the users in force. */
  reload(): ReloadResult {
    const { file, users, counties, host, log } = this.opts;
    const hash = this.hashOnDisk();
    let next: Users;
    try {
      if (!isLoopbackHost(host) && isExampleUsersFile(file)) throw new UsersError(file, [exampleRefusal(file, host)]);
      next = loadUsers(file, counties);
    } catch (err) {
      if (!(err instanceof UsersError)) throw err;
      log.error(`${err.message}\n用户文件未重新加载，仍使用原有用户。`);
      return { ok: false, problems: err.problems };
    }
    const changed = hash !== this.loadedHash;
    this.loadedHash = hash;
    users.replace(next);
    log.info(`用户文件 ${file} 已重新加载：${next.records.length} 个用户`);
    return { ok: true, users: next.records.length, changed };
  }

  /**
   * Watches the file's directory rather than the file: editors and `mv` replace the file, and a
   * watch on the old inode would then hear nothing more.
   */
  watch(): this {
    const dir = path.dirname(path.resolve(this.opts.file));
    const base = path.basename(this.opts.file);
    this.watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name !== null && name !== base) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onChange(), this.opts.debounceMs ?? 300);
      this.timer.unref();
    });
    this.watcher.on('error', (err) =>
      this.opts.log.error(`无法继续监视用户文件 ${this.opts.file}（${err.message}）；修改后请由管理员重新加载`),
    );
    return this;
  }

  /** Whether `upgradeHash` may write the file at all (never the public example file). */
  get canUpgradeHashes(): boolean {
    return !isExampleUsersFile(this.opts.file);
  }

  /**
   * Writes `newHash` in place of `oldHash` (a hash upgraded at login) and nothing else. Refuses
   * (false) when the file changed since it was loaded, when the old hash is not in it exactly once,
   * or when it cannot be written (a read-only mount: logged, tried again at the next login).
   * A symbolic link is followed, so the file it points at is replaced, not the link.
   */
  async upgradeHash(id: string, oldHash: string, newHash: string): Promise<boolean> {
    const { file, log } = this.opts;
    if (!this.canUpgradeHashes) return false;
    try {
      const target = realpath(file);
      const text = readFileSync(target, 'utf8');
      if (sha256(text) !== this.loadedHash || text.split(oldHash).length !== 2) return false;
      const next = text.replace(oldHash, () => newHash);
      await writeFileDurable(target, next, statSync(target).mode & 0o777);
      // What is on disk is what is in force: the watcher need not reload it.
      this.loadedHash = sha256(next);
      log.info(`用户 ${id} 的密码散列已升级为当前参数（scrypt N=2^17）并写入用户文件 ${file}`);
      return true;
    } catch (err) {
      log.error(
        `用户 ${id} 的密码散列未能写入用户文件 ${file}（${(err as Error).message}），下次登录时再试；也可用 guidance users hash-password 重新生成`,
      );
      return false;
    }
  }

  private onChange(): void {
    // A touch, or an editor's temporary file in the same directory: nothing to reload.
    if (this.hashOnDisk() === this.loadedHash) return;
    this.reload();
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
