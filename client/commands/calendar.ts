/**
 * `guidance calendar apply --year Y (--file F | --package) [--as ID] [--json]`: applies the official
 * holidays of a year to the running programme and visits (client/calendar.ts); prints what moved.
 * `guidance calendar show --year Y`: whether the installed package covers the year.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { takeSnapshot } from '../../activities/calendar';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { connectClient } from '../../config/temporal';
import { applyCalendar, loadCalendarFile, snapshotFromPackage } from '../calendar';
import { EXIT, UserError } from '../programme';
import { yearOption } from './options';

interface ApplyOpts {
  year: string;
  file?: string;
  package?: boolean;
  as: string;
  bureau?: string;
  plan: string;
  json?: boolean;
}

export function registerCalendarCommands(program: Command): void {
  const calendar = program.command('calendar').description('工作日历：国务院公布的节假日安排');
  calendar
    .command('apply')
    .description(
      '把一年的法定节假日安排应用到正在进行的年度计划和案件（只调整尚未到来的日期，并通知整改期限变动的县区）',
    )
    .requiredOption('--year <year>', '年度')
    .option('--file <file>', '按国务院通知写的日历文件（YAML：year、source、holidays、workdays）')
    .option('--package', '使用已安装（已升级）的 chinese-days 软件包中的日历')
    .option('--as <id>', '操作的管理员', envConfig().actor)
    .option('--bureau <code>', '市局代码（默认取计划文件中的）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--json', '输出 JSON')
    .action(async (opts: ApplyOpts) => {
      const year = yearOption(opts.year);
      if (Boolean(opts.file) === Boolean(opts.package))
        throw new UserError('请指定 --file <日历文件> 或 --package 之一', EXIT.badInput);
      const cal = opts.file ? loadCalendarFile(opts.file, year) : snapshotFromPackage(year);
      const bureau = opts.bureau ?? loadPlanFile(opts.plan).bureau.code;
      const client = await connectClient();
      try {
        const results = await applyCalendar(client, bureau, { id: opts.as, role: 'admin' }, cal);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
          return;
        }
        const t = new Table({ head: ['工作流', '结果', '调整的日期'], style: { compact: true, head: [], border: [] } });
        for (const r of results)
          t.push([
            r.workflowId,
            r.error ? `未应用：${r.error}` : '已应用',
            (r.result?.moves ?? []).map((m) => `${m.what} ${m.from} → ${m.to}`).join('\n') || '—',
          ]);
        process.stdout.write(`已按“${cal.source}”应用 ${year} 年节假日安排：\n${t.toString()}\n`);
      } finally {
        await client.connection.close();
      }
    });
  calendar
    .command('show')
    .description('已安装的 chinese-days 是否已有某年的节假日安排')
    .requiredOption('--year <year>', '年度')
    .action((opts: { year: string }) => {
      const year = yearOption(opts.year);
      const s = takeSnapshot(year);
      process.stdout.write(
        s.covered
          ? `${year} 年：已有国务院公布的节假日安排（非工作日 ${s.nonWorkingDays.length} 天）\n`
          : `${year} 年：chinese-days 尚无该年节假日安排，按周一至周五计算\n`,
      );
    });
}
