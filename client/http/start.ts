/**
 * One call for `npm start` (client/start.ts): takes the dashboard's settings from the configuration
 * (config/env.ts), loads the users file (checked against the plan's counties; the example file
 * only on a loopback address), watches it for changes, and listens on 127.0.0.1 by default.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../config/database';
import { config as envConfig, type Config } from '../../config/env';
import type { TemporalConfig } from '../../config/temporal';
import type { Plan } from '../../workflows/shared/plan';
import { receiptKeyFromConfig } from '../../activities/email/config';
import { storeFromConfig } from '../../activities/storage';
import { EXIT, UserError } from '../programme';
import { loadUsers } from '../users';
import type { PracticeMode } from './practice';
import { startHttpServer } from './server';
import { assertUsersFileAllowed } from './users-file';

/** Where the dashboard's build (client/dashboard, Vite) lands and the server serves it from. */
export const DASHBOARD_DIR = path.join(__dirname, 'public');

/**
 * Refuses to start a dashboard that was never built (a fresh clone started without `npm start` or
 * `npm run setup`): the server would answer every page with 404 and nobody would know why.
 */
export function assertDashboardBuilt(dir: string = DASHBOARD_DIR): void {
  if (!existsSync(path.join(dir, 'index.html')) || !existsSync(path.join(dir, 'receipt.html')))
    throw new UserError(
      '看板尚未构建（client/http/public 中没有 index.html）：请先运行 npm run setup（或 npm run build:dashboard）',
      EXIT.unavailable,
      'Unavailable',
    );
}

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
  assertDashboardBuilt();
  const c = opts.config ?? envConfig();
  const counties = opts.plan.counties.map((county) => county.code);
  assertUsersFileAllowed(c.usersFile, c.http.host);
  const users = loadUsers(c.usersFile, counties);
  // One object store for the process: the evidence and the receipt links' key in it, so dashboards
  // on several hosts (GUIDANCE_STORAGE=s3) serve the same files and check links with one key.
  const objects = storeFromConfig({ dataDir: opts.temporal.dataDir, storage: c.storage });
  return startHttpServer(
    {
      client: opts.client,
      config: {
        namespace: opts.temporal.namespace,
        bureau: opts.plan.bureau.code,
        year: opts.plan.year,
        sessionSecret: c.http.sessionSecret,
        secureCookies: c.http.secureCookies,
        trustProxy: c.http.trustProxy,
        login: c.http.login,
        practice: opts.practice,
      },
      users,
      usersFile: { path: c.usersFile, counties, host: c.http.host },
      evidenceDir: path.join(opts.temporal.dataDir, 'evidence'),
      evidenceObjects: objects,
      archiveDir: path.join(opts.temporal.dataDir, 'archive'),
      archiveObjects: objects,
      uiUrl: opts.uiUrl,
      caseReadBudgetMs: c.http.caseReadBudgetMs,
      plan: opts.plan,
      statsRules: opts.plan.statistics,
      // The key the workers sign receipt links with: the configured secret or the object store's key.
      receiptKey: await receiptKeyFromConfig({ ...c, dataDir: opts.temporal.dataDir }, objects),
      // Several dashboards behind one address share sessions and login throttling there.
      ...(c.database ? { database: openDatabase(c.database.url) } : {}),
    },
    { host: c.http.host, port: c.http.port },
  );
}
