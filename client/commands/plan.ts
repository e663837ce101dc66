/** `guidance plan check [FILE]`: every fault of a plan file at once, as the programme would place it. */
import type { Command } from 'commander';
import { takeSnapshot } from '../../activities/calendar';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { scheduleProblems, startDay } from '../plan-check';
import { EXIT, UserError } from '../programme';

export function registerPlanCommands(program: Command): void {
  program
    .command('plan')
    .description('计划文件')
    .command('check')
    .argument('[file]', '计划文件（YAML）', envConfig().planFile)
    .description('检查计划文件，列出全部错误')
    .action((file: string) => {
      const plan = loadPlanFile(file);
      const problems = scheduleProblems(plan, startDay());
      if (problems.length > 0)
        throw new UserError(
          `计划文件无法排期（${problems.length} 处）：\n${problems.join('\n')}`,
          EXIT.badInput,
          'InvalidInput',
        );
      process.stdout.write(`计划文件正确：${plan.bureau.name} ${plan.year} 年度，${plan.counties.length} 个县区\n`);
      // A due date can reach into the next year: both must be covered by the published holidays.
      for (const y of [plan.year, plan.year + 1]) {
        if (!takeSnapshot(y).covered)
          process.stdout.write(
            `注意：工作日历尚无 ${y} 年的法定节假日安排，暂按周一至周五计算；国务院公布后用 guidance calendar apply --year ${y} --file <日历文件>（或升级 chinese-days 后 --package）应用到正在进行的计划\n`,
          );
      }
    });
}
