/**
 * Password hashes at OWASP's scrypt parameters (N=2^17, r=8, p=1), and a hash with the earlier,
 * weaker ones (N=2^15) upgraded at its user's next successful login: on the real server, into the
 * real users file, changing only that hash, keeping the session, never the public example file.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../client/http/server';
import { SessionStore } from '../../client/http/sessions';
import { EXAMPLE_USERS_FILE, UsersFileWatcher } from '../../client/http/users-file';
import { SCRYPT_COST, hashPassword, isWeakerHash, verifyPassword } from '../../client/passwords';
import { Users, loadUsers } from '../../client/users';
import { tempDir } from './helpers';

const OLD_COST = { N: 2 ** 15, r: 8, p: 1 };
const quiet = { info: () => {}, error: () => {} };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('password hashes', () => {
  it('are made at the OWASP parameters by default: N=2^17, r=8, p=1', async () => {
    expect(SCRYPT_COST).toEqual({ N: 131072, r: 8, p: 1 });
    expect(new Users([]).cost).toEqual(SCRYPT_COST);
    const hash = await hashPassword('pw-owasp-1');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword('pw-owasp-1', hash)).toBe(true);
    expect(await verifyPassword('pw-owasp-2', hash)).toBe(false);
    expect(isWeakerHash(hash)).toBe(false);
    expect(isWeakerHash(await hashPassword('pw-owasp-1', OLD_COST))).toBe(true);
  });

  it('a hash with the old parameters is upgraded at the next login, in the users file, changing nothing else', async () => {
    const [oldAdmin, oldSunLi] = await Promise.all([
      hashPassword('pw-admin-1', OLD_COST),
      hashPassword('pw-sunli-1', OLD_COST),
    ]);
    expect(oldAdmin).toMatch(/^scrypt\$32768\$8\$1\$/);
    const dir = tempDir('guidance-rehash-');
    const file = path.join(dir, 'users.yaml');
    const before = `# 河洛市应急管理局 看板用户\nusers:\n  - id: admin\n    role: admin\n    password: ${oldAdmin}\n  - id: sun-li\n    role: supervisor\n    password: '${oldSunLi}'\n`;
    writeFileSync(file, before, { mode: 0o600 });
    const users = loadUsers(file);
    app = await createServer({
      client: {} as Client,
      config: { namespace: 'default', bureau: 'heluo', year: 2031, logLevel: 'silent' },
      users,
      usersFile: { path: file, host: '127.0.0.1' },
      evidenceDir: path.join(dir, 'ev'),
      archiveDir: path.join(dir, 'ar'),
    });
    const login = (id: string, password: string) =>
      app!.inject({ method: 'POST', url: '/api/login', payload: { id, password } });

    const first = await login('admin', 'pw-admin-1');
    expect(first.statusCode).toBe(200);
    const after = readFileSync(file, 'utf8');
    const upgraded = /password: (scrypt\$\S+)\n {2}- id: sun-li/.exec(after)?.[1];
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(after).toBe(before.replace(oldAdmin, upgraded!));
    expect(await verifyPassword('pw-admin-1', upgraded!)).toBe(true);

    // The watcher sees the write and has nothing to reload: the session of that login goes on.
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    await new Promise((r) => setTimeout(r, 600));
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    expect(users.get('admin')!.password).toBe(upgraded);

    // Upgraded once: the next login verifies the new hash and writes nothing.
    expect((await login('admin', 'pw-admin-1')).statusCode).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(after);
    // A wrong password upgrades nothing.
    expect((await login('sun-li', 'pw-wrong-1')).statusCode).toBe(401);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('a users file changed since it was loaded is left alone; the login still succeeds', async () => {
    const dir = tempDir('guidance-rehash-');
    const file = path.join(dir, 'users.yaml');
    const old = await hashPassword('pw-admin-1', OLD_COST);
    writeFileSync(file, `users:\n  - id: admin\n    role: admin\n    password: ${old}\n`);
    const users = loadUsers(file);
    const watcher = new UsersFileWatcher({ file, users, host: '127.0.0.1', log: quiet });
    users.setHashStore((id, o, n) => watcher.upgradeHash(id, o, n));
    const edited = `# edited by hand\n${readFileSync(file, 'utf8')}`;
    writeFileSync(file, edited);
    expect(await users.login('admin', 'pw-admin-1')).toBeDefined();
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(users.get('admin')!.password).toBe(old);
  });

  it('the public example users file is never rewritten', () => {
    const w = new UsersFileWatcher({ file: EXAMPLE_USERS_FILE, users: new Users([]), host: '127.0.0.1', log: quiet });
    expect(w.canUpgradeHashes).toBe(false);
  });

  it("an upgraded hash keeps the user's other sessions; a changed password still ends them", async () => {
    const old = await hashPassword('pw-admin-1', OLD_COST);
    const user = { id: 'admin', role: 'admin' as const, password: old, tokens: [] };
    const users = new Users([user]);
    const sessions = new SessionStore();
    const id = sessions.create(user);
    user.password = await hashPassword('pw-admin-1');
    sessions.carryOver(user, old);
    expect(sessions.resolve(id, users)?.id).toBe('admin');
    user.password = await hashPassword('pw-admin-2', OLD_COST);
    expect(sessions.resolve(id, users)).toBeUndefined();
  });
});
