/**
 * `guidance sandbox`: a practice year (演练) for new staff — the plan's programme on a compressed
 * clock (one simulated day a minute by default) with nobody simulated: people act through the
 * dashboard and the CLI. Runs until Ctrl+C, then ends the practice and stops cleanly.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { loadTemporalConfig } from '../../config/temporal';
import { scheduleQuery } from '../../workflows/contracts/programme';
import { ROLE_LABEL, type Role } from '../../workflows/contracts/common';
import { STAGE_LABEL } from '../../workflows/shared/labels';
import { IsoDate } from '../../workflows/shared/plan';
import { modeStatus } from '../http/practice';
import { printSchedule } from './programme';
import { EXIT, UserError } from '../programme';
import { exampleLogins, startSandbox, type Sandbox } from '../sandbox';
import { loadUsers } from '../users';

/** Sandbox dashboard port: beside `npm start`'s 8080, so both can run at once. */
const DEFAULT_PORT = 8081;

interface SandboxFlags {
  plan: string;
  minutesPerDay?: string;
  msPerDay?: string;
  start?: string;
  port: string;
  publicUrl?: string;
}

/** Real milliseconds per simulated day from the options (default one minute). */
export function msPerDayOf(opts: { minutesPerDay?: string; msPerDay?: string }): number {
  if (opts.minutesPerDay !== undefined && opts.msPerDay !== undefined)
    throw new UserError('--minutes-per-day 和 --ms-per-day 只能选一个', EXIT.badInput);
  const ms =
    opts.msPerDay !== undefined ? Number(opts.msPerDay) : Math.round(Number(opts.minutesPerDay ?? '1') * 60_000);
  // Below half a second nobody can act between two days; above a real day is no compression.
  if (!Number.isInteger(ms) || ms < 500 || ms > 86_400_000) {
    throw new UserError(
      `每个模拟日应在 500 毫秒到 1440 分钟之间：${opts.msPerDay !== undefined ? `--ms-per-day ${opts.msPerDay}` : `--minutes-per-day ${opts.minutesPerDay}`}`,
      EXIT.badInput,
    );
  }
  return ms;
}

function describeDay(ms: number): string {
  return ms >= 60_000 ? `${Math.round((ms / 60_000) * 100) / 100} 分钟` : `${Math.round(ms / 100) / 10} 秒`;
}

async function printWelcome(s: Sandbox, usersFile: string): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const year = s.plan.year;
  const bureau = s.plan.bureau.code;
  out(`【演练模式】${s.plan.bureau.name} ${year} 年度执法指导演练——不是真实执法指导，邮件不会发出。`);
  out(`模拟时钟：每个模拟日 = ${describeDay(s.timeScale.msPerDay)}，从 ${s.timeScale.startDate} 开始。`);
  out(`第一份通知：${s.firstNotice.noticeDate}（${s.firstNotice.countyName}，指导日期 ${s.firstNotice.visitDate}）。`);
  if (s.endedEarlier.length) out(`上一轮演练留下的 ${s.endedEarlier.length} 个工作流已结束。`);
  out();
  // The first workflow task places the counties; give it a moment so the table is not empty.
  const handle = s.client.workflow.getHandle(s.programmeId);
  let state = await handle.query(scheduleQuery).catch(() => undefined);
  for (let i = 0; i < 50 && (!state || state.entries.length === 0); i++) {
    await new Promise((r) => setTimeout(r, 200));
    state = await handle.query(scheduleQuery).catch(() => undefined);
  }
  if (state) printSchedule(state, false);
  out();
  out(`演练看板：${s.url}`);
  const t = new Table({ head: ['用户名', '密码', '姓名', '角色'], style: { head: [], border: [] } });
  const users = loadUsers(
    usersFile,
    s.plan.counties.map((c) => c.code),
  );
  for (const u of await exampleLogins(users))
    t.push([u.id, u.password ?? '（见用户文件）', u.name, ROLE_LABEL[u.role as Role]]);
  out(`示例登录（${usersFile}，公开的示例密码，仅供演练）：`);
  out(t.toString());
  out(`邮件（.eml，可用邮件程序打开）：${s.outboxDir}`);
  out(`信件 PDF：${s.archiveDir}（演练案件的文件夹名含 ${bureau}）`);
  if (s.uiUrl) out(`Temporal Web UI：${s.uiUrl}`);
  out(`命令行操作演练案件须加 --bureau ${bureau}，例如：`);
  out(`  npx guidance programme status --year ${year} --bureau ${bureau}`);
  out(`  npx guidance visit status --year ${year} --county ${s.firstNotice.county} --bureau ${bureau}`);
  out('按 Ctrl+C 结束演练（演练工作流随之结束）。');
}

