/**
 * `guidance todo --as ID [--year Y] [--json]`: the to-do inbox (待办) of one user of the users file,
 * most urgent first — the same list the dashboard opens on (client/todo.ts).
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { connectClient, loadTemporalConfig } from '../../config/temporal';
import { ROLE_LABEL } from '../../workflows/contracts/common';
import { TODO_KIND_LABEL, daysText } from '../../workflows/shared/todo';
import { EXIT, UserError } from '../programme';
import { todoFor } from '../todo';
import { loadUsers } from '../users';
import { yearOption } from './options';

interface TodoOpts {
  as: string;
  year?: string;
  bureau?: string;
  plan: string;
  users: string;
  json?: boolean;
}

export function registerTodoCommand(program: Command): void {
  program
    .command('todo')
    .description('某个用户的待办事项（最紧急的在前）：待审批、待审核、待签收、待报送、逾期、故障')
    .requiredOption('--as <id>', '用户名（用户文件中的 id）')
    .option('--year <year>', '年度')
    .option('--bureau <code>', '市局代码（默认取计划文件中的）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--users <file>', '用户文件', envConfig().usersFile)
    .option('--json', '输出 JSON')
    .action(async (opts: TodoOpts) => {
      let year: number | undefined;
      if (opts.year !== undefined) {
        year = yearOption(opts.year);
      }
      const user = loadUsers(opts.users).get(opts.as);
      if (!user) throw new UserError(`用户文件中没有用户 ${opts.as}`, EXIT.notFound);
      const bureau = opts.bureau ?? loadPlanFile(opts.plan).bureau.code;
      const temporal = loadTemporalConfig();
      const client = await connectClient(temporal);
      try {
        const items = await todoFor(client, bureau, user, { year });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
          return;
        }
        const t = new Table({
          head: ['期限', '事项', '类别', '县区', '案件'],
          style: { compact: true, head: [], border: [] },
        });
        for (const i of items)
          t.push([
            [i.due ?? '', daysText(i.daysLeft)].filter(Boolean).join(' '),
            i.title,
            TODO_KIND_LABEL[i.kind],
            i.countyName,
            i.caseId,
          ]);
        const who = `${user.name ?? user.id}（${ROLE_LABEL[user.role]}）`;
        process.stdout.write(
          items.length ? `${who}的待办：\n${t.toString()}\n共 ${items.length} 项\n` : `${who}没有待办事项。\n`,
        );
      } finally {
        await client.connection.close();
      }
    });
}
