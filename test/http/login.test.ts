/**
 * Hardened logins on the real Fastify server (no Temporal: none of these routes reach it):
 * growing delays per account and client address (nobody can lock someone else out), the limit per
 * client address (behind a trusted reverse proxy: the client's), bounded password checks, sessions that logout,
 * a changed password or a removed user end at once, the users file reloaded from disk (a bad file
 * refused, the old users kept), and the example users refused off loopback.
 *
 * Over 300 lines because it is one subject's whole table of cases, sharing their fixtures;
 * split, the same fixtures would be written twice.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env';
import type { TemporalConfig } from '../../config/temporal';
import { Gate } from '../../client/http/login';
import { LoginThrottle } from '../../client/http/throttle';
import { createServer, type HttpConfig } from '../../client/http/server';
import { startDashboard } from '../../client/http/start';
import { UsersFileWatcher } from '../../client/http/users-file';
import { hashPassword, hashToken } from '../../client/passwords';
import { loadUsers, type Users } from '../../client/users';
import { examplePlan } from '../helpers/plans';
import { tempDir, USERS_FILE } from './helpers';

/** No route under test talks to Temporal; a call would fail loudly. */
const NO_CLIENT = {} as Client;
const TOKEN = 'tok-'.padEnd(43, 'x');

/** A cheap scrypt cost, for hashes and for the users loaded here alike (so no login upgrades a hash). */
const TEST_COST = { N: 2 ** 12, r: 8, p: 1 };
let hashes: Record<string, string>;
beforeAll(async () => {
  const pw = ['pw-admin-1', 'pw-sunli-1', 'pw-sunli-2', 'pw-county-1'];
  hashes = Object.fromEntries(await Promise.all(pw.map(async (p) => [p, await hashPassword(p, TEST_COST)] as const)));
});

interface Person {
  id: string;
  role: string;
  password?: string;
  county?: string;
  token?: string;
}
function usersYaml(people: Person[]): string {
  const lines = ['users:'];
  for (const p of people) {
    lines.push(`  - id: ${p.id}`, `    role: ${p.role}`);
    if (p.county) lines.push(`    county: ${p.county}`);
    if (p.password) lines.push(`    password: ${hashes[p.password]}`);
    if (p.token) lines.push(`    tokens: ["${hashToken(p.token)}"]`);
  }
  return `${lines.join('\n')}\n`;
}
const ADMIN: Person = { id: 'admin', role: 'admin', password: 'pw-admin-1' };
const SUN_LI: Person = { id: 'sun-li', role: 'supervisor', password: 'pw-sunli-1', token: TOKEN };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(
  people: Person[],
  login: HttpConfig['login'] = {},
  extra: Partial<HttpConfig> = {},
): Promise<{ app: FastifyInstance; file: string; users: Users }> {
  const dir = tempDir('guidance-login-');
  const file = path.join(dir, 'users.yaml');
  writeFileSync(file, usersYaml(people));
  const users = loadUsers(file, undefined, { cost: TEST_COST });
  const config: HttpConfig = { namespace: 'default', bureau: 'heluo', year: 2031, logLevel: 'silent', login, ...extra };
  app = await createServer({
    client: NO_CLIENT,
    config,
    users,
    usersFile: { path: file, host: '127.0.0.1' },
    evidenceDir: path.join(dir, 'ev'),
    archiveDir: path.join(dir, 'ar'),
  });
  return { app, file, users };
}

