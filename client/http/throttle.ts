/**
 * Growing delays for wrong passwords (登录失败退避), per account AND client address.
 *
 * A lock per account lets anyone lock anyone out (five wrong guesses for the approver's name and
 * the approver cannot sign for fifteen minutes). Here the count belongs to the pair (account,
 * address): after `maxFailures` wrong passwords for one account from one address, each further
 * attempt from that address for that account waits 1 s, then 2 s, 4 s, … up to `maxDelaySeconds`;
 * a right password clears the pair. The same account from another address is not slowed, so a
 * guesser delays only itself; how many addresses a guesser has is bounded by the per-address
 * limit (login.ts) and, behind a reverse proxy, by `trustProxy` telling addresses apart.
 */

export interface ThrottleLimits {
  /** Wrong passwords from one address for one account before the delays start. */
  maxFailures: number;
  /** The longest delay. */
  maxDelaySeconds: number;
  /** A pair with no failure for this long is forgotten. */
  windowSeconds: number;
}

interface PairState {
  failures: number;
  /** No attempt before this instant (ms). */
  until: number;
  /** Forgotten after this instant (ms). */
  expires: number;
}

type Awaitable<T> = T | Promise<T>;

/**
 * The throttle as the login route uses it: this process's memory (LoginThrottle, the default) or a
 * database every dashboard process shares (PgLoginThrottle in throttle-pg.ts), so attempts made
 * through any of them count in one window.
 */
export interface ThrottleStore {
  waitSeconds(account: string, address: string): Awaitable<number>;
  failed(account: string, address: string): Awaitable<number>;
  succeeded(account: string, address: string): Awaitable<void>;
}

/** The delay (ms) a failure number `n` (from 1) sets: none up to `maxFailures`, then 1 s doubling, capped. */
export function delayAfter(limits: ThrottleLimits, n: number): number {
  if (n < limits.maxFailures) return 0;
  const doublings = Math.min(n - limits.maxFailures, 40);
  return Math.min(FIRST_DELAY_MS * 2 ** doublings, limits.maxDelaySeconds * 1000);
}

/** Pairs kept at most; a flood of made-up names drops the oldest first. */
const MAX_PAIRS = 100_000;
const FIRST_DELAY_MS = 1000;

export class LoginThrottle implements ThrottleStore {
  private readonly pairs = new Map<string, PairState>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private key(account: string, address: string): string {
    return `${address}\u0000${account}`;
  }

  private state(key: string): PairState | undefined {
    const s = this.pairs.get(key);
    if (s && s.expires <= this.now()) {
      this.pairs.delete(key);
      return undefined;
    }
    return s;
  }

  /** Seconds (whole, ≥ 1) this pair must still wait before a password is checked, or 0. */
  waitSeconds(account: string, address: string): number {
    const s = this.state(this.key(account, address));
    const ms = s ? s.until - this.now() : 0;
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  /** The delay (ms) a failure number `n` (from 1) sets: none up to `maxFailures`, then 1 s doubling, capped. */
  delayAfter(n: number): number {
    return delayAfter(this.limits, n);
  }

  /** Records a wrong password; returns the delay it sets, in ms. */
  failed(account: string, address: string): number {
    const key = this.key(account, address);
    const failures = (this.state(key)?.failures ?? 0) + 1;
    const delay = this.delayAfter(failures);
    const now = this.now();
    this.pairs.delete(key); // re-inserted last: the Map's order is the eviction order
    this.pairs.set(key, { failures, until: now + delay, expires: now + delay + this.limits.windowSeconds * 1000 });
    if (this.pairs.size > MAX_PAIRS) this.pairs.delete(this.pairs.keys().next().value!);
    return delay;
  }

  /** A right password: the pair starts afresh. */
  succeeded(account: string, address: string): void {
    this.pairs.delete(this.key(account, address));
  }
}
