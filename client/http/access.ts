/**
 * Who may call which route. Each route of the API says it in its own options
 * (`config: { roles: ADMIN }`, or `roles: 'public'` for the few that need no login: the login
 * itself, the practice banner, the emailed receipt link), and the one onRequest hook below
 * enforces it, so no URL is matched to decide anything. A route that does not say is refused when it
 * is registered. The hook runs before the body is read or validated: a caller without a session
 * gets 401 and a role not listed 403 whatever it sent. The county scope (a county user sees its own
 * case only) needs the validated county of the path: the case routes check it (`caseRef`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserRecord, Users } from '../users';
import type { RouteRoles } from './api-schemas';
import { authenticate } from './auth';
import { forbidden, unauthorized } from './errors';
import type { SessionTable } from './sessions';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (client/http/access.ts). */
    roles?: RouteRoles;
    /**
     * How a refused body's issues are written (errors.ts): `path: message` as the plan's checks
     * write them (default), or `path：message` (full-width colon, no 「(根)」) as the receipt and
     * calendar routes have always answered.
     */
    issues?: 'full-width';
  }
  interface FastifyInstance {
    /** Every route with its declared roles, in the order registered (`collectRoutes`). */
    apiRoutes: ApiRoute[];
  }
}

/** A route of the API as the route table has it: method, URL pattern and declared roles. */
export interface ApiRoute {
  method: string;
  url: string;
  roles: RouteRoles;
}

/**
 * A request from another site's page is refused, even before SameSite=Strict would keep the
 * cookie from it; reads (GET, HEAD) change nothing and are let through.
 */
function refuseCrossSite(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== request.headers.host) throw forbidden('跨站请求被拒绝');
}

function declared(roles: RouteRoles | undefined): roles is RouteRoles {
  return roles === 'public' || (Array.isArray(roles) && roles.length > 0);
}

/**
 * Guards every route registered in `scope` (and in the plugins it registers after this call):
 * a route must declare its roles; each request is checked against them. A request to a route with
 * a body schema and no body (or `null`) gets `{}`: an empty POST reads as an empty form, as before.
 */
export function guardRoutes(scope: FastifyInstance, deps: { users: Users; sessions: SessionTable }): void {
  scope.addHook('onRoute', (route) => {
    if (!declared(route.config?.roles)) {
      const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(
        `${method} ${route.url}: declare who may call it in the route's options (config.roles: [...] or 'public')`,
      );
    }
  });
  scope.addHook('onRequest', async (request) => {
    refuseCrossSite(request);
    const roles = request.routeOptions.config.roles;
    if (roles === 'public') return;
    const user = await authenticate(request, deps.users, deps.sessions);
    request.user = user;
    if (!roles?.includes(user.role)) throw forbidden('您的角色无权进行此操作');
  });
  scope.addHook('preValidation', async (request) => {
    if (request.body == null && request.routeOptions.schema?.body) request.body = {};
  });
}

/** Collects the routes of the app, with their declared roles, as Fastify registers them (the parity test reads it). */
export function collectRoutes(app: FastifyInstance, table: ApiRoute[]): void {
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles;
    if (!declared(roles)) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') table.push({ method, url: route.url, roles });
  });
}

/** The caller of a route that declared roles: set by the hook, so absent only on a public route. */
export function userOf(request: FastifyRequest): UserRecord {
  if (!request.user) throw unauthorized();
  return request.user;
}
