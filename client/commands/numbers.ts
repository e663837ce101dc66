/** `guidance numbers --year Y`: the number register (发文登记) — every number issued or voided; `numbers void` voids one. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { config as envConfig } from '../../config/env';
import { configuredArchive } from '../record';
import { connectClient } from '../../config/temporal';
import { SERIES_LABEL, numberRegister } from '../numbers';
import { registerVoidNumberCommand } from './void-number';
import { bureauOption, yearOption } from './options';

export function registerNumbersCommand(program: Command): void {
  const numbers = program
    .command('numbers')
    .description('发文登记：本年度每个文号用于哪份文书，或作废及理由')
    .requiredOption('--year <year>', '年度')
    .option('--bureau <code>', '市局代码（默认取计划文件）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--json', '输出 JSON')
    .action(async (opts: { year: string; bureau?: string; plan: string; json?: boolean }) => {
      const year = yearOption(opts.year);
      const bureau = bureauOption(opts);
      // A series Temporal no longer keeps is read from the programme's archive (rows marked so).
      const rows = await numberRegister(await connectClient(), year, bureau, configuredArchive());
      if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      if (rows.length === 0) return void process.stdout.write(`${year} 年度尚未分配文号\n`);
      const archived = new Set(rows.filter((r) => r.source === 'archive').map((r) => SERIES_LABEL[r.series]));
      const t = new Table({
        head: ['文号系列', '序号', '用于', '状态'],
        style: { compact: true, head: [], border: [] },
      });
      for (const r of rows)
        t.push([SERIES_LABEL[r.series], r.number, r.requestId, r.status === 'void' ? `作废：${r.reason}` : '已发文']);
      process.stdout.write(`${t.toString()}\n`);
      if (archived.size)
        process.stdout.write(`（来自归档：${[...archived].join('、')}——Temporal 已不再保留这些文号系列的工作流）\n`);
    });
  registerVoidNumberCommand(numbers);
}
