/**
 * Which way a copy leaves this worker, decided per plan: the `smtp` block and the sender come with
 * every `sendLetter` input (from the plan the programme was started with), not from a plan the
 * worker loaded. The worker adds only what is its own: the password (from its environment, under
 * the variable the plan names), the TLS trust store, the timeouts, and the operator's override.
 *
 * The override (SMTP_HOST / SMTP_PORT / SMTP_SECURITY / SMTP_USER) still applies, field by field
 * over every plan's block, or as the whole setting for plans without one: it is how an operator
 * points a worker at a local relay, and it is the worker's own, like its password. With no
 * override set, a programme uses exactly its plan's settings.
 */
import type { ConnectionOptions } from 'node:tls';
import { ApplicationFailure } from '@temporalio/common';
import type { SmtpOverride } from '../../config/env';
import { FailureType } from '../../workflows/shared/errors';
import { SmtpSchema } from '../../workflows/shared/plan';
import type { z } from 'zod';
import {
  createSmtpTransport,
  smtpTransportOptions,
  type SmtpConfig,
  type SmtpTimeouts,
  type SmtpTransport,
} from './transport';

const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;

/** A plan's `smtp` block as it arrives in an activity input (defaults possibly not yet applied). */
export type PlanSmtp = z.input<typeof SmtpSchema>;

function notServable(message: string, details: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.PlanNotServable,
    message,
    nonRetryable: true,
    details: [details],
  });
}

/**
 * The SMTP setting a copy uses: the plan's block with the operator's override on top; undefined
 * (the outbox) when neither names a host. Throws PlanNotServable for a setting that does not hold.
 */
export function effectiveSmtp(plan: PlanSmtp | undefined, override: SmtpOverride = {}): SmtpConfig | undefined {
  if (!plan && !override.host) return undefined;
  const security = override.security ?? plan?.security ?? 'starttls';
  const merged = SmtpSchema.safeParse({
    host: override.host ?? plan?.host,
    port: override.port ?? plan?.port ?? DEFAULT_PORT[security],
    security,
    user: override.user ?? plan?.user,
    passwordEnv: plan?.passwordEnv,
  });
  if (!merged.success) {
    throw notServable(
      `计划的 SMTP 配置不正确：${merged.error.issues.map((i) => `smtp.${i.path.join('.')}: ${i.message}`).join('；')}`,
      {},
    );
  }
  return merged.data;
}

export interface MailTransportDeps {
  smtpOverride?: SmtpOverride;
  /** Reads the password variable a plan names. */
  secret: (name: string) => string | undefined;
  tls?: ConnectionOptions;
  timeouts: SmtpTimeouts;
}

export type ResolvedTransport = { kind: 'outbox' } | { kind: 'smtp'; smtp: SmtpConfig; transport: SmtpTransport };

/** One nodemailer transport per distinct SMTP setting, built on first use. */
export class MailTransports {
  private readonly cache = new Map<string, ResolvedTransport>();

  constructor(private readonly deps: MailTransportDeps) {}

  /** The transport for a plan's `smtp` block; PlanNotServable when this worker cannot serve it. */
  resolve(plan: PlanSmtp | undefined): ResolvedTransport {
    const smtp = effectiveSmtp(plan, this.deps.smtpOverride);
    if (!smtp) return { kind: 'outbox' };
    const key = JSON.stringify([smtp.host, smtp.port, smtp.security, smtp.user ?? null, smtp.passwordEnv]);
    const hit = this.cache.get(key);
    if (hit) return hit;

    let password: string | undefined;
    if (smtp.user) {
      password = this.deps.secret(smtp.passwordEnv);
      if (!password) {
        throw notServable(
          `SMTP 用户 ${smtp.user} 需要口令，但本工作进程的环境中没有计划指定的变量 ${smtp.passwordEnv}（smtp.passwordEnv）：请在运行工作进程的机器上设置它`,
          { passwordEnv: smtp.passwordEnv },
        );
      }
    }
    let options;
    try {
      options = smtpTransportOptions(smtp, password, this.deps.timeouts, this.deps.tls);
    } catch (e) {
      throw notServable((e as Error).message, { host: smtp.host });
    }
    const resolved: ResolvedTransport = { kind: 'smtp', smtp, transport: createSmtpTransport(options) };
    this.cache.set(key, resolved);
    return resolved;
  }
}
