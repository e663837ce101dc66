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
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { LoginLimits } from '../../config/env';
import { ROLE_LABEL } from '../../workflows/contracts/common';
import type { UserRecord, Users } from '../users';
import { clearSession, requireRole, sessionIdOf, setSession } from './auth';
import { HttpError, unauthorized } from './errors';
import type { SessionStore } from './sessions';
import { LoginThrottle } from './throttle';
import type { UsersFileWatcher } from './users-file';

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 5,
  maxDelaySeconds: 900,
  maxPerAddress: 60,
  windowSeconds: 900,
  concurrency: 2,
};

const LoginBody = z.object({
  id: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
});

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

/** Registers POST /api/login, /api/logout and, with a watched users file, /api/admin/users/reload. */
export async function registerLogin(
  app: FastifyInstance,
  deps: {
    users: Users;
    sessions: SessionStore;
    secure: boolean;
    limits?: Partial<LoginLimits>;
    usersFile?: UsersFileWatcher;
  },
): Promise<void> {
  const { users, sessions, secure } = deps;
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...deps.limits };
  const windowMs = limits.windowSeconds * 1000;
  // Only the login route is limited; every other route needs a session or token already.
  await app.register(rateLimit, { global: false });
  const throttle = new LoginThrottle(limits);
  // Hashes weaker than the current scrypt cost are upgraded at login into the users file.
  if (deps.usersFile?.canUpgradeHashes)
    users.setHashStore((id, oldHash, newHash) => deps.usersFile!.upgradeHash(id, oldHash, newHash));
  users.onRehash((user, oldHash) => sessions.carryOver(user, oldHash));
  const gate = new Gate(limits.concurrency, limits.concurrency * 8);

  /** Refuses with 429 while this account's failures from this address still make it wait. */
  const checkPair = (id: string, request: FastifyRequest, reply: FastifyReply) => {
    const seconds = throttle.waitSeconds(id, request.ip);
    if (seconds > 0) {
      reply.header('Retry-After', String(seconds));
      throw accountLocked(seconds);
    }
  };

  app.post(
    '/api/login',
    {
      config: {
        rateLimit: {
          max: limits.maxPerAddress,
          timeWindow: windowMs,
          // The plugin has set Retry-After already; the answer takes the API's one error shape.
          errorResponseBuilder: (_request, context) => tooManyFromAddress(context.ttl / 1000),
        },
      },
    },
    async (request, reply) => {
      const body = LoginBody.parse(request.body ?? {});
      checkPair(body.id, request, reply);
      const turn = gate.acquire();
      if (!turn) {
        reply.header('Retry-After', '1');
        throw loginBusy();
      }
      const release = await turn;
      let user: UserRecord | undefined;
      try {
        // Checked again at our turn: attempts that waited in the queue behind failures count too.
        checkPair(body.id, request, reply);
        user = await users.login(body.id, body.password);
        if (user) throttle.succeeded(body.id, request.ip);
        else throttle.failed(body.id, request.ip);
      } finally {
        release();
      }
      if (!user) throw new HttpError(401, 'Unauthorized', '用户名或密码不正确');
      setSession(reply, sessions.create(user), secure);
      return { user: publicUser(user) };
    },
  );

  app.post('/api/logout', async (request, reply) => {
    const id = sessionIdOf(request);
    if (id) sessions.revoke(id);
    clearSession(reply, secure);
    return { ok: true };
  });

  const watcher = deps.usersFile;
  if (watcher) {
    // For a file system whose changes are not announced (some network mounts), and to see the
    // verdict on a new file at once: an administrator asks for the reload.
    app.post('/api/admin/users/reload', async (request) => {
      if (!request.user) throw unauthorized();
      requireRole(request.user, 'admin');
      const result = watcher.reload();
      if (!result.ok)
        throw new HttpError(
          422,
          'InvalidUsersFile',
          `用户文件有错误，未重新加载，仍使用原有用户：${result.problems.join('；')}`,
        );
      return { result };
    });
  }
}
