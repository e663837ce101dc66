/**
 * Parity of the doors (client/parity.ts): every Update, Query and Signal that the workflow contracts
 * define — found by importing every module under workflows/contracts and workflows/shared, not from
 * a list — has a `guidance` command, an HTTP route, and a dashboard form for exactly the roles the
 * route lets through, each in the table of docs/operations.md; or it is listed as internal, with
 * why. The routes and their roles are read from Fastify's route table (each route declares its
 * roles in its options, client/http/access.ts), not from a hand list: every route of the table is a
 * door or in `NOT_DOORS`. A definition or route added tomorrow without its doors fails here. The
 * roles are then checked on the real server over the time-skipping stack, with bodies the routes
 * refuse (so nothing changes): a role not declared gets 403, a declared role anything but 401/403.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../client/cli';
import type { ApiRoute } from '../client/http/access';
import { createServer } from '../client/http/server';
import { Users } from '../client/users';
import { DOORS, INTERNAL, NOT_DOORS, type Door } from '../client/parity';
import type { Role } from '../workflows/contracts/common';
import { login, startStack, tempDir, type Stack } from './http/helpers';

const ROOT = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(ROOT, 'workflows');
const CONTRACTS = ['contracts', 'shared'].map((d) => path.join(WORKFLOWS, d));
const DASHBOARD = path.join(ROOT, 'client', 'dashboard', 'src');
const PUBLIC = path.join(ROOT, 'client', 'http', 'public');

interface Definition {
  name: string;
  type: 'update' | 'query' | 'signal';
  /** Where it is exported, e.g. `visit.ts: submitUpdate`. */
  where: string;
}

/** Every definition object (`defineUpdate`/`defineQuery`/`defineSignal` return `{ type, name }`) exported under workflows/contracts and workflows/shared. */
async function definitions(): Promise<Definition[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ts$/.test(n) && !/\.d\.ts$/.test(n)) files.push(p);
    }
  };
  for (const dir of CONTRACTS) walk(dir);
  const found = new Map<string, Definition>();
  for (const file of files.sort()) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [exported, v] of Object.entries(mod)) {
      const d = v as { type?: unknown; name?: unknown };
      if (
        typeof v !== 'object' ||
        v === null ||
        typeof d.name !== 'string' ||
        !['update', 'query', 'signal'].includes(d.type as string)
      )
        continue;
      const key = `${d.type as string}:${d.name}`;
      if (!found.has(key))
        found.set(key, {
          name: d.name,
          type: d.type as Definition['type'],
          where: `${path.relative(WORKFLOWS, file)}: ${exported}`,
        });
    }
  }
  return [...found.values()];
}

function findCommand(root: Command, words: string[]): Command | undefined {
  let cmd: Command | undefined = root;
  for (const w of words) cmd = cmd?.commands.find((c) => c.name() === w || c.aliases().includes(w));
  return cmd;
}

const ROLES: Role[] = ['admin', 'supervisor', 'leader', 'county'];
/** One example user of each role (examples/users.yaml); the county one acts for its own county. */
const USER_OF: Record<Role, string> = {
  admin: 'admin',
  supervisor: 'sun-li',
  leader: 'zheng-yuan',
  county: 'xiangshan',
};
const doors = (): [string, Door][] =>
  Object.entries(DOORS).flatMap(([name, list]) => list.map((d) => [name, d] as [string, Door]));
const key = (method: string, url: string) => `${method} ${url}`;

/** The API's route table, as Fastify registered it with each route's declared roles (no Temporal needed). */
async function routeTable(): Promise<ApiRoute[]> {
  const dir = tempDir('guidance-parity-');
  const app = await createServer({
    client: {} as Client,
    config: { namespace: 'default', bureau: 'heluo', year: 2031, logLevel: 'silent' },
    users: new Users([{ id: 'admin', role: 'admin', tokens: [] }]),
    // A watched users file adds its reload route; the example file is read, never written.
    usersFile: { path: path.join(ROOT, 'examples', 'users.yaml'), host: '127.0.0.1' },
    evidenceDir: path.join(dir, 'ev'),
    archiveDir: path.join(dir, 'ar'),
  });
  await app.ready();
  const table = [...app.apiRoutes];
  await app.close();
  return table;
}

let defs: Definition[];
let table: ApiRoute[];
const routeOf = (d: Door) => table.find((r) => r.method === d.http.method && r.url === d.http.path);
/** The roles a door's route declares (none when the route is missing or public). */
const rolesOf = (d: Door): Role[] => {
  const roles = routeOf(d)?.roles;
  return roles && roles !== 'public' ? [...roles] : [];
};
beforeAll(async () => {
  defs = await definitions();
  table = await routeTable();
});

