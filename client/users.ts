/**
 * Users of the HTTP API and dashboard (用户与角色): a YAML file (`GUIDANCE_USERS`, default
 * `examples/users.yaml`) validated once at start. Passwords are stored only as scrypt hashes
 * (`scrypt$N$r$p$salt$hash`, base64), API tokens only as sha256 (`sha256$hex`: a token is 32
 * random bytes, so a slow hash adds nothing). `guidance users hash-password` makes the hashes.
 *
 * The cost is OWASP's current scrypt recommendation (N=2^17, r=8, p=1). A stored hash with weaker
 * parameters still logs in, and that successful login is the one moment the password is known:
 * it is hashed again at the current cost and handed to the hash store (the server's users file,
 * client/http/users-file.ts), which writes it in place of the old one.
 */
import type { Command } from 'commander';
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { Role, ROLE_LABEL, type Actor } from '../workflows/contracts/common';
import { config } from '../config/env';
import { formatIssues } from '../workflows/shared/plan';
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
const PASSWORD_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;
const TOKEN_HASH = /^sha256\$[0-9a-f]{64}$/;

const UserSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, '用户名只能包含小写字母、数字、点、下划线和连字符'),
    name: z.string().trim().min(1).max(50).optional(),
    role: Role,
    /** County code, for role `county` only: the one county this user sees and acts for. */
    county: z.string().min(1).optional(),
    password: z
      .string()
      .regex(PASSWORD_HASH, '密码必须是 scrypt 散列（用 guidance users hash-password 生成），不能写明文')
      .optional(),
    tokens: z
      .array(
        z
          .string()
          .regex(TOKEN_HASH, '令牌必须是 sha256$<64 位十六进制>（用 guidance users hash-password --token 生成）'),
      )
      .default([]),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.role === 'county' && !u.county)
      ctx.addIssue({ code: 'custom', path: ['county'], message: '县区用户必须绑定一个县区代码（county）' });
    if (u.role !== 'county' && u.county)
      ctx.addIssue({ code: 'custom', path: ['county'], message: '只有县区用户可以绑定县区' });
    if (!u.password && u.tokens.length === 0)
      ctx.addIssue({ code: 'custom', path: ['password'], message: '必须设置密码或令牌' });
  });
export type UserRecord = z.infer<typeof UserSchema>;

const UsersFileSchema = z
  .object({ users: z.array(UserSchema).min(1, '至少要有一个用户') })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.users.forEach((u, i) => {
      if (seen.has(u.id)) ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message: `用户名重复：${u.id}` });
      seen.add(u.id);
    });
  });

