/**
 * The engine's environment (环境变量), read in one place: one zod schema for every variable the
 * worker, the CLI and the HTTP server read, parsed once into a typed, frozen object. A bad value
 * fails at start with the variable's name, not when the first letter falls due.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | TEMPORAL_ADDRESS | an external cluster (its TEMPORAL_* settings are read by @temporalio/envconfig, see config/temporal.ts) | the embedded dev server |
 * | GUIDANCE_TEMPORAL_PORT / GUIDANCE_UI_PORT | ports of the embedded dev server and its Web UI | 7233 / 8233 |
 * | GUIDANCE_RETENTION_DAYS | days the embedded dev server keeps a closed workflow (namespace retention; an external cluster's is set by its operators) | 400 |
 * | GUIDANCE_TASK_QUEUE | the task queue | `guidance` |
 * | GUIDANCE_NUMBERING_QUEUE | `own`: the numbering workflows on `<task queue>-numbers`, polled by a worker of their own | `shared` |
 * | GUIDANCE_DATA_DIR | archive, evidence, the dev server's database | `data` |
 * | GUIDANCE_PLAN | the plan file the CLI and `npm start` use | `examples/plan.yaml` |
 * | GUIDANCE_WORKFLOW_BUNDLE | a prebuilt workflow bundle for production workers | built at start |
 * | GUIDANCE_USERS | users of the dashboard and the HTTP API | `examples/users.yaml` |
 * | GUIDANCE_FONT_DIR | where the Fandol fonts are, on hosts without the Debian package | kpsewhich |
 * | GUIDANCE_ACTOR (then USER) | who the CLI acts as | `operator` |
 * | GUIDANCE_HTTP_HOST / GUIDANCE_HTTP_PORT | where the dashboard listens | 127.0.0.1 / 8080 |
 * | GUIDANCE_SESSION_SECRET | cookie signing key, at least 32 characters | a random one per start |
 * | GUIDANCE_HTTP_SECURE_COOKIES | `1`/`true` behind HTTPS | off |
 * | GUIDANCE_HTTP_TRUST_PROXY | reverse proxies whose X-Forwarded-For is believed: `off`, `true` (any), a number of hops, or addresses/CIDRs separated by commas | off |
 * | GUIDANCE_LOGIN_MAX_FAILURES | wrong passwords for one account from one client address before each further attempt from there waits (1 s, doubling) | 5 |
 * | GUIDANCE_LOGIN_MAX_DELAY_SECONDS | the longest of those waits | 900 |
 * | GUIDANCE_LOGIN_MAX_PER_ADDRESS | login attempts from one client address within the window | 60 |
 * | GUIDANCE_LOGIN_WINDOW_SECONDS | the window of the per-address limit; an account's failures from an address are forgotten after as long without one | 900 |
 * | GUIDANCE_LOGIN_CONCURRENCY | password checks (scrypt) at once; a few more wait, the rest are refused | 2 |
 * | GUIDANCE_CASE_READ_BUDGET_MS | how long a case page waits for its query before it shows the case's last answer, marked with its time (client/case-reads.ts) | 800 |
 * | GUIDANCE_PUBLIC_URL | the dashboard's address as counties reach it, for the receipt links in emails | `http://<GUIDANCE_HTTP_HOST>:<GUIDANCE_HTTP_PORT>` |
 * | GUIDANCE_RECEIPT_SECRET | key that signs receipt links, at least 32 characters; the same on every worker and dashboard | a key made once in the storage (data directory or bucket) |
 * | GUIDANCE_OUTBOX_DIR | `.eml` files when a plan names no SMTP server | `outbox` |
 * | GUIDANCE_SENT_LOG_DIR | the mail activity's durable sent-log | `data/mail-sent-log` |
 * | GUIDANCE_DATABASE_URL | PostgreSQL (`postgres://user:password@host:port/db`) shared by every worker and dashboard: the sent-log, sessions and login throttling (config/database.ts); the same on every host | unset: the sent-log directory and each dashboard's memory |
 * | GUIDANCE_WORKER_CACHED_WORKFLOWS | workflows a worker keeps in memory between tasks (docs/performance.md) | 200 |
 * | GUIDANCE_WORKER_ACTIVITIES | activities a worker runs at once | 32 |
 * | SMTP_HOST / SMTP_PORT / SMTP_SECURITY / SMTP_USER | a worker-wide operator override of every plan's `smtp` block | the plan's |
 * | SMTP_TLS_CA_FILE | PEM file of a private CA the SMTP server's certificate chains to | system CAs |
 * | (the plan's `smtp.passwordEnv`, e.g. SMTP_PASSWORD) | the SMTP password; read by name through `secret()` | — |
 * | GUIDANCE_STORAGE | where shared files are kept: `local` (GUIDANCE_DATA_DIR) or `s3` (activities/storage) | `local` |
 * | GUIDANCE_S3_ENDPOINT | an S3-compatible server's address (path-style requests) | AWS S3 |
 * | GUIDANCE_S3_REGION / GUIDANCE_S3_BUCKET | the bucket's region; the bucket (required with `s3`) | `us-east-1` / — |
 * | GUIDANCE_S3_ACCESS_KEY_ID (+ GUIDANCE_S3_SECRET_ACCESS_KEY, read by name through `secret()`) | the bucket's credentials | the AWS SDK's default chain |
 *
 * An empty variable counts as unset, the way shells and .env files usually mean it. Relative
 * directories resolve against the working directory at load; file names stay as given (messages
 * show them the way the operator typed them).
 */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../workflows/contracts/common';
