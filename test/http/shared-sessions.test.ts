/**
 * Dashboards anywhere (issue 24, point 4): two dashboard servers (the real Fastify app, no
 * Temporal: none of these routes reach it) behind one address, sharing one PostgreSQL. A login on
 * A is valid on B, a logout on B ends it on A, wrong passwords through both count in one window,
 * and an expired session is refused. The same runs on the in-memory default are kept as its
 * stated limit (one dashboard process): the session is valid on A only and each counts its own.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../config/database';
import { loadConfig } from '../../config/env';
import type { TemporalConfig } from '../../config/temporal';
import { createServer, type HttpConfig } from '../../client/http/server';
import { startDashboard } from '../../client/http/start';
import { SESSION_TTL_MS } from '../../client/http/sessions';
import { PgSessionStore } from '../../client/http/sessions-pg';
import { hashPassword } from '../../client/passwords';
import { loadUsers } from '../../client/users';
import { examplePlan } from '../helpers/plans';
import { startTestPostgres, type TestPostgres } from '../helpers/shared-db';
import { tempDir } from './helpers';

const NO_CLIENT = {} as Client;
const TEST_COST = { N: 2 ** 12, r: 8, p: 1 };
const SECRET = 'shared-session-secret-'.padEnd(48, 'x');
const ADDRESS = '198.51.100.20';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);
afterAll(async () => pg?.stop(), 30_000);

const apps: FastifyInstance[] = [];
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

type Mode = 'shared' | 'memory';

/** Two dashboard processes over one users file and cookie key; shared: each its own pool on one database. */
async function twoDashboards(mode: Mode): Promise<{ a: FastifyInstance; b: FastifyInstance }> {
  const dir = tempDir('guidance-shared-sessions-');
  const file = path.join(dir, 'users.yaml');
  const hash = await hashPassword('pw-admin-1', TEST_COST);
  writeFileSync(file, `users:\n  - id: admin\n    role: admin\n    password: ${hash}\n`);
  const url = mode === 'shared' ? await pg.freshDatabase() : undefined;
  const one = async (name: string) => {
    const database = url ? openDatabase(url) : undefined;
    if (database) pools.push(database);
    const config: HttpConfig = {
      namespace: 'default',
      bureau: 'heluo',
      year: 2031,
      logLevel: 'silent',
      sessionSecret: SECRET,
      login: { maxFailures: 3, maxDelaySeconds: 60 },
    };
    const app = await createServer({
      client: NO_CLIENT,
      config,
      users: loadUsers(file, undefined, { cost: TEST_COST }),
      evidenceDir: path.join(dir, name, 'ev'),
      archiveDir: path.join(dir, name, 'ar'),
      ...(database ? { database } : {}),
    });
    apps.push(app);
    return app;
  };
  return { a: await one('a'), b: await one('b') };
}

const login = (app: FastifyInstance, password: string) =>
  app.inject({ method: 'POST', url: '/api/login', payload: { id: 'admin', password }, remoteAddress: ADDRESS });
const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;
const me = async (app: FastifyInstance, cookie: string) =>
  (await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode;
const logout = (app: FastifyInstance, cookie: string) =>
  app.inject({ method: 'POST', url: '/api/logout', headers: { cookie } });

/** Logs in on A, asks B, logs out on B, asks A: the four answers. */
async function loginOnALogoutOnB(mode: Mode) {
  const { a, b } = await twoDashboards(mode);
  const res = await login(a, 'pw-admin-1');
  expect(res.statusCode).toBe(200);
  const cookie = cookieOf(res);
  const onA = await me(a, cookie);
  const onB = await me(b, cookie);
  const out = (await logout(b, cookie)).statusCode;
  return { onA, onB, out, afterOnA: await me(a, cookie) };
}

/** Wrong passwords on A, B, A (maxFailures 3), then the right one on B. */
async function failuresOnBoth(mode: Mode): Promise<number[]> {
  const { a, b } = await twoDashboards(mode);
  const codes: number[] = [];
  for (const app of [a, b, a]) codes.push((await login(app, 'wrong')).statusCode);
  codes.push((await login(b, 'pw-admin-1')).statusCode);
  return codes;
}

describe('two dashboards on one database (sessions-pg.ts, throttle-pg.ts)', () => {
  it('a login on A is valid on B; a logout on B ends it on A', async () => {
    expect(await loginOnALogoutOnB('shared')).toEqual({ onA: 200, onB: 200, out: 200, afterOnA: 401 });
  }, 60_000);

  it('wrong passwords through both count in one window: the fourth attempt, on B, waits', async () => {
    expect(await failuresOnBoth('shared')).toEqual([401, 401, 401, 429]);
  }, 60_000);

  it('an expired session is refused, and its row deleted', async () => {
    const pool = openDatabase(await pg.freshDatabase());
    pools.push(pool);
    const store = new PgSessionStore(pool);
    const users = { get: (id: string) => (id === 'admin' ? admin : undefined) };
    const admin = { id: 'admin', role: 'admin' as const, password: 'h', tokens: [] };
    const t0 = Date.now();
    const id = await store.create(admin, t0);
    const asUsers = users as unknown as Parameters<PgSessionStore['resolve']>[1];
    expect((await store.resolve(id, asUsers, t0 + SESSION_TTL_MS - 1))?.id).toBe('admin');
    expect(await store.resolve(id, asUsers, t0 + SESSION_TTL_MS)).toBeUndefined();
    expect((await pool.query('SELECT count(*)::int AS n FROM guidance_sessions')).rows[0].n).toBe(0);
  }, 60_000);
});

describe("npm start's dashboard with GUIDANCE_DATABASE_URL (client/http/start.ts)", () => {
  it('two of them, over real HTTP: a login on A is valid on B', async () => {
    const env = {
      GUIDANCE_HTTP_PORT: '0',
      GUIDANCE_DATABASE_URL: await pg.freshDatabase(),
      GUIDANCE_SESSION_SECRET: SECRET,
    };
    const temporal = { namespace: 'default', dataDir: tempDir('guidance-data-') } as TemporalConfig;
    const start = () => startDashboard({ client: NO_CLIENT, temporal, plan: examplePlan(), config: loadConfig(env) });
    const a = await start();
    apps.push(a.app);
    const b = await start();
    apps.push(b.app);
    const res = await fetch(`${a.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'admin', password: 'heluo-admin' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${b.url}/api/me`, { headers: { cookie } })).status).toBe(200);
  }, 60_000);
});

describe('the in-memory default (its limit: one dashboard process)', () => {
  it('a session is valid on the dashboard that made it only, and a logout on B leaves it on A', async () => {
    expect(await loginOnALogoutOnB('memory')).toEqual({ onA: 200, onB: 401, out: 401, afterOnA: 200 });
  }, 60_000);

  it('each dashboard counts its own failures: the right password on B passes', async () => {
    expect(await failuresOnBoth('memory')).toEqual([401, 401, 401, 200]);
  }, 60_000);
});
