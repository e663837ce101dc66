/**
 * The session table (会话) in PostgreSQL, for several dashboard processes behind one address
 * (GUIDANCE_DATABASE_URL): the same sessions as SessionStore (sessions.ts) — a random id in the
 * cookie, the user and their password fingerprint here, one working day — but in one table all of
 * them read, so a login on one is valid on every one and a logout deletes the row, ending the
 * session everywhere at once. The table keeps sha256 of the id, not the id: a copy of the database
 * (a backup) holds no live session.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { schemaOnce } from '../../config/database';
import type { UserRecord, Users } from '../users';
import { fingerprintOf, SESSION_TTL_MS, type SessionTable } from './sessions';

const TABLE = 'guidance_sessions';
const ensureSchema = schemaOnce(
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
     id_hash text PRIMARY KEY,
     user_id text NOT NULL,
     fingerprint text NOT NULL,
     expires_at bigint NOT NULL
   );
   CREATE INDEX IF NOT EXISTS ${TABLE}_user ON ${TABLE} (user_id)`,
);

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export class PgSessionStore implements SessionTable {
  constructor(
    private readonly pool: Pool,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async create(user: UserRecord, now = Date.now()): Promise<string> {
    await ensureSchema(this.pool);
    await this.pool.query(`DELETE FROM ${TABLE} WHERE expires_at <= $1`, [now]);
    const id = randomBytes(32).toString('base64url');
    await this.pool.query(`INSERT INTO ${TABLE} (id_hash, user_id, fingerprint, expires_at) VALUES ($1, $2, $3, $4)`, [
      hashOf(id),
      user.id,
      fingerprintOf(user),
      now + this.ttlMs,
    ]);
    return id;
  }

  async resolve(id: string, users: Users, now = Date.now()): Promise<UserRecord | undefined> {
    await ensureSchema(this.pool);
    const r = await this.pool.query<{ user_id: string; fingerprint: string; expires_at: string }>(
      `SELECT user_id, fingerprint, expires_at FROM ${TABLE} WHERE id_hash = $1`,
      [hashOf(id)],
    );
    const s = r.rows[0];
    if (!s) return undefined;
    const user = users.get(s.user_id);
    if (Number(s.expires_at) <= now || !user || fingerprintOf(user) !== s.fingerprint) {
      await this.revoke(id);
      return undefined;
    }
    return user;
  }

  async carryOver(user: UserRecord, oldHash: string): Promise<void> {
    await ensureSchema(this.pool);
    await this.pool.query(`UPDATE ${TABLE} SET fingerprint = $1 WHERE user_id = $2 AND fingerprint = $3`, [
      fingerprintOf(user),
      user.id,
      fingerprintOf({ ...user, password: oldHash }),
    ]);
  }

  async revoke(id: string): Promise<void> {
    await ensureSchema(this.pool);
    await this.pool.query(`DELETE FROM ${TABLE} WHERE id_hash = $1`, [hashOf(id)]);
  }

  async revokeStale(users: Users): Promise<number> {
    await ensureSchema(this.pool);
    const r = await this.pool.query<{ id_hash: string; user_id: string; fingerprint: string }>(
      `SELECT id_hash, user_id, fingerprint FROM ${TABLE}`,
    );
    const stale = r.rows
      .filter((s) => {
        const user = users.get(s.user_id);
        return !user || fingerprintOf(user) !== s.fingerprint;
      })
      .map((s) => s.id_hash);
    if (stale.length > 0) await this.pool.query(`DELETE FROM ${TABLE} WHERE id_hash = ANY($1)`, [stale]);
    return stale.length;
  }
}
