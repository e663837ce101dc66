/** The one configuration schema (config/env.ts): defaults, good values, bad values named in Chinese. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, loadConfig, secret } from '../../config/env';
import { loadTemporalConfig } from '../../config/temporal';

const CWD = path.resolve('/srv/guidance');

describe('loadConfig', () => {
  it('an empty environment gives the documented defaults', () => {
    const c = loadConfig({}, CWD);
    expect(c).toEqual({
      taskQueue: 'guidance',
      numberingQueue: 'shared',
      storage: { kind: 'local' },
      dataDir: path.join(CWD, 'data'),
      devServerPort: 7233,
      uiPort: 8233,
      retentionDays: 400,
      planFile: 'examples/plan.yaml',
      usersFile: 'examples/users.yaml',
      worker: { maxCachedWorkflows: 200, maxConcurrentActivities: 32 },
      actor: 'operator',
      receipts: { publicUrl: 'http://127.0.0.1:8080' },
      http: {
        host: '127.0.0.1',
        port: 8080,
        secureCookies: false,
        trustProxy: false,
        login: { maxFailures: 5, maxDelaySeconds: 900, maxPerAddress: 60, windowSeconds: 900, concurrency: 2 },
        caseReadBudgetMs: 800,
      },
      mail: {
        outboxDir: path.join(CWD, 'outbox'),
        sentLogDir: path.join(CWD, 'data', 'mail-sent-log'),
        smtpOverride: {},
      },
    });
  });

  it('reads every variable, coercing numbers and resolving directories against the working directory', () => {
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.example.cn:7233',
        GUIDANCE_TASK_QUEUE: 'guidance-prod',
        GUIDANCE_DATA_DIR: '/var/lib/guidance',
        GUIDANCE_TEMPORAL_PORT: '17233',
        GUIDANCE_UI_PORT: '18233',
        GUIDANCE_RETENTION_DAYS: '730',
        GUIDANCE_PLAN: 'plans/2027.yaml',
        GUIDANCE_WORKFLOW_BUNDLE: 'build/workflows.js',
        GUIDANCE_USERS: 'users.yaml',
        GUIDANCE_FONT_DIR: 'fonts',
        GUIDANCE_ACTOR: 'sun-li',
        USER: 'root',
        GUIDANCE_HTTP_HOST: '0.0.0.0',
        GUIDANCE_HTTP_PORT: '0',
        GUIDANCE_SESSION_SECRET: 'x'.repeat(32),
        GUIDANCE_HTTP_SECURE_COOKIES: 'true',
        GUIDANCE_HTTP_TRUST_PROXY: '10.0.0.0/8, 192.168.1.10',
        GUIDANCE_LOGIN_MAX_FAILURES: '3',
        GUIDANCE_LOGIN_MAX_DELAY_SECONDS: '120',
        GUIDANCE_LOGIN_MAX_PER_ADDRESS: '20',
        GUIDANCE_LOGIN_WINDOW_SECONDS: '600',
        GUIDANCE_LOGIN_CONCURRENCY: '1',
        GUIDANCE_CASE_READ_BUDGET_MS: '1500',
        GUIDANCE_OUTBOX_DIR: 'mail/out',
        GUIDANCE_SENT_LOG_DIR: '/var/lib/guidance/sent',
        GUIDANCE_WORKER_CACHED_WORKFLOWS: '500',
        GUIDANCE_WORKER_ACTIVITIES: '64',
        SMTP_HOST: 'relay.example.cn',
        SMTP_PORT: '465',
        SMTP_SECURITY: 'tls',
        SMTP_USER: 'zhidao',
        SMTP_TLS_CA_FILE: 'ca.pem',
        UNRELATED: 'ignored',
      },
      CWD,
    );
    expect(c).toMatchObject({
      temporalAddress: 'temporal.example.cn:7233',
      taskQueue: 'guidance-prod',
      dataDir: path.resolve('/var/lib/guidance'),
      devServerPort: 17233,
      uiPort: 18233,
      retentionDays: 730,
      planFile: 'plans/2027.yaml',
      workflowBundle: path.join(CWD, 'build/workflows.js'),
      worker: { maxCachedWorkflows: 500, maxConcurrentActivities: 64 },
      usersFile: 'users.yaml',
      fontDir: path.join(CWD, 'fonts'),
      actor: 'sun-li',
      http: {
        host: '0.0.0.0',
        port: 0,
        sessionSecret: 'x'.repeat(32),
        secureCookies: true,
        trustProxy: ['10.0.0.0/8', '192.168.1.10'],
        login: { maxFailures: 3, maxDelaySeconds: 120, maxPerAddress: 20, windowSeconds: 600, concurrency: 1 },
        caseReadBudgetMs: 1500,
      },
      mail: {
        outboxDir: path.join(CWD, 'mail/out'),
        sentLogDir: path.resolve('/var/lib/guidance/sent'),
        tlsCaFile: path.join(CWD, 'ca.pem'),
        smtpOverride: { host: 'relay.example.cn', port: 465, security: 'tls', user: 'zhidao' },
      },
    });
    expect(loadConfig({ USER: 'wu-hao' }).actor).toBe('wu-hao');
    expect(loadConfig({ GUIDANCE_HTTP_SECURE_COOKIES: '0' }).http.secureCookies).toBe(false);
  });

  it.each([
    ['off', false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['127.0.0.1', ['127.0.0.1']],
    ['loopback, fd00::/8', ['loopback', 'fd00::/8']],
  ])('GUIDANCE_HTTP_TRUST_PROXY=%s is fastify trustProxy %j', (value, expected) => {
    expect(loadConfig({ GUIDANCE_HTTP_TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it('counts an empty variable as unset', () => {
    expect(loadConfig({ GUIDANCE_HTTP_PORT: '', GUIDANCE_PLAN: '  ', SMTP_HOST: '' }, CWD)).toEqual(
      loadConfig({}, CWD),
    );
  });

  it('is frozen, so no caller can change what another reads', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.mail.smtpOverride)).toBe(true);
    expect(() => {
      (c.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it.each([
    ['GUIDANCE_HTTP_PORT', 'abc', /GUIDANCE_HTTP_PORT 应为端口号/],
    ['GUIDANCE_HTTP_PORT', '70000', /GUIDANCE_HTTP_PORT 应为端口号/],
    ['GUIDANCE_TEMPORAL_PORT', '0', /GUIDANCE_TEMPORAL_PORT 应为端口号（整数 1–65535）/],
    ['GUIDANCE_UI_PORT', '80.5', /GUIDANCE_UI_PORT 应为端口号/],
    ['SMTP_PORT', '70000', /SMTP_PORT 应为端口号/],
    ['GUIDANCE_WORKER_CACHED_WORKFLOWS', '1', /GUIDANCE_WORKER_CACHED_WORKFLOWS 应为工作流数（整数 2–100000）/],
    ['GUIDANCE_WORKER_ACTIVITIES', 'many', /GUIDANCE_WORKER_ACTIVITIES 应为活动数（整数 1–1000）/],
    ['SMTP_SECURITY', 'ssl', /SMTP_SECURITY 只能是 tls、starttls 或 none/],
    ['GUIDANCE_SESSION_SECRET', 'short', /GUIDANCE_SESSION_SECRET 至少需要 32 个字符/],
    ['GUIDANCE_HTTP_SECURE_COOKIES', 'yes', /GUIDANCE_HTTP_SECURE_COOKIES 只能是 0、1、true 或 false/],
    ['GUIDANCE_RETENTION_DAYS', '0', /GUIDANCE_RETENTION_DAYS 应为天数（整数 1–36500）/],
    ['GUIDANCE_RETENTION_DAYS', '400d', /GUIDANCE_RETENTION_DAYS 应为天数/],
    ['GUIDANCE_RETENTION_DAYS', '36501', /GUIDANCE_RETENTION_DAYS 应为天数/],
    ['GUIDANCE_LOGIN_MAX_FAILURES', '0', /GUIDANCE_LOGIN_MAX_FAILURES 应为次数（整数 1–1000）/],
    ['GUIDANCE_LOGIN_MAX_PER_ADDRESS', 'many', /GUIDANCE_LOGIN_MAX_PER_ADDRESS 应为次数（整数 1–100000）/],
    ['GUIDANCE_LOGIN_WINDOW_SECONDS', '15m', /GUIDANCE_LOGIN_WINDOW_SECONDS 应为秒数（整数 1–86400）/],
    ['GUIDANCE_LOGIN_CONCURRENCY', '65', /GUIDANCE_LOGIN_CONCURRENCY 应为并发数（整数 1–64）/],
    ['GUIDANCE_CASE_READ_BUDGET_MS', '0.8s', /GUIDANCE_CASE_READ_BUDGET_MS 应为毫秒数（整数 0–600000）/],
    ['GUIDANCE_LOGIN_MAX_DELAY_SECONDS', '0', /GUIDANCE_LOGIN_MAX_DELAY_SECONDS 应为秒数（整数 1–86400）/],
    ['GUIDANCE_HTTP_TRUST_PROXY', 'proxy.example.cn', /GUIDANCE_HTTP_TRUST_PROXY 应为 off、true、代理层数/],
    ['GUIDANCE_HTTP_TRUST_PROXY', '10.0.0.0/33', /GUIDANCE_HTTP_TRUST_PROXY 应为/],
    ['GUIDANCE_HTTP_TRUST_PROXY', '101', /GUIDANCE_HTTP_TRUST_PROXY 应为/],
  ])('refuses %s=%s with a Chinese message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad variable at once, one line each', () => {
    const err = (() => {
      try {
        loadConfig({ GUIDANCE_HTTP_PORT: 'x', SMTP_SECURITY: 'ssl' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.problems).toHaveLength(2);
    expect(err?.message).toMatch(/^环境变量配置错误：/);
  });

  it('the schema lists every variable the engine reads', () => {
    expect(Object.keys(EnvSchema.shape).sort()).toEqual(
      [
        'TEMPORAL_ADDRESS',
        'GUIDANCE_TASK_QUEUE',
        'GUIDANCE_NUMBERING_QUEUE',
        'GUIDANCE_STORAGE',
        'GUIDANCE_S3_ENDPOINT',
        'GUIDANCE_S3_REGION',
        'GUIDANCE_S3_BUCKET',
        'GUIDANCE_S3_ACCESS_KEY_ID',
        'GUIDANCE_DATA_DIR',
        'GUIDANCE_TEMPORAL_PORT',
        'GUIDANCE_UI_PORT',
        'GUIDANCE_RETENTION_DAYS',
        'GUIDANCE_PLAN',
        'GUIDANCE_WORKFLOW_BUNDLE',
        'GUIDANCE_USERS',
        'GUIDANCE_FONT_DIR',
        'GUIDANCE_ACTOR',
        'USER',
        'GUIDANCE_HTTP_HOST',
        'GUIDANCE_HTTP_PORT',
        'GUIDANCE_SESSION_SECRET',
        'GUIDANCE_HTTP_SECURE_COOKIES',
        'GUIDANCE_OUTBOX_DIR',
        'GUIDANCE_SENT_LOG_DIR',
        'GUIDANCE_DATABASE_URL',
        'SMTP_HOST',
        'SMTP_PORT',
        'SMTP_SECURITY',
        'SMTP_USER',
        'SMTP_TLS_CA_FILE',
        'GUIDANCE_LOGIN_MAX_FAILURES',
        'GUIDANCE_LOGIN_MAX_PER_ADDRESS',
        'GUIDANCE_LOGIN_MAX_DELAY_SECONDS',
        'GUIDANCE_HTTP_TRUST_PROXY',
        'GUIDANCE_LOGIN_WINDOW_SECONDS',
        'GUIDANCE_LOGIN_CONCURRENCY',
        'GUIDANCE_CASE_READ_BUDGET_MS',
        'GUIDANCE_PUBLIC_URL',
        'GUIDANCE_RECEIPT_SECRET',
        'GUIDANCE_WORKER_CACHED_WORKFLOWS',
        'GUIDANCE_WORKER_ACTIVITIES',
      ].sort(),
    );
  });
});

describe('secret', () => {
  it('reads a variable named at run time; empty or a malformed name is absent', () => {
    expect(secret('HELUO_SMTP_PASSWORD', { HELUO_SMTP_PASSWORD: 's3cret' })).toBe('s3cret');
    expect(secret('HELUO_SMTP_PASSWORD', { HELUO_SMTP_PASSWORD: '' })).toBeUndefined();
    expect(secret('HELUO_SMTP_PASSWORD', {})).toBeUndefined();
    expect(secret('path', { path: 'x' })).toBeUndefined();
  });
});

describe('loadTemporalConfig', () => {
  it('the embedded default: the dev server on the configured port', () => {
    const t = loadTemporalConfig({ GUIDANCE_TEMPORAL_PORT: '17233' });
    expect(t.external).toBe(false);
    expect(t.connection.address).toBe('127.0.0.1:17233');
    expect(t.namespace).toBe('default');
    expect(t.taskQueue).toBe('guidance');
  });

  it('an external cluster: TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE as the temporal CLI reads them', () => {
    const t = loadTemporalConfig({
      TEMPORAL_ADDRESS: 'temporal.example.cn:7233',
      TEMPORAL_NAMESPACE: 'heluo',
      GUIDANCE_TASK_QUEUE: 'q',
    });
    expect(t.external).toBe(true);
    expect(t.connection.address).toBe('temporal.example.cn:7233');
    expect(t.namespace).toBe('heluo');
    expect(t.taskQueue).toBe('q');
  });

  it('a bad variable fails with its name', () => {
    expect(() => loadTemporalConfig({ GUIDANCE_TEMPORAL_PORT: 'x' })).toThrow(/GUIDANCE_TEMPORAL_PORT/);
  });
});
