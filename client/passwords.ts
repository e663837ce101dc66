/**
 * Password and token hashes for the users file (client/users.ts): scrypt at OWASP's current cost for
 * passwords (`scrypt$N$r$p$salt$hash`), sha256 for API tokens (`sha256$hex`: a token is 32 random
 * bytes, so a slow hash adds nothing).
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { EXIT, UserError } from './programme';

/** scrypt's cost parameters. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1 (128 MiB per check, ~0.2 s here). */
export const SCRYPT_COST: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const KEYLEN = 32;
export const PASSWORD_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;
export const TOKEN_HASH = /^sha256\$[0-9a-f]{64}$/;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** scrypt needs 128·N·r bytes (Node refuses above `maxmem`, 32 MiB by default: too little for N=2^17). */
const scryptOpts = (N: number, r: number, p: number): ScryptOptions => ({
  N,
  r,
  p,
  maxmem: 128 * N * r * p + 16 * 1024 * 1024,
});

/**
 * `scrypt$N$r$p$salt$hash` of a password, with a fresh 16-byte salt. `cost` is for tests only
 * (a cheaper hash keeps them fast); everything else hashes at SCRYPT_COST.
 */
export async function hashPassword(password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> {
  if (password.length < 8) throw new UserError('密码至少 8 个字符', EXIT.badInput);
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, scryptOpts(cost.N, cost.r, cost.p));
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when a stored hash's parameters are below `cost` in any of N, r, p (so it is hashed again at the next login). */
export function isWeakerHash(stored: string, cost: ScryptCost = SCRYPT_COST): boolean {
  const m = PASSWORD_HASH.exec(stored);
  if (!m) return false;
  return Number(m[1]) < cost.N || Number(m[2]) < cost.r || Number(m[3]) < cost.p;
}

/** True when the password matches the stored hash (constant-time comparison). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PASSWORD_HASH.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // A hand-edited file must not make every login allocate gigabytes.
  if (N > 2 ** 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64'), expected.length, scryptOpts(N, r, p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** `sha256$hex` of an API token. */
export function hashToken(token: string): string {
  return `sha256$${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** A new random API token (43 base64url characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
