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
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { Role, type Actor } from '../workflows/contracts/common';
import { config } from '../config/env';
import { formatIssues } from '../workflows/shared/plan';
import { randomBytes } from 'node:crypto';
import {
  hashPassword,
  hashToken,
  isWeakerHash,
  PASSWORD_HASH,
  SCRYPT_COST,
  TOKEN_HASH,
  verifyPassword,
  type ScryptCost,
} from './passwords';

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

/** Writes a user's upgraded hash in place of the old one; false when it could not (the login still succeeds). */
export type HashStore = (id: string, oldHash: string, newHash: string) => Promise<boolean>;

/** A users file that cannot be used; one line per fault. */
export class UsersError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`用户文件 ${file} 有 ${problems.length} 处错误：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
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
