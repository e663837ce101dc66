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
import { loadConfig, secret } from '../../config/env';
import { SmtpSchema, type Plan } from '../../workflows/shared/plan';
import type { EmailDeps } from './index';

const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;

export class EmailConfigError extends Error {
  override name = 'EmailConfigError';
}

/**
 * The mail activity's dependencies for `plan`, reading `env` (normally `process.env`) through the
 * one configuration schema (config/env.ts). Relative directories resolve against `cwd`. Throws
 * ConfigError for a bad variable, EmailConfigError for a bad SMTP setting.
 */
export function emailDepsFromEnv(
  plan: Pick<Plan, 'bureau' | 'smtp'>,
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): EmailDeps {
  const mail = loadConfig(env, cwd).mail;
  const o = mail.smtpOverride;

  let smtp: EmailDeps['smtp'];
  const base = plan.smtp;
  if (base || o.host) {
    const security = o.security ?? base?.security ?? 'starttls';
    const merged = SmtpSchema.safeParse({
      host: o.host ?? base?.host,
      port: o.port ?? base?.port ?? DEFAULT_PORT[security],
      security,
      user: o.user ?? base?.user,
      passwordEnv: base?.passwordEnv,
    });
    if (!merged.success) {
      throw new EmailConfigError(`SMTP 配置不正确：${merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`);
    }
    smtp = merged.data;
  }

  let password: string | undefined;
  if (smtp?.user) {
    password = secret(smtp.passwordEnv, env);
    if (!password) throw new EmailConfigError(`SMTP 用户 ${smtp.user} 需要口令：请设置环境变量 ${smtp.passwordEnv}`);
  }

  let tls: EmailDeps['tls'];
  if (mail.tlsCaFile) {
    try {
      tls = { ca: readFileSync(mail.tlsCaFile, 'utf8') };
    } catch (err) {
      throw new EmailConfigError(`无法读取 SMTP_TLS_CA_FILE：${(err as Error).message}`);
    }
  }

  return {
    ...(smtp ? { smtp } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls } : {}),
    outboxDir: mail.outboxDir,
    sentLogDir: mail.sentLogDir,
    from: { name: plan.bureau.name, address: plan.bureau.email },
  };
}
