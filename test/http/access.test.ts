/**
 * Who may call a route is declared in its own options (`config: { roles }`) and enforced by one
 * hook (client/http/access.ts): a route that does not say is refused when it is registered, a role
 * not listed gets 403, no session 401, a `'public'` route needs no login. And on the real server
 * (no Temporal: nothing here reaches it): every /api route in Fastify's route table declares its
 * roles, and bad input gets the Chinese 400 of the routes' schemas before any handler runs.
 */
import cookie from '@fastify/cookie';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import path from 'node:path';
import fc from 'fast-check';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { guardRoutes } from '../../client/http/access';
import { ADMIN, CaseParams, ExtendBody, SUPERVISOR, TodoQuery } from '../../client/http/api-schemas';
import { errorHandler } from '../../client/http/errors';
import { createServer } from '../../client/http/server';
import { SessionStore } from '../../client/http/sessions';
import { hashToken } from '../../client/passwords';
import { Users } from '../../client/users';
import { tempDir } from './helpers';

const ADMIN_TOKEN = 'admin-'.padEnd(43, 'a');
const COUNTY_TOKEN = 'county-'.padEnd(43, 'c');
const SUPERVISOR_TOKEN = 'sun-li-'.padEnd(43, 's');
const users = new Users([
  { id: 'admin', role: 'admin', tokens: [hashToken(ADMIN_TOKEN)] },
  { id: 'sun-li', role: 'supervisor', tokens: [hashToken(SUPERVISOR_TOKEN)] },
  { id: 'xiangshan', role: 'county', county: 'xiangshan', tokens: [hashToken(COUNTY_TOKEN)] },
]);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A bare app with the guarded scope, and `routes` registered inside it. */
async function guarded(routes: (scope: FastifyInstance) => void): Promise<FastifyInstance> {
  const a = Fastify({ logger: false });
  a.setErrorHandler(errorHandler(20));
  a.decorateRequest('user', null);
  await a.register(cookie, { secret: 'x'.repeat(32) });
  await a.register(async (scope) => {
    guardRoutes(scope, { users, sessions: new SessionStore() });
    routes(scope);
  });
  return a;
}

describe('roles declared on the route, enforced by one hook', () => {
  it('a route without its roles cannot be registered', async () => {
    const refused = guarded((scope) => {
      scope.get('/api/undeclared', async () => ({ ok: true }));
    });
    await expect(refused).rejects.toThrow(/GET \/api\/undeclared.*roles/);
    const empty = guarded((scope) => {
      scope.get('/api/nobody', { config: { roles: [] } }, async () => ({ ok: true }));
    });
    await expect(empty).rejects.toThrow(/GET \/api\/nobody.*roles/);
  });

  it('a county user gets 403 on an admin route, an admin passes, nobody 401; a public route needs no login', async () => {
    app = await guarded((scope) => {
      scope.get('/api/admin-only', { config: { roles: ADMIN } }, async (request) => ({ who: request.user?.id }));
      scope.get('/api/open', { config: { roles: 'public' } }, async (request) => ({ who: request.user?.id ?? null }));
    });
    const county = await app.inject({ url: '/api/admin-only', headers: bearer(COUNTY_TOKEN) });
    expect(county.statusCode).toBe(403);
    expect(county.json()).toEqual({ error: { type: 'Forbidden', message: '您的角色无权进行此操作' } });
    const admin = await app.inject({ url: '/api/admin-only', headers: bearer(ADMIN_TOKEN) });
    expect([admin.statusCode, admin.json()]).toEqual([200, { who: 'admin' }]);
    const nobody = await app.inject({ url: '/api/admin-only' });
    expect(nobody.statusCode).toBe(401);
    expect(nobody.json().error.message).toBe('请先登录');
    const open = await app.inject({ url: '/api/open' });
    expect([open.statusCode, open.json()]).toEqual([200, { who: null }]);
  });

  it('a request from another site is refused before anything else, on public routes too', async () => {
    app = await guarded((scope) => {
      scope.post('/api/open', { config: { roles: 'public' } }, async () => ({ ok: true }));
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/open',
      headers: { origin: 'https://evil.example', host: 'localhost:80' },
      payload: {},
    });
    expect([res.statusCode, res.json().error.message]).toEqual([403, '跨站请求被拒绝']);
  });
});

