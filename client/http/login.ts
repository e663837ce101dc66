/**
 * Logging in and out (登录、退出), hardened against guessing and floods:
 * - per client address: at most `maxPerAddress` login attempts per window (@fastify/rate-limit on
 *   the route, counted before the body is even read);
 * - per account AND address (throttle.ts): after `maxFailures` wrong passwords for one account from
 *   one address, each further attempt from there for that account waits a growing delay (1 s,
 *   doubling, capped), refused with 429 even with the right password while it lasts (a guesser
 *   learns nothing from it). The same account from another address is not slowed: nobody can lock
 *   someone else out. Counted for names that do not exist too, so a delay tells nothing about who
 *   exists. The address is `request.ip`: behind a reverse proxy set `trustProxy` (server.ts);
 * - password checks (scrypt, ~0.2 s on the libuv threadpool, which also serves file reads) run at
 *   most `concurrency` at once, a few more wait their turn, the rest are refused at once, so a
 *   flood of logins cannot starve the dashboard's static files.
 * Sessions live in the server's table (sessions.ts): logout ends the session, not just the cookie.
 * The routes are in routes/session.ts; here the limits and the answers they give.
 */
import type { LoginLimits } from '../../config/env';
import { ROLE_LABEL } from '../../workflows/contracts/common';
import type { UserRecord } from '../users';
import { HttpError } from './errors';

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 5,
  maxDelaySeconds: 900,
  maxPerAddress: 60,
  windowSeconds: 900,
  concurrency: 2,
};

/** "N 秒" below two minutes, else whole minutes rounded up. */
function wait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  return s < 120 ? `${s} 秒` : `${Math.ceil(s / 60)} 分钟`;
}
export const tooManyFromAddress = (seconds: number) =>
  new HttpError(429, 'TooManyRequests', `登录尝试过于频繁，请 ${wait(seconds)}后再试`);
export const accountLocked = (seconds: number) =>
  new HttpError(
    429,
    'TooManyRequests',
    `登录尝试过于频繁：该账号密码错误次数过多，已暂时锁定本地址的登录，请 ${wait(seconds)}后再试`,
  );
export const loginBusy = () => new HttpError(503, 'Busy', '登录请求过多，服务器繁忙，请稍后再试');

/** At most `limit` tasks at once and `queue` more waiting; beyond that `acquire` answers undefined. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly queue: number,
  ) {}

  /** Resolves to the release function once it is this caller's turn; undefined when the queue is full. */
  acquire(): Promise<() => void> | undefined {
    const release = () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve(release);
    }
    if (this.waiting.length >= this.queue) return undefined;
    return new Promise((resolve) => this.waiting.push(() => resolve(release)));
  }
}

export const publicUser = (u: UserRecord) => ({
  id: u.id,
  name: u.name ?? u.id,
  label: userLabel(u),
  role: u.role,
  roleLabel: ROLE_LABEL[u.role],
  county: u.county,
});

/**
 * How the header names the user: the name with the role in brackets, unless the name says it
 * already (管理员, not 管理员（管理员）; a county's 香山县应急管理局 alone). No name: the role.
 */
export function userLabel(u: Pick<UserRecord, 'name' | 'role'>): string {
  const role = ROLE_LABEL[u.role];
  if (!u.name) return role;
  return u.role === 'county' || u.name.includes(role) ? u.name : `${u.name}（${role}）`;
}
