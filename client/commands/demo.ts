/**
 * `guidance demo`: a whole year of the example plan in a few minutes on the embedded default —
 * compressed dates, simulated supervisors, leaders and counties (some late, to exercise every rung
 * of the ladder), a progress bar, and each county's outcome. Kept away from production
 * (client/demo-run.ts): its own bureau code and task queue, mail only to `<outbox>/demo`, every
 * address under demo.invalid, numbers marked 演示, and no cluster unless `--allow-cluster`.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { STAGE_LABEL } from '../../workflows/shared/labels';
import { progressBar } from '../demo';
import { startDemo } from '../demo-run';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { EXIT, UserError } from '../programme';
import { loadTemporalConfig } from '../../config/temporal';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('演示：在本机默认环境中以压缩时间运行示例计划的一整年（模拟指导组、领导和县区；邮件只写入发件箱目录）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--day-ms <ms>', '每个模拟日的真实毫秒数（默认 400：一年约 3 分钟）', '400')
    .option('--allow-cluster', '已设置 TEMPORAL_ADDRESS 时仍在该集群上演示（默认拒绝）')
    .option('--json', '输出 JSON')
    .action(async (opts: { plan: string; dayMs: string; allowCluster?: boolean; json?: boolean }) => {
      const msPerDay = Number(opts.dayMs);
      if (!Number.isInteger(msPerDay) || msPerDay < 50 || msPerDay > 86_400_000)
        throw new UserError(`--day-ms 应为 50 以上的整数：${opts.dayMs}`, EXIT.badInput);
      const tty = process.stderr.isTTY;
      let last = '';
      const demo = await startDemo({
        plan: loadPlanFile(opts.plan),
        temporal: loadTemporalConfig(),
        msPerDay,
        allowCluster: opts.allowCluster ?? false,
        onProgress: (p) => {
          const line = progressBar(p);
          if (line === last) return;
          last = line;
          process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
        },
      });
      try {
        const { plan } = demo;
        process.stderr.write(
          `【演示】${plan.bureau.name} 模拟年度 ${plan.year}，机关代码 ${plan.bureau.code}，任务队列 ${demo.taskQueue}；邮件只写入 ${demo.outboxDir}，不会发出。\n`,
        );
        if (demo.endedEarlier.length)
          process.stderr.write(`上一次未完成的演示留下的 ${demo.endedEarlier.length} 个工作流已结束。\n`);
        const { programme, outcomes } = await demo.result;
        if (tty) process.stderr.write('\n');
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ programme: programme.bureau, year: plan.year, outcomes }, null, 2)}\n`,
          );
          return;
        }
        const t = new Table({
          head: [
            '县区',
            '模拟情形',
            '指导日期',
            '意见书',
            '整改期限',
            '督办层级',
            '督办文书',
            '报告',
            '逾期',
            '扣分',
            '结果',
          ],
          style: { head: [], border: [] },
        });
        const profileName = {
          onTime: '按期整改',
          returnOnce: '退回一次',
          urge: '催办后报告',
          supervise: '督办后报告',
          warning: '警示后报告',
          summons: '约谈后报告',
          bulletin: '通报后报告',
        } as const;
        for (const o of outcomes) {
          t.push([
            o.name,
            profileName[o.profile],
            o.visitDate,
            o.docNumber ?? '—',
            o.dueDate ?? '—',
            o.rung,
            o.escalations,
            o.reports,
            o.late ? '是' : '否',
            o.deductPoints,
            o.stage === 'closed' ? STAGE_LABEL.closed : o.stage,
          ]);
        }
        process.stdout.write(`${t.toString()}\n`);
        process.stdout.write(
          `邮件：${demo.outboxDir}（.eml，收件地址均为 demo.invalid）；信件：${demo.archiveDir}（PDF、归档清单，案件文件夹名含 ${plan.bureau.code}）\n`,
        );
        if (demo.uiUrl)
          process.stdout.write(
            `Temporal Web UI：${demo.uiUrl}/namespaces/${loadTemporalConfig().namespace}/workflows\n`,
          );
      } finally {
        await demo.stop();
      }
    });
}
