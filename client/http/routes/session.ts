/**
 * The session (会话): logging in and out (hardened against guessing and floods: client/http/login.ts),
 * who is logged in (`/api/me`), the vocabulary the dashboard shows (`/api/meta`), and whether this
 * is a practice year (`/api/mode`, public like the login page, so the banner is there before
 * anyone logs in).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CHECKLIST } from '../../../workflows/shared/checklist';
import { FindingResult, RUNG_LABEL, STAGE_LABEL } from '../../../workflows/shared/labels';
import { ItemStatus } from '../../../workflows/contracts/visit-rectification';
import type { UserRecord } from '../../users';
import { userOf } from '../access';
import { ALL, LoginBody, LoginResponse, MeResponse, MetaResponse, ModeResponse, OkResponse } from '../api-schemas';
import { clearSession, isStaff, sessionIdOf, setSession } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { accountLocked, DEFAULT_LOGIN_LIMITS, Gate, loginBusy, publicUser, tooManyFromAddress } from '../login';
import { modeStatus } from '../practice';
import { LoginThrottle, type ThrottleStore } from '../throttle';
import { PgLoginThrottle } from '../throttle-pg';

export const sessionRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { users, sessions, secure } = ctx;
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...ctx.config.login };
  // Only the login route is limited; every other route needs a session or token already.
  await app.register(rateLimit, { global: false });
  // Counted across every dashboard process when they share a database; else in this one.
  const db = ctx.deps.database;
  const throttle: ThrottleStore = db ? new PgLoginThrottle(db, limits) : new LoginThrottle(limits);
  // Hashes weaker than the current scrypt cost are upgraded at login into the users file.
  const watcher = ctx.usersFile;
  if (watcher?.canUpgradeHashes)
    users.setHashStore((id, oldHash, newHash) => watcher.upgradeHash(id, oldHash, newHash));
  users.onRehash((user, oldHash) => {
    void Promise.resolve(sessions.carryOver(user, oldHash)).catch((err: unknown) =>
      app.log.error({ err }, '会话随密码升级失败'),
    );
  });
  const gate = new Gate(limits.concurrency, limits.concurrency * 8);

  /** Refuses with 429 while this account's failures from this address still make it wait. */
  const checkPair = async (id: string, request: FastifyRequest, reply: FastifyReply) => {
    const seconds = await throttle.waitSeconds(id, request.ip);
    if (seconds > 0) {
      reply.header('Retry-After', String(seconds));
      throw accountLocked(seconds);
    }
  };

  app.post(
    '/api/login',
    {
      schema: { body: LoginBody, response: { 200: LoginResponse } },
      config: {
        roles: 'public',
        rateLimit: {
          max: limits.maxPerAddress,
          timeWindow: limits.windowSeconds * 1000,
          // The plugin has set Retry-After already; the answer takes the API's one error shape.
          errorResponseBuilder: (_request, context) => tooManyFromAddress(context.ttl / 1000),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      await checkPair(body.id, request, reply);
      const turn = gate.acquire();
      if (!turn) {
        reply.header('Retry-After', '1');
        throw loginBusy();
      }
      const release = await turn;
      let user: UserRecord | undefined;
      try {
        // Checked again at our turn: attempts that waited in the queue behind failures count too.
        await checkPair(body.id, request, reply);
        user = await users.login(body.id, body.password);
        if (user) await throttle.succeeded(body.id, request.ip);
        else await throttle.failed(body.id, request.ip);
      } finally {
        release();
      }
      if (!user) throw new HttpError(401, 'Unauthorized', '用户名或密码不正确');
      setSession(reply, await sessions.create(user), secure);
      return { user: publicUser(user) };
    },
  );

  // Sessions live in the server's table (sessions.ts): logout ends the session, not just the cookie.
  app.post(
    '/api/logout',
    { schema: { response: { 200: OkResponse } }, config: { roles: ALL } },
    async (request, reply) => {
      const id = sessionIdOf(request);
      if (id) await sessions.revoke(id);
      clearSession(reply, secure);
      return { ok: true as const };
    },
  );

  app.get('/api/me', { schema: { response: { 200: MeResponse } }, config: { roles: ALL } }, async (request) => {
    const user = userOf(request);
    return {
      user: publicUser(user),
      bureau: ctx.bureau,
      year: ctx.config.year,
      refreshSeconds: ctx.config.refreshSeconds ?? 12,
      maxUploadMb: ctx.maxUploadMb,
      temporalUi: isStaff(user) ? ctx.temporalUi : undefined,
    };
  });

  /** The vocabulary the dashboard needs (checklist, stages, rungs, finding results, item statuses), from the shared modules. */
  app.get('/api/meta', { schema: { response: { 200: MetaResponse } }, config: { roles: ALL } }, async () => ({
    checklist: CHECKLIST.map((s) => ({ title: s.title, items: s.items.map((i) => ({ key: i.key, label: i.title })) })),
    stages: STAGE_LABEL,
    rungs: RUNG_LABEL,
    itemStatuses: ItemStatus.options,
    findingResults: FindingResult.options,
  }));

  // Practice mode or not (演练模式): shown on the login page too.
  app.get('/api/mode', { schema: { response: { 200: ModeResponse } }, config: { roles: 'public' } }, async () =>
    modeStatus(ctx.config.practice),
  );
};