import { redactDatabaseUrl } from './database';
import { port, text, trustProxy, whole, type TrustProxy } from './env-fields';

export type { TrustProxy };

/** Every variable the engine reads (the Temporal connection's own TEMPORAL_* aside). */
export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: text('TEMPORAL_ADDRESS').optional(),
  GUIDANCE_TASK_QUEUE: text('GUIDANCE_TASK_QUEUE').default(DEFAULT_TASK_QUEUE),
  GUIDANCE_NUMBERING_QUEUE: z
    .enum(['shared', 'own'], { error: 'GUIDANCE_NUMBERING_QUEUE 应为 shared 或 own' })
    .default('shared'),
  GUIDANCE_DATA_DIR: text('GUIDANCE_DATA_DIR').default('data'),
  GUIDANCE_TEMPORAL_PORT: port('GUIDANCE_TEMPORAL_PORT').default(7233),
  GUIDANCE_UI_PORT: port('GUIDANCE_UI_PORT').default(8233),
  // A year's programme and the next year's first months (assessment, re-inspection). 36500: the
  // server (1.29, the CLI's dev server) cuts any longer retention to 100 years without a word.
  GUIDANCE_RETENTION_DAYS: z.coerce
    .number({ error: 'GUIDANCE_RETENTION_DAYS 应为天数（整数 1–36500）' })
    .int('GUIDANCE_RETENTION_DAYS 应为天数（整数 1–36500）')
    .min(1, 'GUIDANCE_RETENTION_DAYS 应为天数（整数 1–36500）')
    .max(36500, 'GUIDANCE_RETENTION_DAYS 应为天数（整数 1–36500）')
    .default(400),
  GUIDANCE_PLAN: text('GUIDANCE_PLAN').default('examples/plan.yaml'),
  GUIDANCE_WORKFLOW_BUNDLE: text('GUIDANCE_WORKFLOW_BUNDLE').optional(),
  GUIDANCE_USERS: text('GUIDANCE_USERS').default('examples/users.yaml'),
  GUIDANCE_FONT_DIR: text('GUIDANCE_FONT_DIR').optional(),
  GUIDANCE_ACTOR: text('GUIDANCE_ACTOR').optional(),
  USER: z.string().trim().optional(),
  GUIDANCE_HTTP_HOST: text('GUIDANCE_HTTP_HOST').default('127.0.0.1'),
  // 0 = any free port (tests).
  GUIDANCE_HTTP_PORT: port('GUIDANCE_HTTP_PORT', 0).default(8080),
  GUIDANCE_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'GUIDANCE_PUBLIC_URL 应为 http(s):// 开头的网址' })
    .optional(),
  GUIDANCE_RECEIPT_SECRET: z.string().min(32, 'GUIDANCE_RECEIPT_SECRET 至少需要 32 个字符').optional(),
  GUIDANCE_SESSION_SECRET: z.string().min(32, 'GUIDANCE_SESSION_SECRET 至少需要 32 个字符').optional(),
  GUIDANCE_HTTP_SECURE_COOKIES: z
    .enum(['0', '1', 'true', 'false'], { error: 'GUIDANCE_HTTP_SECURE_COOKIES 只能是 0、1、true 或 false' })
    .optional(),
  GUIDANCE_HTTP_TRUST_PROXY: trustProxy.optional(),
  GUIDANCE_LOGIN_MAX_FAILURES: whole('GUIDANCE_LOGIN_MAX_FAILURES', '次数', 1, 1000).default(5),
  GUIDANCE_LOGIN_MAX_DELAY_SECONDS: whole('GUIDANCE_LOGIN_MAX_DELAY_SECONDS', '秒数', 1, 86400).default(900),
  GUIDANCE_LOGIN_MAX_PER_ADDRESS: whole('GUIDANCE_LOGIN_MAX_PER_ADDRESS', '次数', 1, 100000).default(60),
  GUIDANCE_LOGIN_WINDOW_SECONDS: whole('GUIDANCE_LOGIN_WINDOW_SECONDS', '秒数', 1, 86400).default(900),
  // The libuv threadpool has 4 threads and also serves file reads: more scrypt at once starves them.
  GUIDANCE_LOGIN_CONCURRENCY: whole('GUIDANCE_LOGIN_CONCURRENCY', '并发数', 1, 64).default(2),
  GUIDANCE_CASE_READ_BUDGET_MS: whole('GUIDANCE_CASE_READ_BUDGET_MS', '毫秒数', 0, 600_000).default(800),
  GUIDANCE_OUTBOX_DIR: text('GUIDANCE_OUTBOX_DIR').default('outbox'),
  GUIDANCE_SENT_LOG_DIR: text('GUIDANCE_SENT_LOG_DIR').default(path.join('data', 'mail-sent-log')),
  // The message never repeats the value: it may hold a password.
  GUIDANCE_DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error: 'GUIDANCE_DATABASE_URL 应为 postgres:// 或 postgresql:// 开头的数据库地址',
    })
    .optional(),
  GUIDANCE_WORKER_CACHED_WORKFLOWS: whole('GUIDANCE_WORKER_CACHED_WORKFLOWS', '工作流数', 2, 100000).default(200),
  GUIDANCE_WORKER_ACTIVITIES: whole('GUIDANCE_WORKER_ACTIVITIES', '活动数', 1, 1000).default(32),
  SMTP_HOST: text('SMTP_HOST').optional(),
  SMTP_PORT: port('SMTP_PORT').optional(),
  SMTP_SECURITY: z
    .enum(['tls', 'starttls', 'none'], { error: 'SMTP_SECURITY 只能是 tls、starttls 或 none' })
    .optional(),
  SMTP_USER: text('SMTP_USER').optional(),
  SMTP_TLS_CA_FILE: text('SMTP_TLS_CA_FILE').optional(),
  GUIDANCE_STORAGE: z.enum(['local', 's3'], { error: 'GUIDANCE_STORAGE 只能是 local 或 s3' }).default('local'),
  GUIDANCE_S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'GUIDANCE_S3_ENDPOINT 应为 http(s):// 开头的网址' })
    .optional(),
  GUIDANCE_S3_REGION: text('GUIDANCE_S3_REGION').default('us-east-1'),
  GUIDANCE_S3_BUCKET: text('GUIDANCE_S3_BUCKET').optional(),
  GUIDANCE_S3_ACCESS_KEY_ID: text('GUIDANCE_S3_ACCESS_KEY_ID').optional(),
});

