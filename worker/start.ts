/**
 * `npm start`: the main job on the embedded default. Starts the project's Temporal dev server
 * (unless TEMPORAL_ADDRESS names a cluster), runs the worker, and starts the example plan's
 * programme (GUIDANCE_PLAN to use another). Ctrl+C stops the worker gracefully, then the server.
 */
import { UserError, getProgramme, startProgramme } from '../client/programme';
import { loadPlanFile, PlanError } from '../client/plan';
import { connectClient, loadTemporalConfig } from '../client/temporal';
import { printSchedule } from '../client/commands/programme';
import { startDashboard } from '../client/http/start';
import { ensureDevServer, type RunningService } from './service';
import { createWorker } from './worker';

async function run(): Promise<void> {
  const config = loadTemporalConfig();
  const planFile = process.env.GUIDANCE_PLAN ?? 'examples/plan.yaml';
  const plan = loadPlanFile(planFile);

  let service: RunningService | undefined;
  if (config.external) {
    process.stderr.write(`[start] external Temporal at ${config.connection.address} (namespace ${config.namespace}); starting nothing locally\n`);
  } else {
    service = await ensureDevServer(config);
  }
  try {
    const worker = await createWorker(config, { plan });
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
  if (err instanceof PlanError || err instanceof UserError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