describe('every definition has its doors (static)', () => {
  it('finds the definitions and the routes (the enumerations themselves work)', () => {
    const names = defs.map((d) => d.name);
    // A sample from each module, so a broken walk cannot pass the checks below vacuously.
    for (const n of [
      'reschedule',
      'schedule',
      'submitReport',
      'visitCase',
      'retry',
      'voidNumber',
      'numbers',
      'allocateNumber',
      'visitProgress',
      'correctRoster',
      'correctCountyEmails',
      'visitArchiveChunk',
    ])
      expect(names).toContain(n);
    expect(table.map((r) => key(r.method, r.url))).toEqual(
      expect.arrayContaining(['POST /api/login', 'GET /api/years/:year/board', 'POST /api/admin/users/reload']),
    );
  });

  it('each Update, Query and Signal is wired or internal, and nothing else is listed', () => {
    const unwired = defs
      .filter((d) => !DOORS[d.name] && !INTERNAL[d.name])
      .map((d) => `${d.type} ${d.name} (${d.where})`);
    expect(unwired, `not wired to the CLI, HTTP API and dashboard (client/parity.ts): ${unwired.join(', ')}`).toEqual(
      [],
    );
    const names = new Set(defs.map((d) => d.name));
    expect([...Object.keys(DOORS), ...Object.keys(INTERNAL)].filter((n) => !names.has(n))).toEqual([]);
    // A signal is fire-and-forget: a person's action is an Update, so signals may only be internal.
    expect(defs.filter((d) => d.type === 'signal' && !INTERNAL[d.name]).map((d) => d.name)).toEqual([]);
  });

  it("each door's route is in the route table and declares roles; every other route is listed with why", () => {
    const missing = doors()
      .filter(([, d]) => rolesOf(d).length === 0)
      .map(([n, d]) => `${n}: ${key(d.http.method, d.http.path)}`);
    expect(missing, 'doors whose route is missing or public').toEqual([]);
    const known = new Set([...doors().map(([, d]) => key(d.http.method, d.http.path)), ...Object.keys(NOT_DOORS)]);
    expect(
      table.map((r) => key(r.method, r.url)).filter((k) => !known.has(k)),
      'routes neither a door nor in NOT_DOORS (client/parity.ts)',
    ).toEqual([]);
    const listed = new Set(table.map((r) => key(r.method, r.url)));
    expect(Object.keys(NOT_DOORS).filter((k) => !listed.has(k))).toEqual([]);
  });

  it('Updates are POST routes with a form for exactly the roles the route lets through; Queries are GET routes', () => {
    const types = new Map(defs.map((d) => [d.name, d.type]));
    for (const [name, d] of doors()) {
      if (types.get(name) === 'query') {
        expect(d.http.method, name).toBe('GET');
        continue;
      }
      expect(d.http.method, name).toBe('POST');
      const roles = rolesOf(d);
      const shown = new Set((d.forms ?? []).flatMap((f) => f.roles));
      expect(
        roles.filter((r) => !shown.has(r)),
        `${name}: roles without a dashboard form`,
      ).toEqual([]);
      expect(
        [...shown].filter((r) => !roles.includes(r)),
        `${name}: a form for a role the route refuses`,
      ).toEqual([]);
    }
  });
  it('each CLI command exists in buildProgram()', () => {
    const program = buildProgram();
    const missing = doors()
      .filter(([, d]) => !findCommand(program, d.cli.split(' ')))
      .map(([n, d]) => `${n}: guidance ${d.cli}`);
    expect(missing).toEqual([]);
  });

  it('each dashboard form id is built by the dashboard (its components, or the scripts it is served as)', () => {
    const read = (dir: string, ext: RegExp) =>
      existsSync(dir)
        ? (readdirSync(dir, { recursive: true }) as string[])
            .filter((n) => ext.test(n))
            .map((n) => readFileSync(path.join(dir, n), 'utf8'))
        : [];
    const sources = [...read(DASHBOARD, /\.tsx?$/), ...read(PUBLIC, /\.(js|html)$/)].join('\n');
    const missing = doors().flatMap(([n, d]) =>
      (d.forms ?? []).filter((f) => !new RegExp(`['"\`]${f.id}['"\`]`).test(sources)).map((f) => `${n}: #${f.id}`),
    );
    expect(missing).toEqual([]);
  });

  it('each door is in the table of docs/operations.md', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
    const missing = doors().flatMap(([n, d]) =>
      [`\`guidance ${d.cli}\``, `\`${d.http.method} ${d.http.path}\``, ...(d.forms ?? []).map((f) => `\`${f.id}\``)]
        .filter((x) => !doc.includes(x))
        .map((x) => `${n}: ${x}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('every HTTP door exists and lets through exactly its roles (real server)', () => {
  let s: Stack;
  let cookies: Record<string, string>;
  beforeAll(async () => {
    s = await startStack();
    cookies = await login(s.app, Object.values(USER_OF));
  });
  afterAll(async () => {
    await s?.teardown();
  });

  it('the running server has the same route table', () => {
    const running = new Set(s.app.apiRoutes.map((r) => key(r.method, r.url)));
    expect(
      doors()
        .filter(([, d]) => !running.has(key(d.http.method, d.http.path)))
        .map(([n]) => n),
    ).toEqual([]);
  });

  it('a role not declared gets 403, a declared role does not (nothing changes: every body here is refused)', async () => {
    const wrong: string[] = [];
    for (const [name, d] of doors()) {
      const roles = rolesOf(d);
      const url = d.http.path.replace(':year', String(s.plan.year)).replace(':county', USER_OF.county);
      for (const role of ROLES) {
        const res = await s.app.inject({
          method: d.http.method,
          url,
          headers: {
            cookie: cookies[USER_OF[role]]!,
            ...(d.http.method === 'POST' ? { 'content-type': 'application/json' } : {}),
          },
          ...(d.http.method === 'POST' ? { payload: '{}' } : {}),
        });
        const allowed = roles.includes(role);
        if (allowed ? res.statusCode === 403 || res.statusCode === 401 : res.statusCode !== 403)
          wrong.push(`${name} ${d.http.method} ${d.http.path} as ${role}: ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
