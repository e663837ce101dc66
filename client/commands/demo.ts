/**
 * `guidance demo`: a whole year of the example plan in a few minutes on the embedded default —
 * compressed dates, simulated supervisors, leaders and counties (some late, to exercise every rung
 * of the ladder), every letter and email in the outbox, a progress bar, and each county's outcome.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import path from 'node:path';
import { ensureDevServer } from '../../worker/service';
import { createWorker } from '../../worker/worker';
import { STAGE_LABEL } from '../../workflows/shared/labels';
import { runDemo, progressBar } from '../demo';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../../config/plan';
import { EXIT, UserError } from '../programme';
import { connectClient, loadTemporalConfig } from '../../config/temporal';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('演示：在本机默认环境中以压缩时间运行示例计划的一整年（模拟指导组、领导和县区）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--day-ms <ms>', '每个模拟日的真实毫秒数（默认 400：一年约 3 分钟）', '400')
    .option('--json', '输出 JSON')
    .action(async (opts: { plan: string; dayMs: string; json?: boolean }) => {
      const msPerDay = Number(opts.dayMs);
      if (!Number.isInteger(msPerDay) || msPerDay < 50 || msPerDay > 86_400_000) throw new UserError(`--day-ms 应为 50 以上的整数：${opts.dayMs}`, EXIT.badInput);
      const config = loadTemporalConfig();
      const base = loadPlanFile(opts.plan);
      const year = new Date().getFullYear() + 1;
      // A bureau code of its own per run, so demos never collide with the real programme or each other.
      const plan = { ...base, year, bureau: { ...base.bureau, code: `demo${Date.now().toString(36)}` }, counties: base.counties.map((c) => ({ ...c, date: undefined })) };
      const service = config.external ? undefined : await ensureDevServer(config);
      const worker = await createWorker(config);
      const running = worker.run();
      try {
        const client = await connectClient(config);
        const tty = process.stderr.isTTY;
        let last = '';
        const { programme, outcomes } = await runDemo({
          client,
          plan,
          taskQueue: config.taskQueue,
          msPerDay,
          startDate: `${year - 1}-12-20`,
          evidenceDir: path.join(config.dataDir, 'evidence'),
          onProgress: (p) => {
            const line = progressBar(p);
            if (line === last) return;
            last = line;
            process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
          },
        });
        if (tty) process.stderr.write('\n');
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ programme: programme.bureau, year, outcomes }, null, 2)}\n`);
          return;
        }
        const t = new Table({ head: ['县区', '模拟情形', '指导日期', '意见书', '整改期限', '督办层级', '督办文书', '报告', '逾期', '扣分', '结果'], style: { head: [], border: [] } });
        const profileName = { onTime: '按期整改', returnOnce: '退回一次', urge: '催办后报告', supervise: '督办后报告', warning: '警示后报告', summons: '约谈后报告', bulletin: '通报后报告' } as const;
        for (const o of outcomes) {
          t.push([o.name, profileName[o.profile], o.visitDate, o.docNumber ?? '—', o.dueDate ?? '—', o.rung, o.escalations, o.reports, o.late ? '是' : '否', o.deductPoints, o.stage === 'closed' ? STAGE_LABEL.closed : o.stage]);
        }
        process.stdout.write(`${t.toString()}\n`);
        process.stdout.write(`信件与邮件：${envConfig().mail.outboxDir}（.eml）和 ${path.join(config.dataDir, 'archive')}（PDF、归档清单）\n`);
        if (service) process.stdout.write(`Temporal Web UI：${service.uiUrl}/namespaces/${config.namespace}/workflows\n`);
      } finally {
        worker.shutdown();
        await running;
        await service?.stop();
      }
    });
}
