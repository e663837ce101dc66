/**
 * `guidance programme start|status|reschedule|add|stats|cancel|retry` (`guidance plan check` is in plan.ts).
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import {
  EXIT,
  UserError,
  addCounty,
  cancelVisit,
  recordStatistics,
  reschedule,
  retryProgramme,
  startProgramme,
} from '../programme';
import { configuredArchive, readProgramme, type ProgrammeRecord } from '../record';
import { readStatistics, statisticsArgs } from '../statistics';
import { connectClient, loadTemporalConfig } from '../../config/temporal';
import { VISIT_STATUS_LABEL, type ProgrammeState } from '../../workflows/contracts/programme';
import { Role, type Actor } from '../../workflows/contracts/common';
import { CountySchema, formatIssues } from '../../workflows/shared/plan';
import { registerPlanCommands } from './plan';
import { actorOption, bureauOption, yearOption } from './options';

interface ActorOpts {
  by?: string;
  role?: string;
}

/** The person acting: `--by` and `--role`, defaulting to the operator as administrator. */
const actorFrom = (opts: ActorOpts): Actor => actorOption(opts, 'admin');
const bureauFrom = bureauOption;
const year = yearOption;

/** Prints the schedule as a table, or JSON with --json. */
export function printSchedule(state: ProgrammeState, json: boolean, from?: Omit<ProgrammeRecord, 'state'>): void {
  const archived = from?.source === 'archive';
  if (json) {
    // From the archive: marked as a visit's status is (`source`, the manifest).
    process.stdout.write(
      `${JSON.stringify(archived ? { ...state, source: from.source, archive: from.archive } : state, null, 2)}\n`,
    );
    return;
  }
  const table = new Table({
    head: ['县区', '代码', '指导日期', '状态', '来源', '备注'],
    style: { compact: true, head: [], border: [] },
  });
  const origin = { plan: '计划指定', scheduler: '自动排期', rescheduled: '已改期', added: '新增' } as const;
  for (const e of [...state.entries].sort((a, b) => a.date.localeCompare(b.date))) {
    table.push([e.countyName, e.county, e.date, VISIT_STATUS_LABEL[e.status], origin[e.origin], e.note ?? '']);
  }
  process.stdout.write(
    `${state.bureauName} ${state.year} 年度执法指导计划（今天 ${state.today}${state.finished ? '，已全部结束' : ''}）\n`,
  );
  process.stdout.write(`${table.toString()}\n`);
  for (const bend of state.bends) process.stdout.write(`注意：${bend}\n`);
  if (archived)
    process.stdout.write(
      `（来自归档：Temporal 已不再保留该计划的工作流；归档清单 sha256 ${from.archive?.manifestSha256.slice(0, 16) ?? ''}…，记录截至 ${state.today}）\n`,
    );
}