/** A users file that cannot be used; one line per fault. */
export class UsersError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`用户文件 ${file} 有 ${problems.length} 处错误：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

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

/** Writes a user's upgraded hash in place of the old one; false when it could not (the login still succeeds). */
export type HashStore = (id: string, oldHash: string, newHash: string) => Promise<boolean>;

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

/**
 * The user directory the HTTP API authenticates against. The server keeps one instance for its
 * lifetime; a reloaded users file is swapped in with `replace`, so every holder sees the new users.
 */
export class Users {
  private byId: Map<string, UserRecord>;
  private byTokenHash = new Map<string, UserRecord>();
  private listeners: (() => void)[] = [];
  private rehashListeners: ((user: UserRecord, oldHash: string) => void)[] = [];
  private hashStore: HashStore | undefined;
  private readonly upgrading = new Set<string>();
  /** Compared against when the user does not exist, so a wrong name takes as long as a wrong password; made on first need. */
  private dummy: Promise<string> | undefined;
  /** The cost new and upgraded hashes get (SCRYPT_COST; tests pass a cheaper one). */
  readonly cost: ScryptCost;

  constructor(
    private current: UserRecord[],
    opts: { cost?: ScryptCost } = {},
  ) {
    this.byId = new Map(current.map((u) => [u.id, u]));
    for (const u of current) for (const t of u.tokens) this.byTokenHash.set(t, u);
    this.cost = opts.cost ?? SCRYPT_COST;
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomBytes(12).toString('hex'), this.cost);
    return this.dummy;
  }

  /** Where upgraded hashes are written (the server's users file); without one, weaker hashes stay as they are. */
  setHashStore(store: HashStore | undefined): void {
    this.hashStore = store;
  }

  /** Calls `listener` after a user's hash was upgraded (in the store and here), with the old hash. */
  onRehash(listener: (user: UserRecord, oldHash: string) => void): () => void {
    this.rehashListeners.push(listener);
    return () => {
      this.rehashListeners = this.rehashListeners.filter((l) => l !== listener);
    };
  }

  get records(): readonly UserRecord[] {
    return this.current;
  }

  /** Takes over another directory's users (a reloaded file) and tells the listeners. */
  replace(next: Users): void {
    this.current = next.current;
    this.byId = next.byId;
    this.byTokenHash = next.byTokenHash;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after every `replace`; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  get(id: string): UserRecord | undefined {
    return this.byId.get(id);
  }

  /** The user with this id and password, or undefined. A hash weaker than `cost` is upgraded on the way. */
  async login(id: string, password: string): Promise<UserRecord | undefined> {
    const user = this.byId.get(id);
    const ok = await verifyPassword(password, user?.password ?? (await this.dummyHash()));
    if (!ok || !user?.password) return undefined;
    if (this.hashStore && isWeakerHash(user.password, this.cost)) await this.upgrade(user, password, this.hashStore);
    return user;
  }

  /** Hashes the password again at the current cost; once the store has it, the record here takes it too. */
  private async upgrade(user: UserRecord, password: string, store: HashStore): Promise<void> {
    if (this.upgrading.has(user.id)) return;
    this.upgrading.add(user.id);
    try {
      const oldHash = user.password!;
      const newHash = await hashPassword(password, this.cost);
      // The file may have been reloaded meanwhile (a new password): then this upgrade is moot.
      if (this.byId.get(user.id) !== user || user.password !== oldHash) return;
      if (!(await store(user.id, oldHash, newHash))) return;
      user.password = newHash;
      for (const listener of this.rehashListeners) listener(user, oldHash);
    } finally {
      this.upgrading.delete(user.id);
    }
  }

  /** The user holding this API token, or undefined. */
  byToken(token: string): UserRecord | undefined {
    const user = this.byTokenHash.get(hashToken(token));
    return user;
  }

  /** County codes the users are bound to that the plan does not know. */
  unknownCounties(countyCodes: readonly string[]): string[] {
    return this.records.filter((u) => u.county && !countyCodes.includes(u.county)).map((u) => `${u.id}：${u.county}`);
  }
}

/** The actor a user acts as in every Update. */
export function actorOf(user: UserRecord): Actor {
  return user.role === 'county'
    ? { id: user.id, role: 'county', county: user.county }
    : { id: user.id, role: user.role };
}

/** Parses and validates users YAML. */
export function parseUsers(text: string, file = '(users)', opts: { cost?: ScryptCost } = {}): Users {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new UsersError(
      file,
      doc.errors.map((e) => `${e.linePos?.[0] ? `第 ${e.linePos[0].line} 行` : 'YAML'}: YAML 语法错误（${e.code}）`),
    );
  }
  const parsed = UsersFileSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new UsersError(file, formatIssues(parsed.error));
  return new Users(parsed.data.users, opts);
}

/** Reads the users file (`GUIDANCE_USERS`, default examples/users.yaml); `counties` checks the bound county codes. */
export function loadUsers(
  file = config().usersFile,
  counties?: readonly string[],
  opts: { cost?: ScryptCost } = {},
): Users {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsersError(file, [code === 'ENOENT' ? '文件不存在' : `无法读取（${code ?? String(err)}）`]);
  }
  const users = parseUsers(text, file, opts);
  const unknown = counties ? users.unknownCounties(counties) : [];
  if (unknown.length)
    throw new UsersError(
      file,
      unknown.map((u) => `县区代码不在计划中：${u}`),
    );
  return users;
}

/** Reads one line from stdin; on a terminal the typed characters are not echoed. */
async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new UserError('已取消', EXIT.refused));
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    stdin.on('data', onData);
  });
}

/** `guidance users hash-password [--token]` and `guidance users check [FILE]`. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('HTTP 接口与看板的用户（用户文件 GUIDANCE_USERS）');
  users
    .command('hash-password')
    .description('生成密码的 scrypt 散列（从标准输入读取密码），或用 --token 生成新的接口令牌及其散列')
    .option('--token', '生成随机接口令牌：令牌只显示一次，散列写入用户文件 tokens')
    .action(async (opts: { token?: boolean }) => {
      if (opts.token) {
        const token = newToken();
        process.stdout.write(
          `令牌（只显示这一次，请交给使用者）：${token}\n写入用户文件 tokens：${hashToken(token)}\n`,
        );
        return;
      }
      const password = await readSecret('密码：');
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
  users
    .command('check')
    .description('检查用户文件')
    .argument('[file]', '用户文件', config().usersFile)
    .action((file: string) => {
      let list: Users;
      try {
        list = loadUsers(file);
      } catch (err) {
        if (err instanceof UsersError) throw new UserError(err.message, EXIT.badInput, 'InvalidInput');
        throw err;
      }
      for (const u of list.records) {
        process.stdout.write(
          `${u.id}\t${ROLE_LABEL[u.role]}${u.county ? `（${u.county}）` : ''}\t${u.password ? '密码' : ''}${u.tokens.length ? ` 令牌×${u.tokens.length}` : ''}\n`,
        );
      }
    });
}
