/**
 * Who is calling: a signed session cookie (after POST /api/login) or an API token
 * (`Authorization: Bearer …`), both resolved to a user of the users file on every request, so
 * a user removed from the file loses access at once. Plus the two checks every route makes:
 * role, and county scope.
 */
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../workflows/shared/definitions';
import type { UserRecord, Users } from '../users';
import { forbidden, unauthorized } from './errors';

export const SESSION_COOKIE = 'guidance_session';
/** A session lasts one working day. */
export const SESSION_TTL_MS = 12 * 3_600_000;

interface SessionPayload {
  u: string;
  exp: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, set by `authenticate` for every /api route but login. */
    user: UserRecord | null;
  }
}

/** Sets the signed session cookie: HttpOnly, SameSite=Strict, path /, Secure when configured. */
export function setSession(reply: FastifyReply, user: UserRecord, secure: boolean): void {
  const payload: SessionPayload = { u: user.id, exp: Date.now() + SESSION_TTL_MS };
  reply.setCookie(SESSION_COOKIE, Buffer.from(JSON.stringify(payload)).toString('base64url'), {
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

function fromCookie(request: FastifyRequest, users: Users): UserRecord | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8')) as SessionPayload;
    if (typeof payload.u !== 'string' || typeof payload.exp !== 'number' || payload.exp < Date.now()) return undefined;
    return users.get(payload.u);
  } catch {
    return undefined;
  }
}

/** The caller, or 401. */
export function authenticate(request: FastifyRequest, users: Users): UserRecord {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_-]{16,200})$/.exec(header);
    const user = m ? users.byToken(m[1]!) : undefined;
    if (!user) throw unauthorized();
    return user;
  }
  const user = fromCookie(request, users);
  if (!user) throw unauthorized();
  return user;
}

/** 403 unless the user has one of the roles. */
export function requireRole(user: UserRecord, ...roles: Role[]): void {
  if (!roles.includes(user.role)) throw forbidden('您的角色无权进行此操作');
}

/** 403 when a county user asks for another county's case. */
export function requireCounty(user: UserRecord, county: string): void {
  if (user.role === 'county' && user.county !== county) throw forbidden('只能查看和办理本县区的案件');
}

/** True for the city's own staff (管理员、执法指导人员、分管局领导). */
export function isStaff(user: UserRecord): boolean {
  return user.role !== 'county';
}
