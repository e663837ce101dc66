/**
 * Who is calling: a session cookie (after POST /api/login) or an API token
 * (`Authorization: Bearer …`), both resolved to a user of the users file on every request, so
 * a user removed from the file loses access at once. The cookie is signed and carries only a
 * session id; the server's session table (sessions.ts) says whose it is and can end it. Plus the
 * county scope of a case (the roles are checked by access.ts from each route's options).
 */
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRecord, Users } from '../users';
import { forbidden, unauthorized } from './errors';
import { SESSION_TTL_MS, type SessionTable } from './sessions';

export const SESSION_COOKIE = 'guidance_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, set by the hook of access.ts for every route that is not public. */
    user: UserRecord | null;
  }
}

/** Sets the signed session cookie: HttpOnly, SameSite=Strict, path /, Secure when configured. */
export function setSession(reply: FastifyReply, sessionId: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function clearSession(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}

/** The session id of the request's cookie, if the signature holds. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

/** The caller, or 401. */
export async function authenticate(request: FastifyRequest, users: Users, sessions: SessionTable): Promise<UserRecord> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_-]{16,200})$/.exec(header);
    const user = m ? users.byToken(m[1]!) : undefined;
    if (!user) throw unauthorized();
    return user;
  }
  const id = sessionIdOf(request);
  const user = id ? await sessions.resolve(id, users) : undefined;
  if (!user) throw unauthorized();
  return user;
}

/** 403 when a county user asks for another county's case. */
export function requireCounty(user: UserRecord, county: string): void {
  if (user.role === 'county' && user.county !== county) throw forbidden('只能查看和办理本县区的案件');
}

/** True for the city's own staff (管理员、执法指导人员、分管局领导). */
export function isStaff(user: UserRecord): boolean {
  return user.role !== 'county';
}