export function registerProgrammeCommands(program: Command): void {
  registerPlanCommands(program);
  const programme = program.command('programme').description('年度执法指导计划');

  programme
    .command('start')
    .description('按计划文件启动年度执法指导计划')
    .option('--plan <file>', '计划文件（YAML）', envConfig().planFile)
    .option('--json', '输出 JSON')
    .action(async (opts: { plan: string; json?: boolean }) => {
      const plan = loadPlanFile(opts.plan);
      const config = loadTemporalConfig();
      const client = await connectClient(config);
      const handle = await startProgramme(client, plan, { taskQueue: config.taskQueue });
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}\n`,
        );
      else process.stdout.write(`已启动 ${plan.bureau.name} ${plan.year} 年度执法指导计划：${handle.workflowId}\n`);
    });

  programme
    .command('status')
    .description('查看年度计划的排期与各县区状态')
    .requiredOption('--year <year>', '年度')
    .option('--bureau <code>', '市局代码（默认取计划文件中的）')
    .option('--plan <file>', '计划文件，用来确定市局代码', envConfig().planFile)
    .option('--json', '输出 JSON')
    .action(async (opts: { year: string; bureau?: string; plan: string; json?: boolean }) => {
      const y = year(opts.year);
      const bureau = bureauFrom(opts);
      const client = await connectClient();
      const { state, ...from } = await readProgramme(client, y, bureau, configuredArchive());
      printSchedule(state, Boolean(opts.json), from);
    });

  programme
    .command('reschedule')
    .description('调整一个县区的指导日期（须填写理由）')
    .requiredOption('--year <year>', '年度')
    .requiredOption('--county <code>', '县区代码')
    .requiredOption('--date <YYYY-MM-DD>', '新的指导日期')
    .requiredOption('--reason <text>', '理由')
    .option('--bureau <code>', '市局代码')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人')
    .option('--role <role>', `角色（${Role.options.join('/')}）`)
    .option('--json', '输出 JSON')
    .action(
      async (
        opts: ActorOpts & {
          year: string;
          county: string;
          date: string;
          reason: string;
          bureau?: string;
          plan: string;
          json?: boolean;
        },
      ) => {
        const y = year(opts.year);
        const bureau = bureauFrom(opts);
        const args = { actor: actorFrom(opts), county: opts.county, date: opts.date, reason: opts.reason };
        const client = await connectClient();
        const entry = await reschedule(client, y, bureau, args);
        process.stdout.write(
          opts.json ? `${JSON.stringify(entry)}\n` : `已改期：${entry.countyName} → ${entry.date}\n`,
        );
      },
    );

  programme
    .command('add')
    .description('年度中增加一个县区（县区信息为 YAML/JSON 文件）')
    .requiredOption('--year <year>', '年度')
    .requiredOption('--county-file <file>', '县区信息文件（与计划文件中 counties 的一项相同）')
    .requiredOption('--reason <text>', '理由')
    .option('--date <YYYY-MM-DD>', '指导日期（不填则自动安排在负担最轻的月份）')
    .option('--bureau <code>', '市局代码')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人')
    .option('--role <role>', '角色')
    .option('--json', '输出 JSON')
    .action(
      async (
        opts: ActorOpts & {
          year: string;
          countyFile: string;
          reason: string;
          date?: string;
          bureau?: string;
          plan: string;
          json?: boolean;
        },
      ) => {
        let raw: unknown;
        try {
          raw = parseYaml(readFileSync(opts.countyFile, 'utf8'));
        } catch (err) {
          throw new UserError(`无法读取县区信息文件 ${opts.countyFile}：${(err as Error).message}`, EXIT.badInput);
        }
        const county = CountySchema.safeParse(raw);
        if (!county.success)
          throw new UserError(
            `县区信息有误：\n${formatIssues(county.error)
              .map((l) => `  - ${l}`)
              .join('\n')}`,
            EXIT.badInput,
          );
        const y = year(opts.year);
        const bureau = bureauFrom(opts);
        const args = { actor: actorFrom(opts), county: county.data, date: opts.date, reason: opts.reason };
        const client = await connectClient();
        const entry = await addCounty(client, y, bureau, args);
        process.stdout.write(
          opts.json ? `${JSON.stringify(entry)}\n` : `已增加：${entry.countyName}，指导日期 ${entry.date}\n`,
        );
      },
    );

  programme
    .command('stats')
    .description('导入执法统计表：用于月度通报的统计表，并为尚未开始的执法指导预填问题草稿')
    .requiredOption('--year <year>', '年度')
    .requiredOption('--file <path>', '统计表文件（CSV 或 XLSX）')
    .requiredOption('--period <text>', '统计期，如 2027年1—6月')
    .option('--bureau <code>', '市局代码')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人')
    .option('--role <role>', '角色')
    .option('--json', '输出 JSON')
    .action(
      async (
        opts: ActorOpts & { year: string; file: string; period: string; bureau?: string; plan: string; json?: boolean },
      ) => {
        const plan = loadPlanFile(opts.plan);
        const { result, sha256 } = await readStatistics({ path: opts.file }, plan.statistics);
        const fields = statisticsArgs(result, new Map(plan.counties.map((c) => [c.name, c.code])), {
          period: opts.period,
          sourceSha256: sha256,
        });
        const drafts = fields.drafts ?? {};
        const y = year(opts.year);
        const bureau = bureauFrom(opts);
        const args = { actor: actorFrom(opts), ...fields };
        const client = await connectClient();
        const r = await recordStatistics(client, y, bureau, args);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(r)}\n`
            : `已导入 ${r.period} 执法统计：${r.rows} 个单位；问题草稿 ${Object.keys(drafts).length} 个县区\n`,
        );
      },
    );

  programme
    .command('cancel')
    .description('取消一个县区的执法指导（须填写理由）')
    .requiredOption('--year <year>', '年度')
    .requiredOption('--county <code>', '县区代码')
    .requiredOption('--reason <text>', '理由')
    .option('--bureau <code>', '市局代码')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人')
    .option('--role <role>', '角色')
    .option('--json', '输出 JSON')
    .action(
      async (
        opts: ActorOpts & {
          year: string;
          county: string;
          reason: string;
          bureau?: string;
          plan: string;
          json?: boolean;
        },
      ) => {
        const y = year(opts.year);
        const bureau = bureauFrom(opts);
        const args = { actor: actorFrom(opts), county: opts.county, reason: opts.reason };
        const client = await connectClient();
        const entry = await cancelVisit(client, y, bureau, args);
        process.stdout.write(opts.json ? `${JSON.stringify(entry)}\n` : `已取消：${entry.countyName}\n`);
      },
    );

  programme
    .command('retry')
    .description('计划的故障（通报、周交办、日历）排除后重试失败的步骤（管理员）')
    .requiredOption('--year <year>', '年度')
    .option('--incident <id>', '故障编号（默认当前待处理的故障）')
    .option('--note <text>', '处理说明')
    .option('--bureau <code>', '市局代码')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人')
    .option('--role <role>', '角色')
    .option('--json', '输出 JSON')
    .action(
      async (
        opts: ActorOpts & {
          year: string;
          incident?: string;
          note?: string;
          bureau?: string;
          plan: string;
          json?: boolean;
        },
      ) => {
        const y = year(opts.year);
        const bureau = bureauFrom(opts);
        const incident = await retryProgramme(await connectClient(), y, bureau, {
          actor: actorFrom(opts),
          incident: opts.incident,
          note: opts.note,
        });
        process.stdout.write(
          opts.json ? `${JSON.stringify(incident)}\n` : `故障 ${incident.id} 已重试：${incident.what}\n`,
        );
      },
    );
}
