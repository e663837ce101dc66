/**
 * Login throttling (登录失败退避) in PostgreSQL, for several dashboard processes behind one
 * address: the same rule as LoginThrottle (throttle.ts), per account AND client address, but the
 * pair's count lives in one table, so wrong passwords tried through any of the processes count in
 * one window. A failure is counted under a row lock (SELECT … FOR UPDATE), so two processes
 * failing at once count two.
 */
import type { Pool } from 'pg';
import { inTransaction, schemaOnce } from '../../config/database';
import { delayAfter, type ThrottleLimits, type ThrottleStore } from './throttle';

const TABLE = 'guidance_login_throttle';
const ensureSchema = schemaOnce(
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
     pair text PRIMARY KEY,
     failures integer NOT NULL,
     until_ms bigint NOT NULL,
     expires_ms bigint NOT NULL
   )`,
);

export class PgLoginThrottle implements ThrottleStore {
  constructor(
    private readonly pool: Pool,
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** The pair as one text (PostgreSQL's text holds no NUL, the in-memory key's separator). */
  private pair(account: string, address: string): string {
    return JSON.stringify([address, account]);
  }

  async waitSeconds(account: string, address: string): Promise<number> {
    await ensureSchema(this.pool);
    const now = this.now();
    const r = await this.pool.query<{ until_ms: string }>(
      `SELECT until_ms FROM ${TABLE} WHERE pair = $1 AND expires_ms > $2`,
      [this.pair(account, address), now],
    );
    const ms = r.rows[0] ? Number(r.rows[0].until_ms) - now : 0;
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  async failed(account: string, address: string): Promise<number> {
    await ensureSchema(this.pool);
    const pair = this.pair(account, address);
    return inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO ${TABLE} VALUES ($1, 0, 0, 0) ON CONFLICT (pair) DO NOTHING`, [pair]);
      const r = await c.query<{ failures: number; expires_ms: string }>(
        `SELECT failures, expires_ms FROM ${TABLE} WHERE pair = $1 FOR UPDATE`,
        [pair],
      );
      const now = this.now();
      const row = r.rows[0]!;
      const failures = (Number(row.expires_ms) > now ? row.failures : 0) + 1;
      const delay = delayAfter(this.limits, failures);
      await c.query(`UPDATE ${TABLE} SET failures = $2, until_ms = $3, expires_ms = $4 WHERE pair = $1`, [
        pair,
        failures,
        now + delay,
        now + delay + this.limits.windowSeconds * 1000,
      ]);
      // Forgotten pairs go now and then, so a flood of made-up names does not stay.
      if (Math.random() < 0.02) await c.query(`DELETE FROM ${TABLE} WHERE expires_ms <= $1`, [now]);
      return delay;
    });
  }

  async succeeded(account: string, address: string): Promise<void> {
    await ensureSchema(this.pool);
    await this.pool.query(`DELETE FROM ${TABLE} WHERE pair = $1`, [this.pair(account, address)]);
  }
}
