/**
 * `npm run bench:login`: how long the dashboard's static files take while 60 logins arrive at
 * once. scrypt (~80 ms, ~32 MB each) runs on libuv's threadpool, which also does the file reads of
 * @fastify/static, so unbounded password checks queue the files behind them. Measured twice on the
 * real server over real HTTP: with the default bound on password checks (GUIDANCE_LOGIN_CONCURRENCY
 * 2, the overflow refused with 503) and with the bound lifted (64 at once: the behaviour before
 * it). A benchmark, not a test: it prints its figures and records them in bench/RESULTS.md under
 * "Login flood".
 */
import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpServer } from '../client/http/server';
import { loadUsers } from '../client/users';
import { fmtMs, loadAverage, machine, quantile, recordSection } from './lib/report';

const HEADING = '## Login flood';
const COMMAND = 'npm run bench:login';
const LOGINS = 60;
const BASELINE = 40;
const STATIC = '/app.js';

interface Round {
  label: string;
  baseline: number[];
  during: number[];
  codes: Record<number, number>;
  floodMs: number;
}

async function timed(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t;
}

async function round(label: string, concurrency: number): Promise<Round> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guidance-bench-login-'));
  const users = loadUsers(path.join(__dirname, '..', 'examples', 'users.yaml'));
  const { app, url } = await startHttpServer({
    // No route measured here talks to Temporal.
    client: {} as Client,
    config: {
      namespace: 'default',
      bureau: 'heluo',
      year: 2031,
      logLevel: 'silent',
      login: { concurrency, maxPerAddress: 100_000 },
    },
    users,
    evidenceDir: path.join(dir, 'evidence'),
    archiveDir: path.join(dir, 'archive'),
  });
  try {
    for (let i = 0; i < 5; i++) await timed(`${url}${STATIC}`); // warm-up
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE; i++) baseline.push(await timed(`${url}${STATIC}`));

    const codes: Record<number, number> = {};
    const t0 = performance.now();
    let done = false;
    const flood = Promise.all(
      Array.from({ length: LOGINS }, async () => {
        const res = await fetch(`${url}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'admin', password: 'heluo-admin' }),
        });
        await res.arrayBuffer();
        codes[res.status] = (codes[res.status] ?? 0) + 1;
      }),
    ).then(() => {
      done = true;
    });
    const during: number[] = [];
    while (!done) during.push(await timed(`${url}${STATIC}`));
    await flood;
    return { label, baseline, during, codes, floodMs: performance.now() - t0 };
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (xs: number[], q: number) => fmtMs(q === 1 ? Math.max(...xs) : quantile(xs, q));

async function main() {
  const loadBefore = loadAverage();
  const rounds = [
    await round('bounded (default: 2 at once, 16 waiting)', 2),
    await round('unbounded (64 at once, as before the bound)', 64),
  ];
  const rows = rounds.map((r) => {
    const answered = Object.entries(r.codes)
      .map(([code, n]) => `${n}× ${code}`)
      .join(', ');
    return `| ${r.label} | ${ms(r.baseline, 0.5)} | ${ms(r.baseline, 0.95)} | ${ms(r.during, 0.5)} | ${ms(r.during, 0.95)} | ${ms(r.during, 1)} | ${r.during.length} | ${answered} in ${fmtMs(r.floodMs)} |`;
  });
  const section = `${HEADING}

${LOGINS} logins (the example admin, right password) sent at once to the real server over HTTP on
127.0.0.1, while one client fetches the dashboard's \`${STATIC}\` (@fastify/static) again and again
until every login has answered; before that, ${BASELINE} fetches with no logins. The per-address
limit is lifted for the run. UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}.

Command: \`${COMMAND}\`

Machine: ${machine()}. Load average before the run ${loadBefore}. Run on ${new Date().toISOString().slice(0, 10)}.

| password checks | file, no logins: median | p95 | file during the flood: median | p95 | max | fetches during | logins answered |
|---|---:|---:|---:|---:|---:|---:|---|
${rows.join('\n')}
`;
  process.stdout.write(`${section}\n`);
  recordSection(HEADING, section);
  process.stdout.write('Recorded in bench/RESULTS.md\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