const post = (
  a: FastifyInstance,
  id: string,
  password: string,
  remoteAddress = '127.0.0.1',
  headers: Record<string, string> = {},
) => a.inject({ method: 'POST', url: '/api/login', payload: { id, password }, remoteAddress, headers });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;
const me = (a: FastifyInstance, cookie: string) => a.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('throttling', () => {
  it('fifteen wrong passwords for the approver from one address do not lock the approver out elsewhere', async () => {
    const { app } = await serve([ADMIN, SUN_LI]);
    const codes: number[] = [];
    for (let i = 0; i < 15; i++) codes.push((await post(app, 'admin', `wrong-${i}`, '203.0.113.7')).statusCode);
    // Five wrong answers, then the guesser waits (1 s after the fifth failure): it is refused at once.
    expect(codes).toEqual([...Array(5).fill(401), ...Array(10).fill(429)]);
    const guesser = await post(app, 'admin', 'pw-admin-1', '203.0.113.7');
    expect(guesser.statusCode).toBe(429);
    expect(guesser.headers['retry-after']).toBe('1');
    expect(guesser.json()).toEqual({
      error: {
        type: 'TooManyRequests',
        message: '登录尝试过于频繁：该账号密码错误次数过多，已暂时锁定本地址的登录，请 1 秒后再试',
      },
    });
    // The approver, at their own desk, logs in at once.
    expect((await post(app, 'admin', 'pw-admin-1', '198.51.100.2')).statusCode).toBe(200);
    // And another account at the guesser's address is not slowed either.
    expect((await post(app, 'sun-li', 'pw-sunli-1', '203.0.113.7')).statusCode).toBe(200);
  });

  it('the delays grow (1 s, 2 s, …) and a right password clears them', async () => {
    const { app } = await serve([SUN_LI], { maxFailures: 2 });
    expect((await post(app, 'sun-li', 'wrong-1')).statusCode).toBe(401);
    expect((await post(app, 'sun-li', 'wrong-2')).statusCode).toBe(401);
    const first = await post(app, 'sun-li', 'pw-sunli-1');
    expect([first.statusCode, first.headers['retry-after']]).toEqual([429, '1']);
    await sleep(1100);
    expect((await post(app, 'sun-li', 'wrong-3')).statusCode).toBe(401);
    const second = await post(app, 'sun-li', 'pw-sunli-1');
    expect([second.statusCode, second.headers['retry-after']]).toEqual([429, '2']);
    expect(second.json().error.message).toBe(
      '登录尝试过于频繁：该账号密码错误次数过多，已暂时锁定本地址的登录，请 2 秒后再试',
    );
    await sleep(2100);
    expect((await post(app, 'sun-li', 'pw-sunli-1')).statusCode).toBe(200);
    // Cleared: two wrong passwords again before any wait.
    expect((await post(app, 'sun-li', 'wrong-4')).statusCode).toBe(401);
    expect((await post(app, 'sun-li', 'wrong-5')).statusCode).toBe(401);
    expect((await post(app, 'sun-li', 'wrong-6')).statusCode).toBe(429);
  });

  it('LoginThrottle: per pair, none up to maxFailures, then 1 s doubling up to the cap; forgotten after the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.array(
          fc.tuple(
            fc.constantFrom('admin', 'sun-li', 'nobody'),
            fc.constantFrom('203.0.113.7', '198.51.100.2'),
            fc.boolean(),
          ),
          { maxLength: 60 },
        ),
        (maxFailures, maxDelaySeconds, attempts) => {
          let now = 1_000_000;
          const t = new LoginThrottle({ maxFailures, maxDelaySeconds, windowSeconds: 900 }, () => now);
          const failures = new Map<string, number>();
          for (const [id, address, right] of attempts) {
            const key = `${id}@${address}`;
            expect(t.waitSeconds(id, address)).toBe(0);
            if (right) {
              t.succeeded(id, address);
              failures.delete(key);
              continue;
            }
            const n = (failures.get(key) ?? 0) + 1;
            failures.set(key, n);
            const delay = t.failed(id, address);
            expect(delay).toBe(n < maxFailures ? 0 : Math.min(1000 * 2 ** (n - maxFailures), maxDelaySeconds * 1000));
            expect(t.waitSeconds(id, address)).toBe(Math.ceil(delay / 1000));
            // Nobody else waits for this pair's failures.
            for (const [otherKey] of failures) {
              const [oid, oaddr] = otherKey.split('@') as [string, string];
              if (otherKey !== key) expect(t.waitSeconds(oid, oaddr)).toBe(0);
            }
            now += delay; // the caller waits it out
          }
          now += 900_000 + 1;
          for (const [key] of failures) {
            const [id, address] = key.split('@') as [string, string];
            expect(t.failed(id, address)).toBe(maxFailures === 1 ? 1000 : 0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('limits login attempts per client address, whichever accounts they name', async () => {
    const { app } = await serve([ADMIN, SUN_LI], { maxPerAddress: 3 });
    for (const id of ['nobody-1', 'nobody-2', 'nobody-3'])
      expect((await post(app, id, 'guess', '203.0.113.7')).statusCode).toBe(401);
    const refused = await post(app, 'admin', 'pw-admin-1', '203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toEqual({
      error: { type: 'TooManyRequests', message: expect.stringMatching(/^登录尝试过于频繁，请 \d+ 分钟后再试$/) },
    });
    // Another address is not affected.
    expect((await post(app, 'admin', 'pw-admin-1', '198.51.100.2')).statusCode).toBe(200);
  });

  it('behind a trusted reverse proxy each client has its own limit and delays; X-Forwarded-For from others is ignored', async () => {
    const viaProxy = (a: FastifyInstance, id: string, pw: string, client: string) =>
      post(a, id, pw, '10.0.0.5', { 'x-forwarded-for': client });
    const behind = await serve([ADMIN, SUN_LI], { maxPerAddress: 3 }, { trustProxy: ['10.0.0.0/8'] });
    for (let i = 0; i < 3; i++)
      expect((await viaProxy(behind.app, 'admin', `wrong-${i}`, '203.0.113.7')).statusCode).toBe(401);
    expect((await viaProxy(behind.app, 'admin', 'pw-admin-1', '203.0.113.7')).statusCode).toBe(429);
    // The approver behind the same proxy is another client: neither the address limit nor the delays touch them.
    expect((await viaProxy(behind.app, 'admin', 'pw-admin-1', '198.51.100.2')).statusCode).toBe(200);
    // A header from a machine that is not a trusted proxy is not believed.
    for (let i = 0; i < 3; i++)
      await post(behind.app, 'nobody', 'guess', '192.0.2.9', { 'x-forwarded-for': `198.51.100.${i + 10}` });
    expect(
      (await post(behind.app, 'admin', 'pw-admin-1', '192.0.2.9', { 'x-forwarded-for': '198.51.100.99' })).statusCode,
    ).toBe(429);
    await behind.app.close();

    // Not trusted (the default): every client behind the proxy shares the proxy's address.
    const { app: plain } = await serve([ADMIN, SUN_LI], { maxPerAddress: 3 });
    for (let i = 0; i < 3; i++) await viaProxy(plain, 'nobody', `guess-${i}`, '203.0.113.7');
    expect((await viaProxy(plain, 'admin', 'pw-admin-1', '198.51.100.2')).statusCode).toBe(429);
  });

  it('password checks are bounded: a flood is partly refused with 503 Busy, never a 500', async () => {
    const { app } = await serve([SUN_LI], { concurrency: 1 });
    const all = await Promise.all(Array.from({ length: 20 }, () => post(app, 'sun-li', 'pw-sunli-1')));
    const codes = all.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(9); // 1 running + 8 waiting
    const busy = all.filter((r) => r.statusCode === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 200 || c === 503)).toBe(true);
    expect(busy[0]!.headers['retry-after']).toBe('1');
    expect(busy[0]!.json()).toEqual({ error: { type: 'Busy', message: '登录请求过多，服务器繁忙，请稍后再试' } });
  });

  it('Gate: at most `limit` at once, `queue` waiting, the rest refused', async () => {
    const gate = new Gate(1, 1);
    const first = await gate.acquire()!;
    const second = gate.acquire();
    expect(second).toBeDefined();
    expect(gate.acquire()).toBeUndefined();
    first();
    const release = await second!;
    release();
    expect(gate.acquire()).toBeDefined();
  });
});

describe('sessions', () => {
  it('logout ends the session on the server: the old cookie gets 401', async () => {
    const { app } = await serve([SUN_LI]);
    const cookie = cookieOf(await post(app, 'sun-li', 'pw-sunli-1'));
    expect((await me(app, cookie)).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie } })).statusCode).toBe(200);
    const after = await me(app, cookie);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual({ error: { type: 'Unauthorized', message: '请先登录' } });
  });

  it('a password changed in the file ends the session and the new password works, without a restart', async () => {
    const { app, file } = await serve([ADMIN, SUN_LI]);
    const cookie = cookieOf(await post(app, 'sun-li', 'pw-sunli-1'));
    const other = cookieOf(await post(app, 'admin', 'pw-admin-1'));
    writeFileSync(file, usersYaml([ADMIN, { ...SUN_LI, password: 'pw-sunli-2' }]));
    // The file watcher, not a request, picks the change up.
    await until('the old session is refused', async () => (await me(app, cookie)).statusCode === 401);
    expect((await post(app, 'sun-li', 'pw-sunli-1')).statusCode).toBe(401);
    const fresh = await post(app, 'sun-li', 'pw-sunli-2');
    expect(fresh.statusCode).toBe(200);
    expect((await me(app, cookieOf(fresh))).statusCode).toBe(200);
    // Nobody else was logged out.
    expect((await me(app, other)).statusCode).toBe(200);
  });

  it('a user removed from the file loses session and API token at once', async () => {
    const { app, file } = await serve([ADMIN, SUN_LI]);
    const cookie = cookieOf(await post(app, 'sun-li', 'pw-sunli-1'));
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: bearer })).statusCode).toBe(200);
    writeFileSync(file, usersYaml([ADMIN]));
    await until('the removed user is refused', async () => (await me(app, cookie)).statusCode === 401);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: bearer })).statusCode).toBe(401);
    expect((await post(app, 'sun-li', 'pw-sunli-1')).statusCode).toBe(401);
  });
});