/** The SMTP fields an operator may override for every plan this worker serves. */
export interface SmtpOverride {
  host?: string;
  port?: number;
  security?: 'tls' | 'starttls' | 'none';
  user?: string;
}

/** Throttling of POST /api/login (client/http/login.ts). */
export interface LoginLimits {
  /** Wrong passwords for one account from one client address before each further attempt from there waits. */
  maxFailures: number;
  /** The longest wait: 1 s after the `maxFailures`-th failure, doubling with each further one, up to this. */
  maxDelaySeconds: number;
  /** Login attempts from one client address within the window. */
  maxPerAddress: number;
  /** The per-address window; an account's failures from an address are forgotten after as long without one. */
  windowSeconds: number;
  /** Password checks running at once. */
  concurrency: number;
}

export interface Config {
  /** TEMPORAL_ADDRESS: set → an external cluster, nothing is started locally. */
  temporalAddress?: string;
  taskQueue: string;
  /** `own`: the numbering workflows have a task queue (and worker) of their own, so a number never waits behind the visits' backlog. */
  numberingQueue: 'shared' | 'own';
  /** Absolute. */
  dataDir: string;
  devServerPort: number;
  uiPort: number;
  /** Days the embedded dev server's namespace keeps a closed workflow before deleting it. */
  retentionDays: number;
  /** The plan file, as given. */
  planFile: string;
  workflowBundle?: string;
  /** Worker sizing: cached workflows and concurrent activities (docs/performance.md says why these). */
  worker: { maxCachedWorkflows: number; maxConcurrentActivities: number };
  usersFile: string;
  fontDir?: string;
  /** Who the CLI acts as when `--by` is not given. */
  actor: string;
  http: {
    host: string;
    port: number;
    sessionSecret?: string;
    secureCookies: boolean;
    trustProxy: TrustProxy;
    login: LoginLimits;
    /** How long a case page waits for its query before it shows the last answer (client/case-reads.ts). */
    caseReadBudgetMs: number;
  };
  /**
   * GUIDANCE_DATABASE_URL: the state every host shares. `url` is not enumerable (it may hold a
   * password), so logging or serialising the configuration shows `redacted` only.
   */
  database?: { readonly url: string; redacted: string };
  /** Receipt links (签收链接): where they point, and the key's secret (else a key file in dataDir). */
  receipts: { publicUrl: string; secret?: string };
  mail: {
    /** Absolute. */
    outboxDir: string;
    /** Absolute. */
    sentLogDir: string;
    /** Absolute, when set. */
    tlsCaFile?: string;
    smtpOverride: SmtpOverride;
  };
  /** Where shared files are kept (activities/storage); the S3 secret key is read by `secret()`, never kept here. */
  storage:
    | { kind: 'local'; dir?: string }
    | { kind: 's3'; bucket: string; region: string; endpoint?: string; accessKeyId?: string };
}

