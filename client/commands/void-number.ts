/**
 * `guidance numbers void --year Y --series S --number N --reason T`: voids (作废) a number that no
 * letter carries, for administrators (client/void-number.ts checks the case or programme that
 * drew it first). `--year`, `--bureau` and `--plan` are the parent `numbers` command's options:
 * commander would demand the parent's required `--year` anyway, so the subcommand reads them.
 */
import type { Command } from 'commander';
import { configuredArchive } from '../record';
import { connectClient } from '../../config/temporal';
import { DOC_NUMBER_SERIES } from '../../workflows/contracts/numbering';
import { formatIssues } from '../../workflows/shared/plan';
import { SERIES_LABEL } from '../numbers';
import { EXIT, UserError } from '../programme';
import { VoidNumberRequest, voidNumber } from '../void-number';
import { actorOption, bureauOption, yearOption } from './options';

interface VoidOpts {
  year: string;
  bureau?: string;
  plan: string;
  series: string;
  number: string;
  reason: string;
  by?: string;
  role?: string;
  json?: boolean;
}

export function registerVoidNumberCommand(numbers: Command): void {
  numbers
    .command('void')
    .description('作废一个未用于任何文书的文号（管理员；仍在办理的执法指导的文号由其工作流自行处理）')
    .requiredOption(
      '--series <series>',
      `文号系列（${DOC_NUMBER_SERIES.map((s) => `${s} ${SERIES_LABEL[s]}`).join('；')}）`,
    )
    .requiredOption('--number <n>', '序号')
    .requiredOption('--reason <text>', '作废理由')
    .option('--by <id>', '操作人')
    .option('--role <role>', '角色（默认 admin）')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<VoidOpts>();
      const year = yearOption(opts.year);
      const who = actorOption(opts, 'admin');
      const bureau = bureauOption(opts);
      const archiveDir = configuredArchive();
      // Parsed here so a wrong series is refused before connecting, in the same words voidNumber uses.
      const req = VoidNumberRequest.safeParse({ series: opts.series, number: opts.number, reason: opts.reason });
      if (!req.success) throw new UserError(formatIssues(req.error).join('；'), EXIT.badInput);
      const r = await voidNumber(await connectClient(), year, bureau, req.data, who, archiveDir);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(r, null, 2)}\n`
          : `已作废${SERIES_LABEL[r.series]}系列第 ${r.number} 号（原用于 ${r.requestId}）：${r.reason}\n`,
      );
    });
}
