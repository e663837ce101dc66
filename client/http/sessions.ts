/**
 * Server-side sessions (会话): the cookie carries only a random session id, and this table says
 * whose it is, so logging out, a changed password or a user removed from the users file ends the
 * session at once instead of when the cookie expires.
 *
 * The table is in memory on purpose: the dashboard is one process (the one `npm start` runs), and a
 * restart logging everyone out is acceptable for a one-working-day session, whereas a file of live
 * session ids on disk would be one more secret to guard and back up. Each session also keeps a
 * fingerprint of its user's password hash, checked on every request, so a changed password ends
 * the session even if the table were ever rebuilt from elsewhere.
 * Several dashboard processes behind one address share the table in PostgreSQL instead
 * (sessions-pg.ts, GUIDANCE_DATABASE_URL), which keeps hashes of the ids only.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { UserRecord, Users } from '../users';

/** A session lasts one working day. */
export const SESSION_TTL_MS = 12 * 3_600_000;

interface Session {
  userId: string;
  /** sha256 of the user's password hash when the session began. */
  fingerprint: string;
  expiresAt: number;
}

/** The fingerprint of what the user logs in with; a session outlives no change to it. */
export function fingerprintOf(user: UserRecord): string {
  return createHash('sha256')
    .update(user.password ?? '')
    .digest('hex');
}

type Awaitable<T> = T | Promise<T>;

/**
 * The session table as the server uses it: this process's memory (SessionStore, the default) or
 * a database every dashboard process shares (PgSessionStore in sessions-pg.ts), so a login on one
 * is valid on all and a logout anywhere ends it everywhere.
 */
export interface SessionTable {
  create(user: UserRecord, now?: number): Awaitable<string>;
  resolve(id: string, users: Users, now?: number): Awaitable<UserRecord | undefined>;
  carryOver(user: UserRecord, oldHash: string): Awaitable<void>;
  revoke(id: string): Awaitable<void>;
  revokeStale(users: Users): Awaitable<number>;
}

export class SessionStore implements SessionTable {
  private readonly table = new Map<string, Session>();

  constructor(
    private readonly ttlMs = SESSION_TTL_MS,
    /** More sessions than this drops the oldest (a login flood must not grow memory without end). */
    private readonly max = 10_000,
  ) {}

  /** A new session for the user; returns its id (32 random bytes, base64url). */
  create(user: UserRecord, now = Date.now()): string {
    this.sweep(now);
    const id = randomBytes(32).toString('base64url');
    this.table.set(id, { userId: user.id, fingerprint: fingerprintOf(user), expiresAt: now + this.ttlMs });
    // A Map iterates in insertion order: the first keys are the oldest sessions.
    for (const oldest of this.table.keys()) {
      if (this.table.size <= this.max) break;
      this.table.delete(oldest);
    }
    return id;
  }

  /** The session's user as the users file has it now, or undefined (the session is then dropped). */
  resolve(id: string, users: Users, now = Date.now()): UserRecord | undefined {
    const s = this.table.get(id);
    if (!s) return undefined;
    const user = users.get(s.userId);
    if (s.expiresAt <= now || !user || fingerprintOf(user) !== s.fingerprint) {
      this.table.delete(id);
      return undefined;
    }
    return user;
  }

  /**
   * A user's hash upgraded at login (same password, stronger parameters): their sessions keep
   * going, unlike after a changed password.
   */
  carryOver(user: UserRecord, oldHash: string): void {
    const before = fingerprintOf({ ...user, password: oldHash });
    for (const s of this.table.values())
      if (s.userId === user.id && s.fingerprint === before) s.fingerprint = fingerprintOf(user);
  }

  /** Ends one session (logout). */
  revoke(id: string): void {
    this.table.delete(id);
  }

  /** Ends every session whose user is gone from `users` or whose password changed; returns how many. */
  revokeStale(users: Users): number {
    let n = 0;
    for (const [id, s] of this.table) {
      const user = users.get(s.userId);
      if (!user || fingerprintOf(user) !== s.fingerprint) {
        this.table.delete(id);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.table.size;
  }

  private sweep(now: number): void {
    for (const [id, s] of this.table) if (s.expiresAt <= now) this.table.delete(id);
  }
}