/** A bad environment: one line per variable, `NAME: 说明`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(public readonly problems: string[]) {
    super(`环境变量配置错误：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

function present(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') out[key] = v;
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Parses `env` into the engine's configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Readonly<Config> {
  const parsed = EnvSchema.safeParse(present(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '');
        // Our messages already name the variable; zod's generic ones do not.
        return i.message.includes(name) ? i.message : `${name}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.GUIDANCE_STORAGE === 's3' && !e.GUIDANCE_S3_BUCKET) {
    throw new ConfigError(['GUIDANCE_S3_BUCKET: GUIDANCE_STORAGE=s3 时必须指定存储桶']);
  }
  const abs = (p: string) => path.resolve(cwd, p);
  const smtpOverride: SmtpOverride = {
    ...(e.SMTP_HOST ? { host: e.SMTP_HOST } : {}),
    ...(e.SMTP_PORT ? { port: e.SMTP_PORT } : {}),
    ...(e.SMTP_SECURITY ? { security: e.SMTP_SECURITY } : {}),
    ...(e.SMTP_USER ? { user: e.SMTP_USER } : {}),
  };
  const config: Config = {
    ...(e.TEMPORAL_ADDRESS ? { temporalAddress: e.TEMPORAL_ADDRESS } : {}),
    taskQueue: e.GUIDANCE_TASK_QUEUE,
    numberingQueue: e.GUIDANCE_NUMBERING_QUEUE,
    dataDir: abs(e.GUIDANCE_DATA_DIR),
    devServerPort: e.GUIDANCE_TEMPORAL_PORT,
    uiPort: e.GUIDANCE_UI_PORT,
    retentionDays: e.GUIDANCE_RETENTION_DAYS,
    planFile: e.GUIDANCE_PLAN,
    ...(e.GUIDANCE_WORKFLOW_BUNDLE ? { workflowBundle: abs(e.GUIDANCE_WORKFLOW_BUNDLE) } : {}),
    worker: {
      maxCachedWorkflows: e.GUIDANCE_WORKER_CACHED_WORKFLOWS,
      maxConcurrentActivities: e.GUIDANCE_WORKER_ACTIVITIES,
    },
    usersFile: e.GUIDANCE_USERS,
    ...(e.GUIDANCE_FONT_DIR ? { fontDir: abs(e.GUIDANCE_FONT_DIR) } : {}),
    actor: e.GUIDANCE_ACTOR ?? (e.USER || 'operator'),
    http: {
      host: e.GUIDANCE_HTTP_HOST,
      port: e.GUIDANCE_HTTP_PORT,
      ...(e.GUIDANCE_SESSION_SECRET ? { sessionSecret: e.GUIDANCE_SESSION_SECRET } : {}),
      secureCookies: e.GUIDANCE_HTTP_SECURE_COOKIES === '1' || e.GUIDANCE_HTTP_SECURE_COOKIES === 'true',
      trustProxy: e.GUIDANCE_HTTP_TRUST_PROXY ?? false,
      login: {
        maxFailures: e.GUIDANCE_LOGIN_MAX_FAILURES,
        maxDelaySeconds: e.GUIDANCE_LOGIN_MAX_DELAY_SECONDS,
        maxPerAddress: e.GUIDANCE_LOGIN_MAX_PER_ADDRESS,
        windowSeconds: e.GUIDANCE_LOGIN_WINDOW_SECONDS,
        concurrency: e.GUIDANCE_LOGIN_CONCURRENCY,
      },
      caseReadBudgetMs: e.GUIDANCE_CASE_READ_BUDGET_MS,
    },
    receipts: {
      publicUrl:
        e.GUIDANCE_PUBLIC_URL ??
        `http://${e.GUIDANCE_HTTP_HOST.includes(':') ? `[${e.GUIDANCE_HTTP_HOST}]` : e.GUIDANCE_HTTP_HOST}:${e.GUIDANCE_HTTP_PORT}`,
      ...(e.GUIDANCE_RECEIPT_SECRET ? { secret: e.GUIDANCE_RECEIPT_SECRET } : {}),
    },
    ...(e.GUIDANCE_DATABASE_URL ? { database: databaseOf(e.GUIDANCE_DATABASE_URL) } : {}),
    mail: {
      outboxDir: abs(e.GUIDANCE_OUTBOX_DIR),
      sentLogDir: abs(e.GUIDANCE_SENT_LOG_DIR),
      ...(e.SMTP_TLS_CA_FILE ? { tlsCaFile: abs(e.SMTP_TLS_CA_FILE) } : {}),
      smtpOverride,
    },
    storage:
      e.GUIDANCE_STORAGE === 's3'
        ? {
            kind: 's3',
            bucket: e.GUIDANCE_S3_BUCKET!,
            region: e.GUIDANCE_S3_REGION,
            ...(e.GUIDANCE_S3_ENDPOINT ? { endpoint: e.GUIDANCE_S3_ENDPOINT } : {}),
            ...(e.GUIDANCE_S3_ACCESS_KEY_ID ? { accessKeyId: e.GUIDANCE_S3_ACCESS_KEY_ID } : {}),
          }
        : { kind: 'local' },
  };
  return deepFreeze(config);
}

/** The database setting, its URL hidden from enumeration (JSON, util.inspect, Object.values). */
function databaseOf(url: string): NonNullable<Config['database']> {
  const d = { redacted: redactDatabaseUrl(url) } as { url: string; redacted: string };
  Object.defineProperty(d, 'url', { value: url, enumerable: false });
  return d;
}

let cached: Readonly<Config> | undefined;

/** The process's configuration, parsed from `process.env` on first use. */
export function config(): Readonly<Config> {
  cached ??= loadConfig(process.env);
  return cached;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * A secret named at run time (the SMTP password variable a plan's `smtp.passwordEnv` names).
 * Secrets are never part of the configuration object, so it can be logged whole.
 */
export function secret(name: string, env: Env = process.env): string | undefined {
  if (!ENV_NAME.test(name)) return undefined;
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
