/** The options every `guidance visit …` command takes, and how they become a case and an actor. */
import type { Command } from 'commander';
import { Role, type Actor } from '../../workflows/contracts/common';
import { config as envConfig } from '../../config/env';
import type { VisitRef } from '../visit';
import { actorOption, bureauOption, yearOption } from './options';

export interface Common {
  year: string;
  county: string;
  bureau?: string;
  plan: string;
  by?: string;
  role?: string;
  json?: boolean;
}

export function ref(opts: Common): VisitRef {
  return { year: yearOption(opts.year), county: opts.county, bureau: bureauOption(opts) };
}

export function actor(opts: Common, defaultRole: Actor['role']): Actor {
  return actorOption(opts, defaultRole);
}

export function out(opts: Common, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export function withCommon(cmd: Command): Command {
  return cmd
    .requiredOption('--year <year>', '年度')
    .requiredOption('--county <code>', '县区代码')
    .option('--bureau <code>', '市局代码（默认取计划文件中的）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人 ID')
    .option('--role <role>', `角色（${Role.options.join('/')}）`)
    .option('--json', '输出 JSON');
}
