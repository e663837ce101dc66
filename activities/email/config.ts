/**
 * Mail configuration for the worker: the plan's `smtp` block, overridden field by field by the
 * environment, and the password only ever from the environment. Validated once at start-up.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SMTP_HOST / SMTP_PORT / SMTP_SECURITY / SMTP_USER | override plan.smtp (or configure SMTP when the plan has none) | plan.smtp |
 * | `plan.smtp.passwordEnv` (SMTP_PASSWORD) | the password | — |
 * | SMTP_TLS_CA_FILE | PEM file of a private CA the server's certificate chains to | system CAs |
 * | GUIDANCE_OUTBOX_DIR | outbox for `.eml` files when no SMTP server is configured | `outbox` |
 * | GUIDANCE_SENT_LOG_DIR | the durable sent-log | `data/mail-sent-log` |
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SmtpSchema, type Plan } from '../../workflows/shared/plan';
import type { EmailDeps } from './index';

const EmailEnvSchema = z.object({
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_SECURITY: z.enum(['tls', 'starttls', 'none']).optional(),
  SMTP_USER: z.string().trim().min(1).optional(),
  SMTP_TLS_CA_FILE: z.string().trim().min(1).optional(),
  GUIDANCE_OUTBOX_DIR: z.string().trim().min(1).optional(),
  GUIDANCE_SENT_LOG_DIR: z.string().trim().min(1).optional(),
});

const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;

export class EmailConfigError extends Error {
  override name = 'EmailConfigError';
}

/**
 * The mail activity's dependencies for `plan`, reading `env` (normally `process.env`).
 * Relative directories resolve against `cwd`. Throws EmailConfigError on a bad setting.
 */
export function emailDepsFromEnv(
  plan: Pick<Plan, 'bureau' | 'smtp'>,
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): EmailDeps {
  // Empty variables count as unset, the way shells and .env files usually mean them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EmailEnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new EmailConfigError(`邮件环境变量不正确：${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`);
  }
  const e = parsed.data;

  let smtp: EmailDeps['smtp'];
  const base = plan.smtp;
  if (base || e.SMTP_HOST) {
    const security = e.SMTP_SECURITY ?? base?.security ?? 'starttls';
    const merged = SmtpSchema.safeParse({
      host: e.SMTP_HOST ?? base?.host,
      port: e.SMTP_PORT ?? base?.port ?? DEFAULT_PORT[security],
      security,
      user: e.SMTP_USER ?? base?.user,
      passwordEnv: base?.passwordEnv,
    });
    if (!merged.success) {
      throw new EmailConfigError(`SMTP 配置不正确：${merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`);
    }
    smtp = merged.data;
  }

  let password: string | undefined;
  if (smtp?.user) {
    password = env[smtp.passwordEnv];
    if (!password) throw new EmailConfigError(`SMTP 用户 ${smtp.user} 需要口令：请设置环境变量 ${smtp.passwordEnv}`);
  }

  let tls: EmailDeps['tls'];
  if (e.SMTP_TLS_CA_FILE) {
    try {
      tls = { ca: readFileSync(path.resolve(cwd, e.SMTP_TLS_CA_FILE), 'utf8') };
    } catch (err) {
      throw new EmailConfigError(`无法读取 SMTP_TLS_CA_FILE：${(err as Error).message}`);
    }
  }

  return {
    ...(smtp ? { smtp } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls } : {}),
    outboxDir: path.resolve(cwd, e.GUIDANCE_OUTBOX_DIR ?? 'outbox'),
    sentLogDir: path.resolve(cwd, e.GUIDANCE_SENT_LOG_DIR ?? path.join('data', 'mail-sent-log')),
    from: { name: plan.bureau.name, address: plan.bureau.email },
  };
}