describe('input from people, through the route schemas', () => {
  it('any path, query or body is either taken, typed, or refused with a Chinese 400; never a 500', async () => {
    app = await guarded((scope) => {
      scope.setValidatorCompiler(validatorCompiler);
      scope.setSerializerCompiler(serializerCompiler);
      scope
        .withTypeProvider<ZodTypeProvider>()
        .post(
          '/api/years/:year/cases/:county/extend',
          { schema: { params: CaseParams, querystring: TodoQuery, body: ExtendBody }, config: { roles: SUPERVISOR } },
          async (request) => ({ year: request.params.year, county: request.params.county, body: request.body }),
        );
    });
    const segment = fc.oneof(
      fc.string(),
      fc.constantFrom('2031', '1999', '2101', '20x1', 'xiangshan', 'Xiang', '-a', '.', '..', ''),
    );
    const body = fc.oneof(
      fc.anything(),
      fc.record({ newDueDate: fc.oneof(fc.string(), fc.constant('2031-04-30')), reason: fc.string() }),
    );
    await fc.assert(
      fc.asyncProperty(segment, segment, fc.option(segment), body, async (year, county, qYear, payload) => {
        const q = qYear === null ? '' : `?year=${encodeURIComponent(qYear)}`;
        const res = await app!.inject({
          method: 'POST',
          url: `/api/years/${encodeURIComponent(year)}/cases/${encodeURIComponent(county)}/extend${q}`,
          headers: { ...bearer(SUPERVISOR_TOKEN), 'content-type': 'application/json' },
          payload: JSON.stringify(payload ?? null) ?? 'null',
        });
        // A dot or empty segment names another path (URL normalisation): no such route, never a 500.
        if ([year, county].some((x) => x === '' || x === '.' || x === '..')) {
          expect([400, 404]).toContain(res.statusCode);
          return;
        }
        if (res.statusCode === 200) {
          const got = res.json();
          expect(Number.isInteger(got.year) && got.year >= 2000 && got.year <= 2100).toBe(true);
          expect(got.county).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
          return;
        }
        expect(res.statusCode).toBe(400);
        expect(res.json().error.type).toMatch(/^(InvalidInput|BadRequest)$/);
        expect(res.json().error.message).toMatch(/[\u4e00-\u9fff]/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the real server (no Temporal)', () => {
  async function server(): Promise<FastifyInstance> {
    const dir = tempDir('guidance-access-');
    return createServer({
      client: {} as Client,
      config: { namespace: 'default', bureau: 'heluo', year: 2031, logLevel: 'silent' },
      users,
      evidenceDir: path.join(dir, 'ev'),
      archiveDir: path.join(dir, 'ar'),
    });
  }

  it('every /api route in the route table declares its roles', async () => {
    app = await server();
    await app.ready();
    const api = app.apiRoutes.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(30);
    expect(api.filter((r) => r.roles !== 'public' && r.roles.length === 0)).toEqual([]);
    expect(
      api
        .filter((r) => r.roles === 'public')
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual(['GET /api/mode', 'GET /api/receipt', 'POST /api/login', 'POST /api/receipt']);
    const numbers = api.find((r) => r.method === 'GET' && r.url === '/api/years/:year/numbers');
    expect(numbers?.roles).toEqual(['admin']);
  });

  it('bad input gets the Chinese 400 of the schemas before the handler runs', async () => {
    app = await server();
    const year = await app.inject({ url: '/api/years/20x1/numbers', headers: bearer(ADMIN_TOKEN) });
    expect([year.statusCode, year.json()]).toEqual([400, { error: { type: 'InvalidInput', message: '年度不正确' } }]);
    const county = await app.inject({ url: '/api/years/2031/numbers', headers: bearer(COUNTY_TOKEN) });
    expect(county.statusCode).toBe(403);
    const body = await app.inject({
      method: 'POST',
      url: '/api/years/2031/programme/reschedule',
      headers: bearer(ADMIN_TOKEN),
      payload: { county: 'xiangshan', date: '2031-02-30', reason: 'x' },
    });
    expect(body.statusCode).toBe(400);
    expect(body.json().error.type).toBe('InvalidInput');
    expect(body.json().error.message).toMatch(/^date: .*[\u4e00-\u9fff]/);
    // An empty POST is an empty object, refused by the schema in words, not by the parser.
    const empty = await app.inject({
      method: 'POST',
      url: '/api/years/2031/cases/xiangshan/extend',
      headers: bearer(SUPERVISOR_TOKEN),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/^newDueDate: /);
    const todo = await app.inject({ url: '/api/todo?year=abc', headers: bearer(COUNTY_TOKEN) });
    expect([todo.statusCode, todo.json().error.message]).toEqual([400, '年度不正确']);
  });
});