describe('reloading the users file', () => {
  it('an administrator reloads it; a bad file is refused with its problems and the old users are kept', async () => {
    const { app, file } = await serve([ADMIN, SUN_LI]);
    const admin = cookieOf(await post(app, 'admin', 'pw-admin-1'));
    const cookie = cookieOf(await post(app, 'sun-li', 'pw-sunli-1'));
    writeFileSync(file, 'users:\n  - id: Sun Li\n    role: boss\n');
    const res = await app.inject({ method: 'POST', url: '/api/admin/users/reload', headers: { cookie: admin } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.type).toBe('InvalidUsersFile');
    expect(res.json().error.message).toMatch(/^用户文件有错误，未重新加载，仍使用原有用户：.*用户名只能包含小写字母/);
    expect((await me(app, cookie)).statusCode).toBe(200);
    expect((await post(app, 'sun-li', 'pw-sunli-1')).statusCode).toBe(200);
    // Fixed: the reload takes it.
    writeFileSync(file, usersYaml([ADMIN]));
    const ok = await app.inject({ method: 'POST', url: '/api/admin/users/reload', headers: { cookie: admin } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().result).toMatchObject({ ok: true, users: 1 });
    expect((await me(app, cookie)).statusCode).toBe(401);
  });

  it('only administrators may ask for a reload', async () => {
    const { app } = await serve([ADMIN, SUN_LI]);
    const cookie = cookieOf(await post(app, 'sun-li', 'pw-sunli-1'));
    const res = await app.inject({ method: 'POST', url: '/api/admin/users/reload', headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe('您的角色无权进行此操作');
  });

  it('the watcher logs a bad file in Chinese and keeps the users in force', async () => {
    const dir = tempDir('guidance-watch-');
    const file = path.join(dir, 'users.yaml');
    writeFileSync(file, usersYaml([ADMIN, SUN_LI]));
    const users = loadUsers(file);
    const errors: string[] = [];
    const watcher = new UsersFileWatcher({
      file,
      users,
      host: '127.0.0.1',
      debounceMs: 50,
      log: { info: () => {}, error: (m) => errors.push(m) },
    }).watch();
    try {
      writeFileSync(file, 'users: [\n');
      await until('the bad file is logged', async () => errors.length > 0);
      expect(errors[0]).toMatch(
        /^用户文件 .* 有 1 处错误：[\s\S]*YAML 语法错误[\s\S]*用户文件未重新加载，仍使用原有用户。$/,
      );
      expect(users.get('sun-li')).toBeDefined();
    } finally {
      watcher.close();
    }
  });
});

describe('the example users only on loopback', () => {
  const plan = examplePlan();
  const temporal = { namespace: 'default', dataDir: tempDir('guidance-data-') } as TemporalConfig;
  const start = (env: Record<string, string>) =>
    startDashboard({ client: NO_CLIENT, temporal, plan, config: loadConfig({ GUIDANCE_HTTP_PORT: '0', ...env }) });
  const refusal =
    /^用户文件 .* 是公开的示例用户文件（密码写在 README 中），只能在本机地址（127\.0\.0\.1、::1、localhost）上使用；看板要监听 0\.0\.0\.0，请用环境变量 GUIDANCE_USERS 指定自己的用户文件/;
  let started: FastifyInstance | undefined;
  afterAll(async () => started?.close());

  it('refuses to start on 0.0.0.0 with GUIDANCE_USERS unset, naming GUIDANCE_USERS', async () => {
    await expect(start({ GUIDANCE_HTTP_HOST: '0.0.0.0' })).rejects.toThrow(refusal);
  });

  it('also when GUIDANCE_USERS names a copy of the example file', async () => {
    const copy = path.join(tempDir('guidance-copy-'), 'users.yaml');
    writeFileSync(copy, readFileSync(USERS_FILE));
    await expect(start({ GUIDANCE_HTTP_HOST: '0.0.0.0', GUIDANCE_USERS: copy })).rejects.toThrow(refusal);
  });

  it('starts on 127.0.0.1 with the example users and answers over real HTTP', async () => {
    const { app: a, url } = await start({ GUIDANCE_HTTP_HOST: '127.0.0.1' });
    started = a;
    const res = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'admin', password: 'heluo-admin' }),
    });
    expect(res.status).toBe(200);
  });
});
