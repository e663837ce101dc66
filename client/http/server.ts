/**
 * The HTTP API and web dashboard (Fastify), composed here: security headers, the dashboard's
 * static files, the session table and the users file's watcher, and one plugin per resource
 * (client/http/routes/*.ts), in the shape of fastify's own demo app. Every route declares its
 * params, body and answer with zod schemas (api-schemas.ts, through fastify-type-provider-zod, so
 * bad input is refused in Chinese before its handler runs) and who may call it (`config.roles`,
 * enforced by the one hook of access.ts). The handlers call the same operations as the CLI
 * (client/programme.ts, client/visit.ts), so the workflows' validators have the last word.
 * Downloads are found through the workflow state, never from a path in the request. A closed or
 * cancelled case that Temporal no longer keeps (namespace retention) is read from its archive.
 */
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { TrustProxy } from '../../config/env';
import { collectRoutes, guardRoutes, type ApiRoute } from './access';
import { apiContext, type HttpDeps } from './context';
import { errorHandler } from './errors';
import { boardRoutes } from './routes/board';
import { calendarRoutes } from './routes/calendar';
import { casesRoutes } from './routes/cases';
import { filesRoutes, MAX_REPORT_FILES } from './routes/files';
import { inboxRoutes } from './routes/inbox';
import { numbersRoutes } from './routes/numbers';
import { programmeRoutes } from './routes/programme';
import { receiptsRoutes } from './routes/receipts';
import { sessionRoutes } from './routes/session';
import { usersRoutes } from './routes/users';
import { SessionStore, type SessionTable } from './sessions';
import { PgSessionStore } from './sessions-pg';
import { UsersFileWatcher } from './users-file';

export type { HttpConfig, HttpDeps } from './context';

/** The one Content-Security-Policy of every answer: nothing but the dashboard's own files. */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** A hop count as the function fastify itself makes of one (its types take no number). */
function fastifyTrustProxy(
  t: TrustProxy | undefined,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_address, hop) => hop < t;
  return t ?? false;
}

/** Builds the Fastify app (not listening). */
export async function createServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { config, users } = deps;
  const app = Fastify({
    logger: { level: config.logLevel ?? 'warn' },
    // JSON bodies are small; files go through multipart with their own limit.
    bodyLimit: 256 * 1024,
    trustProxy: fastifyTrustProxy(config.trustProxy),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // A user removed from the users file or given a new password loses their sessions at once.
  // Shared by every dashboard process when there is a database; else this process's own table.
  const sessions: SessionTable = deps.database ? new PgSessionStore(deps.database) : new SessionStore();
  const stopRevoking = users.onChange(() => {
    void Promise.resolve(sessions.revokeStale(users)).catch((err: unknown) =>
      app.log.error({ err }, '清除失效会话失败'),
    );
  });
  const usersFile = deps.usersFile
    ? new UsersFileWatcher({
        file: deps.usersFile.path,
        users,
        counties: deps.usersFile.counties,
        host: deps.usersFile.host,
        log: app.log,
      }).watch()
    : undefined;
  app.addHook('onClose', async () => {
    stopRevoking();
    usersFile?.close();
  });
  const ctx = apiContext(deps, sessions, usersFile);

  app.setErrorHandler(errorHandler(ctx.maxUploadMb));
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send({ error: { type: 'NotFound', message: '没有找到' } }),
  );
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Content-Security-Policy', CSP);
    // Answers of the API are the caller's own: never kept by a browser or a proxy.
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  await app.register(cookie, { secret: config.sessionSecret ?? randomBytes(32).toString('hex') });
  await app.register(multipart, {
    limits: {
      fileSize: ctx.maxUploadBytes,
      files: MAX_REPORT_FILES,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: 40,
      headerPairs: 100,
    },
    throwFileSizeLimit: true,
  });
  await app.register(fastifyStatic, {
    root: path.join(__dirname, 'public'),
    prefix: '/',
    index: ['index.html'],
    dotfiles: 'deny',
    cacheControl: false,
  });

  // The route table with each route's roles, as Fastify registers them (test/parity.test.ts).
  const table: ApiRoute[] = [];
  app.decorate('apiRoutes', table);
  collectRoutes(app, table);
  app.decorateRequest('user', null);

  // The API: every route in this scope declares its roles, and one hook enforces them.
  await app.register(async (api) => {
    guardRoutes(api, { users, sessions });
    // A person's action on a case (any request but a read under a case's path): the next read of
    // that case waits for a current answer, never the one from before (client/case-reads.ts).
    api.addHook('onSend', async (request, _reply, payload) => {
      const p = request.params as { year?: unknown; county?: unknown } | undefined;
      if (request.method !== 'GET' && typeof p?.county === 'string' && p.year !== undefined)
        ctx.caseChanged({ year: Number(p.year), bureau: ctx.bureau, county: p.county });
      return payload;
    });
    const typed = api.withTypeProvider<ZodTypeProvider>();
    for (const resource of [
      sessionRoutes,
      usersRoutes,
      boardRoutes,
      casesRoutes,
      filesRoutes,
      programmeRoutes,
      numbersRoutes,
      inboxRoutes,
      receiptsRoutes,
      calendarRoutes,
    ])
      await typed.register(resource, ctx);
  });
  return app;
}

/** Builds the app and listens (127.0.0.1 unless told otherwise); `url` is where it answers. */
export async function startHttpServer(
  deps: HttpDeps,
  listen: { host?: string; port?: number } = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createServer(deps);
  const host = listen.host ?? '127.0.0.1';
  await app.listen({ host, port: listen.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
