/**
 * GUIDANCE_DATABASE_URL (config/env.ts): read and checked at start, its password never shown —
 * not in the configuration logged or serialised whole, not in the message of a bad value.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactDatabaseUrl } from '../../config/database';
import { ConfigError, loadConfig } from '../../config/env';

const URL_WITH_PASSWORD = 'postgres://guidance:s3cr3t-pw@db.internal:5432/guidance';

describe('GUIDANCE_DATABASE_URL', () => {
  it('unset: no database (the local sent-log and in-memory sessions)', () => {
    expect(loadConfig({}).database).toBeUndefined();
  });

  it('set: the URL for the pool, and only its redacted form when the configuration is printed', () => {
    const c = loadConfig({ GUIDANCE_DATABASE_URL: URL_WITH_PASSWORD });
    expect(c.database?.url).toBe(URL_WITH_PASSWORD);
    expect(c.database?.redacted).toBe('postgres://guidance:***@db.internal:5432/guidance');
    expect(JSON.stringify(c)).not.toContain('s3cr3t-pw');
    expect(inspect(c, { depth: 10 })).not.toContain('s3cr3t-pw');
  });

  it('not a postgres URL: refused at start in Chinese, without repeating the value', () => {
    const bad = 'mysql://guidance:s3cr3t-pw@db.internal/guidance';
    let err: unknown;
    try {
      loadConfig({ GUIDANCE_DATABASE_URL: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(
      'GUIDANCE_DATABASE_URL 应为 postgres:// 或 postgresql:// 开头的数据库地址',
    );
    expect((err as Error).message).not.toContain('s3cr3t-pw');
  });

  it('redactDatabaseUrl keeps a URL without a password as it is', () => {
    expect(redactDatabaseUrl('postgresql://127.0.0.1:5432/x')).toBe('postgresql://127.0.0.1:5432/x');
  });
});
