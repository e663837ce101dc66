/**
 * Parity of the doors (client/parity.ts): every Update, Query and Signal that the shared modules
 * define — found by importing every module under workflows/shared, not from a list — has a
 * `guidance` command, an HTTP route that lets through exactly the roles it lists, and a dashboard
 * form for each role that acts, each in the table of docs/operations.md; or it is listed as
 * internal, with why. A definition added tomorrow without its doors fails here. The routes are
 * checked on the real server over the time-skipping stack, with bodies the routes refuse (so
 * nothing changes): a role not listed gets 403, a role listed gets anything but 401/403.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../client/cli';
import { DOORS, INTERNAL, type Door } from '../client/parity';
import type { Role } from '../workflows/contracts/common';
import { login, startStack, type Stack } from './http/helpers';

const ROOT = path.resolve(__dirname, '..');
const SHARED = path.join(ROOT, 'workflows', 'shared');
const PUBLIC = path.join(ROOT, 'client', 'http', 'public');

interface Definition {
  name: string;
  type: 'update' | 'query' | 'signal';
  /** Where it is exported, e.g. `visit.ts: submitUpdate`. */
  where: string;
}

/** Every definition object (`defineUpdate`/`defineQuery`/`defineSignal` return `{ type, name }`) exported under workflows/shared. */
async function definitions(): Promise<Definition[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ts$/.test(n) && !/\.d\.ts$/.test(n)) files.push(p);
    }
  };
  walk(SHARED);
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
          where: `${path.relative(SHARED, file)}: ${exported}`,
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

let defs: Definition[];
beforeAll(async () => {
  defs = await definitions();
});

describe('every definition has its doors (static)', () => {
  it('finds the definitions (the enumeration itself works)', () => {
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

  it('Updates are POST routes with a form for every role that acts; Queries are GET routes', () => {
    const types = new Map(defs.map((d) => [d.name, d.type]));
    for (const [name, d] of doors()) {
      if (types.get(name) === 'query') {
        expect(d.http.method, name).toBe('GET');
        continue;
      }
      expect(d.http.method, name).toBe('POST');
      const shown = new Set((d.forms ?? []).flatMap((f) => f.roles));
      expect(
        d.http.roles.filter((r) => !shown.has(r)),
        `${name}: roles without a dashboard form`,
      ).toEqual([]);
      expect(
        [...shown].filter((r) => !d.http.roles.includes(r)),
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

  it('each dashboard form id is built by the dashboard scripts', () => {
    const sources = readdirSync(PUBLIC)
      .filter((n) => /\.(js|html)$/.test(n))
      .map((n) => readFileSync(path.join(PUBLIC, n), 'utf8'))
      .join('\n');
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

  it('each route is registered on the Fastify app', () => {
    const missing = doors()
      .filter(([, d]) => !s.app.hasRoute({ method: d.http.method, url: d.http.path }))
      .map(([n, d]) => `${n}: ${d.http.method} ${d.http.path}`);
    expect(missing).toEqual([]);
  });

  it('a role not listed gets 403, a listed role does not (nothing changes: every body here is refused)', async () => {
    const wrong: string[] = [];
    for (const [name, d] of doors()) {
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
        const allowed = d.http.roles.includes(role);
        if (allowed ? res.statusCode === 403 || res.statusCode === 401 : res.statusCode !== 403)
          wrong.push(`${name} ${d.http.method} ${d.http.path} as ${role}: ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
