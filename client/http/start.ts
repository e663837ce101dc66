/**
 * One call for `npm start` (worker/start.ts): reads the dashboard's settings from the environment,
 * loads the users file (checked against the plan's counties), and listens on 127.0.0.1 by default.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { z } from 'zod';
import type { Plan } from '../../workflows/shared/plan';
import type { TemporalConfig } from '../temporal';
import { loadUsers } from '../users';
import { startHttpServer } from './server';

const EnvSchema = z.object({
  GUIDANCE_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  GUIDANCE_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  GUIDANCE_SESSION_SECRET: z.string().min(32, '至少 32 个字符').optional(),
  GUIDANCE_HTTP_SECURE_COOKIES: z.enum(['0', '1', 'true', 'false']).optional(),
});

/** Starts the dashboard and HTTP API for the plan's bureau; returns the app (close it on shutdown) and its URL. */
export async function startDashboard(opts: {
  client: Client;
  temporal: TemporalConfig;
  plan: Plan;
  /** Temporal Web UI base URL (the embedded dev server's), if any. */
  uiUrl?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ app: FastifyInstance; url: string }> {
  const parsed = EnvSchema.safeParse(opts.env ?? process.env);
  if (!parsed.success) throw new Error(`环境变量配置错误：${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`);
  const e = parsed.data;
  const users = loadUsers((opts.env ?? process.env).GUIDANCE_USERS, opts.plan.counties.map((c) => c.code));
  return startHttpServer(
    {
      client: opts.client,
      config: {
        namespace: opts.temporal.namespace,
        bureau: opts.plan.bureau.code,
        year: opts.plan.year,
        sessionSecret: e.GUIDANCE_SESSION_SECRET,
        secureCookies: e.GUIDANCE_HTTP_SECURE_COOKIES === '1' || e.GUIDANCE_HTTP_SECURE_COOKIES === 'true',
      },
      users,
      evidenceDir: path.join(opts.temporal.dataDir, 'evidence'),
      archiveDir: path.join(opts.temporal.dataDir, 'archive'),
      uiUrl: opts.uiUrl,
    },
    { host: e.GUIDANCE_HTTP_HOST, port: e.GUIDANCE_HTTP_PORT },
  );
}