/** One line per simulated day and per visit that moves, so the terminal tells what the dashboard shows. */
function followProgress(s: Sandbox): () => void {
  const handle = s.client.workflow.getHandle(s.programmeId);
  let today = '';
  const stages = new Map<string, string>();
  const tick = async () => {
    const state = await handle.query(scheduleQuery).catch(() => undefined);
    if (!state) return;
    // The workflow's own date lags to its last task; the clock itself says the day now.
    const now = modeStatus({ timeScale: s.timeScale, epochMs: s.epochMs });
    if (now.practice && now.today !== today) {
      today = now.today;
      process.stderr.write(`[演练] 今天（模拟）：${today}\n`);
    }
    for (const e of state.entries) {
      const stage = state.progress[e.county]?.stage;
      if (!stage || stages.get(e.county) === stage) continue;
      stages.set(e.county, stage);
      const hint =
        stage === 'onsite' ? '——请指导组登录看板录入检查情况' : stage === 'approval' ? '——请分管局领导审批' : '';
      process.stderr.write(
        `[演练] ${e.countyName}：${STAGE_LABEL[stage as keyof typeof STAGE_LABEL] ?? stage}${hint}\n`,
      );
    }
  };
  const timer = setInterval(() => void tick(), Math.min(10_000, Math.max(1_000, Math.round(s.timeScale.msPerDay / 4))));
  return () => clearInterval(timer);
}

/**
 * Keeps a repeated Ctrl+C from killing the process mid-shutdown. The SDK stops the worker at the
 * first signal and then stops listening, and under `npx` the same Ctrl+C arrives twice (from the
 * terminal and forwarded by npm), so without a listener of our own the second would end the process
 * before the practice is ended. A Ctrl+C pressed again later still forces the exit.
 */
function holdSignals(): () => void {
  let first = 0;
  const onSignal = () => {
    if (!first) first = Date.now();
    else if (Date.now() - first > 1000) {
      process.stderr.write('[演练] 强制退出。\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('演练：以压缩时间运行示例计划，不模拟任何人，由学员通过看板和命令行操作（Ctrl+C 结束）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--minutes-per-day <n>', '每个模拟日的真实分钟数（默认 1）')
    .option('--ms-per-day <ms>', '每个模拟日的真实毫秒数（与 --minutes-per-day 二选一）')
    .option('--start <date>', '演练开始的模拟日期 YYYY-MM-DD（默认第一份通知发出前 3 天）')
    .option('--port <port>', '演练看板端口', String(DEFAULT_PORT))
    .option('--public-url <url>', '学员打开演练看板的地址，用于邮件中的签收链接（默认 http://127.0.0.1:<端口>）')
    .action(async (opts: SandboxFlags) => {
      const msPerDay = msPerDayOf(opts);
      if (opts.start !== undefined && !IsoDate.safeParse(opts.start).success)
        throw new UserError(`--start 应为日期 YYYY-MM-DD：${opts.start}`, EXIT.badInput);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`--port 应为端口号：${opts.port}`, EXIT.badInput);
      if (opts.publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(opts.publicUrl))
        throw new UserError(`--public-url 应为 http(s):// 开头的网址：${opts.publicUrl}`, EXIT.badInput);
      const c = envConfig();
      const sandbox = await startSandbox({
        plan: loadPlanFile(opts.plan),
        temporal: loadTemporalConfig(),
        msPerDay,
        startDate: opts.start,
        http: { port },
        publicUrl: opts.publicUrl,
      });
      let stopFollowing = () => {};
      const releaseSignals = holdSignals();
      try {
        await printWelcome(sandbox, c.usersFile);
        stopFollowing = followProgress(sandbox);
        await sandbox.done; // the SDK stops the worker on Ctrl+C (SIGINT) or SIGTERM
      } finally {
        stopFollowing();
        process.stderr.write('[演练] 正在结束演练……\n');
        await sandbox.stop();
        releaseSignals();
        process.stderr.write('[演练] 已结束。\n');
      }
    });
}
