/**
 * One call for `npm start` (client/start.ts): takes the dashboard's settings from the configuration
 * (config/env.ts), loads the users file (checked against the plan's counties), and listens on
 * 127.0.0.1 by default.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { config as envConfig, type Config } from '../../config/env';
import type { TemporalConfig } from '../../config/temporal';
import type { Plan } from '../../workflows/shared/plan';
import { loadUsers } from '../users';
import type { PracticeMode } from './practice';
import { startHttpServer } from './server';

/** Starts the dashboard and HTTP API for the plan's bureau; returns the app (close it on shutdown) and its URL. */
export async function startDashboard(opts: {
  client: Client;
  temporal: TemporalConfig;
  plan: Plan;
  /** Temporal Web UI base URL (the embedded dev server's), if any. */
  uiUrl?: string;
  /** The configuration; the process's own by default. */
  config?: Readonly<Config>;
  /** A sandbox programme's clock (`guidance sandbox`): the dashboard says 演练模式. */
  practice?: PracticeMode;
}): Promise<{ app: FastifyInstance; url: string }> {
  const c = opts.config ?? envConfig();
  const users = loadUsers(c.usersFile, opts.plan.counties.map((county) => county.code));
  return startHttpServer(
    {
      client: opts.client,
      config: {
        namespace: opts.temporal.namespace,
        bureau: opts.plan.bureau.code,
        year: opts.plan.year,
        sessionSecret: c.http.sessionSecret,
        secureCookies: c.http.secureCookies,
        practice: opts.practice,
      },
      users,
      evidenceDir: path.join(opts.temporal.dataDir, 'evidence'),
      archiveDir: path.join(opts.temporal.dataDir, 'archive'),
      uiUrl: opts.uiUrl,
    },
    { host: c.http.host, port: c.http.port },
  );
}
