/**
 * The sent-log (发送记录) in PostgreSQL, for workers on several hosts: the same records, states
 * and protocol as the local one (sent-log.ts), in one table keyed by the copy's key, so a copy
 * accepted on one host is `accepted` for every host and a retry landing elsewhere sends nothing.
 *
 * - `write` is one statement (INSERT … ON CONFLICT (key) DO UPDATE): the first `intent` creates the
 *   row, every later state replaces it whole; PostgreSQL's commit is the durability the local
 *   file's fsync gave.
 * - `withLock` holds a session-level advisory lock on the key on a connection of its own for the
 *   whole attempt, so two hosts racing on one copy take turns exactly as two attempts in one
 *   process do locally; the second then reads `accepted` and returns without sending. A host that
 *   dies mid-attempt loses its connection and with it the lock, leaving `intent` behind, which the
 *   next attempt treats as a possible duplicate (the same residual window as on one host).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient } from 'pg';
import { schemaOnce } from '../../config/database';
import { SentLogCorrupt, SentLogRecordSchema, type SentLogRecord, type SentLogStore } from './sent-log';

const TABLE = 'guidance_sent_log';
const ensureSchema = schemaOnce(
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
     key text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
     state text NOT NULL,
     record jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
);

function checkKey(key: string): void {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`bad sent-log key ${key}`);
}

export class PgSentLog implements SentLogStore {
  /**
   * The connection holding the lock of the attempt running in this async context: its reads and
   * writes go over it. Taking a second connection from the pool instead would deadlock once every
   * connection held a lock and waited for another (more attempts at once than the pool's size).
   */
  private readonly held = new AsyncLocalStorage<PoolClient>();

  constructor(private readonly pool: Pool) {}

  private get db(): Pool | PoolClient {
    return this.held.getStore() ?? this.pool;
  }

  async read(key: string): Promise<SentLogRecord | undefined> {
    checkKey(key);
    await ensureSchema(this.pool);
    const r = await this.db.query<{ record: unknown }>(`SELECT record FROM ${TABLE} WHERE key = $1`, [key]);
    if (r.rowCount === 0) return undefined;
    const parsed = SentLogRecordSchema.safeParse(r.rows[0]!.record);
    if (!parsed.success) throw new SentLogCorrupt(`发送记录损坏（字段不符）：${key}`);
    return parsed.data;
  }

  async write(record: SentLogRecord): Promise<void> {
    checkKey(record.key);
    await ensureSchema(this.pool);
    await this.db.query(
      `INSERT INTO ${TABLE} (key, state, record) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, record = EXCLUDED.record, updated_at = now()`,
      [record.key, record.state, JSON.stringify(record)],
    );
  }

  async listWorkflow(workflowId: string): Promise<SentLogRecord[]> {
    await ensureSchema(this.pool);
    const r = await this.pool.query<{ record: unknown }>(
      `SELECT record FROM ${TABLE} WHERE record->>'workflowId' = $1`,
      [workflowId],
    );
    return r.rows.flatMap((row) => {
      const parsed = SentLogRecordSchema.safeParse(row.record);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    checkKey(key);
    await ensureSchema(this.pool);
    const c = await this.pool.connect();
    // The key's first 64 bits as the lock id: keys are sha256, so collisions are only theoretical
    // (and would merely serialise two copies).
    const lockId = `('x' || substr($1, 1, 16))::bit(64)::bigint`;
    let locked = false;
    try {
      await c.query(`SELECT pg_advisory_lock(${lockId})`, [key]);
      locked = true;
      return await this.held.run(c, fn);
    } finally {
      const unlocked = locked
        ? await c.query(`SELECT pg_advisory_unlock(${lockId})`, [key]).then(
            () => true,
            () => false,
          )
        : true;
      // A connection whose unlock failed may still hold the lock: destroy it rather than pool it.
      c.release(!unlocked);
    }
  }
}
