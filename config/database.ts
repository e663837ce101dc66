/**
 * The shared database (共享数据库) of a multi-host deployment: PostgreSQL through node-postgres,
 * named by GUIDANCE_DATABASE_URL. It holds what must be one across hosts — the mail sent-log
 * (activities/email/sent-log-pg.ts), the dashboard's sessions and login throttling
 * (client/http/sessions-pg.ts, throttle-pg.ts). Without it, each process keeps them as before
 * (local files, memory). Each module creates its own table on first use (CREATE TABLE IF NOT
 * EXISTS under a transaction-scoped advisory lock, so two hosts starting at once do not collide).
 */
import { Pool, type PoolClient } from 'pg';

/** The URL with its password replaced by `***`: the only form of it that may be logged. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(无法解析的数据库地址)';
  }
}

/** A pool over `url`; `await pool.end()` when done. */
export function openDatabase(url: string, max = 10): Pool {
  // allowExitOnIdle: an idle pool does not keep a finished process alive.
  const pool = new Pool({ connectionString: url, max, allowExitOnIdle: true });
  // An idle connection the server drops (restart, failover) must not crash the process; the next
  // query opens a new one.
  pool.on('error', () => undefined);
  return pool;
}

/** Arbitrary fixed id of the advisory lock that serialises schema creation. */
const SCHEMA_LOCK = 0x6775_6964;

/** Runs `ddl` once per pool, serialised across hosts; later calls await the same promise. */
export function schemaOnce(ddl: string): (pool: Pool) => Promise<void> {
  const done = new WeakMap<Pool, Promise<void>>();
  return (pool) => {
    let p = done.get(pool);
    if (!p) {
      p = inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await c.query(ddl);
      });
      p.catch(() => done.delete(pool));
      done.set(pool, p);
    }
    return p;
  };
}

/** Runs `fn` in one transaction on one connection: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
