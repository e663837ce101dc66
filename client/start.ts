/**
 * `npm start`: the main job on the embedded default. Starts the project's Temporal dev server
 * (unless TEMPORAL_ADDRESS names a cluster), runs the worker, and starts the example plan's
 * programme (GUIDANCE_PLAN to use another). Ctrl+C stops the worker gracefully, then the server.
 *
 * It lives on the client side because it is one: it starts a programme, prints the schedule and
 * serves the dashboard. The worker it runs in-process is imported from worker/ (client → worker is
 * the one allowed direction; nothing in worker/ imports client/, see eslint.config.mjs).
 */
import { ConfigError, config as envConfig } from '../config/env';
import { loadPlanFile, PlanError } from './plan';
import { connectClient, loadTemporalConfig } from '../config/temporal';
import { ensureDevServer, type RunningService } from '../worker/service';
import { createWorker } from '../worker/worker';
import { printSchedule } from './commands/programme';
import { startDashboard } from './http/start';
import { assertUsersFileAllowed } from './http/users-file';
import { UserError, getProgramme, startProgramme } from './programme';

async function run(): Promise<void> {
  const config = loadTemporalConfig();
  const planFile = envConfig().planFile;
  const plan = loadPlanFile(planFile);
  // Before anything starts: the example users (published passwords) only on a loopback address.
  assertUsersFileAllowed(envConfig().usersFile, envConfig().http.host);

  let service: RunningService | undefined;
  if (config.external) {
    process.stderr.write(
      `[start] external Temporal at ${config.connection.address} (namespace ${config.namespace}); starting nothing locally\n`,
    );
  } else {
    service = await ensureDevServer(config);
  }
  try {
    const worker = await createWorker(config);
    const running = worker.run();
    const client = await connectClient(config);
    try {
      const handle = await startProgramme(client, plan, { taskQueue: config.taskQueue });
      process.stdout.write(`已启动年度执法指导计划 ${handle.workflowId}（计划文件 ${planFile}）\n`);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      process.stdout.write(`${err.message}；继续运行。\n`);
    }
    // The first workflow task places the counties; give it a moment so the table is not empty.
    let state = await getProgramme(client, plan.year, plan.bureau.code).catch(() => undefined);
    for (let i = 0; i < 50 && state && state.entries.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await getProgramme(client, plan.year, plan.bureau.code);
    }
    if (state) printSchedule(state, false);
    const dashboard = await startDashboard({ client, temporal: config, plan, uiUrl: service?.uiUrl });
    process.stdout.write(`\n执法指导看板（管理员、指导组、县区登录）：${dashboard.url}\n`);
    if (service) process.stdout.write(`Temporal Web UI：${service.uiUrl}/namespaces/${config.namespace}/workflows\n`);
    void running.finally(() => dashboard.app.close());
    process.stdout.write(`查看计划：npx guidance programme status --year ${plan.year}\n按 Ctrl+C 停止。\n`);
    await running;
  } finally {
    await service?.stop();
  }
}

run().catch((err: unknown) => {
  if (err instanceof PlanError || err instanceof UserError || err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
