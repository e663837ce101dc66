/**
 * One throwaway PostgreSQL per test file (worker/cluster/postgres.ts: Debian's PostgreSQL 15,
 * loopback only) and a fresh, empty database per test in it, for the state several hosts share.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startPostgres, type RunningPostgres } from '../../worker/cluster/postgres';

export interface TestPostgres {
  /** A new empty database on the server; its URL. */
  freshDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'guidance-pg-'));
  // mkdtemp makes it 0700; as root, postgres runs as its own OS user and must enter it.
  chmodSync(parent, 0o755);
  let server: RunningPostgres;
  try {
    server = await startPostgres({ dir: path.join(parent, 'data') });
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
  let n = 0;
  return {
    async freshDatabase() {
      const name = `t${process.pid}_${++n}`;
      const admin = new Client({ connectionString: server.url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
