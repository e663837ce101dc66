/**
 * `npm run dashboard`: the dashboard and HTTP API alone, for a deployment that runs M of them
 * behind a reverse proxy and its workers elsewhere (docs/deploy.md). Unlike `npm start` it starts
 * no Temporal service, no worker and no programme: it serves the plan's bureau (GUIDANCE_PLAN) from
 * the Temporal service of TEMPORAL_ADDRESS until SIGINT/SIGTERM.
 */
import { ConfigError, config as envConfig } from '../config/env';
import { connectClient, loadTemporalConfig } from '../config/temporal';
import { startDashboard } from './http/start';
import { loadPlanFile, PlanError } from './plan';
import { UserError } from './programme';

async function run(): Promise<void> {
  const temporal = loadTemporalConfig();
  const plan = loadPlanFile(envConfig().planFile);
  const client = await connectClient(temporal);
  const dashboard = await startDashboard({ client, temporal, plan });
  // One line a supervisor (or a test) can wait for: where the dashboard listens.
  process.stdout.write(`[dashboard] listening at ${dashboard.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.app.close();
  await client.connection.close();
  process.stderr.write('[dashboard] stopped\n');
}

run().catch((err: unknown) => {
  if (err instanceof PlanError || err instanceof UserError || err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
