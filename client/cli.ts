/**
 * The `guidance` command line. Tables for people, `--json` for scripts; exit codes:
 * 0 done, 1 refused (the workflow or a check said no), 2 bad input (file, option), 3 not found,
 * 4 Temporal unavailable.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env';
import { PlanError } from './plan';
import { EXIT, UserError } from './programme';
import { registerProgrammeCommands } from './commands/programme';
import { registerStatsCommand } from './commands/stats';
import { registerRenderCommand } from './commands/render';
import { registerVisitCommands } from './commands/visit';
import { registerReportCommand } from './commands/report';
import { registerArchiveCommands } from './commands/archive';
import { registerListCommand } from './commands/list';
import { registerDemoCommand } from './commands/demo';
import { registerSandboxCommand } from './commands/sandbox';
import { registerNumbersCommand } from './commands/numbers';
import { registerUserCommands } from './commands/users';
import { registerTodoCommand } from './commands/todo';
import { registerCalendarCommands } from './commands/calendar';

/** Commander's own usage errors, in Chinese (people read them); anything unknown passes through. */
export function zhCommanderError(text: string): string {
  const rules: [RegExp, string][] = [
    [/error: required option '([^']+)' not specified/, '错误：缺少必填选项 $1'],
    [/error: missing required argument '([^']+)'/, '错误：缺少参数 $1'],
    [/error: unknown option '([^']+)'/, '错误：未知选项 $1'],
    [/error: unknown command '([^']+)'/, '错误：未知命令 $1（guidance --help 查看全部命令）'],
    [/error: option '([^']+)' argument missing/, '错误：选项 $1 缺少取值'],
    [/error: too many arguments/, '错误：参数过多'],
    [
      /error: option '([^']+)' argument '([^']+)' is invalid\. Allowed choices are (.+)\./,
      '错误：选项 $1 的取值 $2 不正确，可选：$3',
    ],
  ];
  for (const [re, zh] of rules)
    if (re.test(text)) return `${text.replace(/^[\s\S]*?(error:.*)$/m, '$1').replace(re, zh)}\n`;
  return text;
}

export function buildProgram(): Command {
  const program = new Command('guidance')
    .description('年度安全生产执法指导 — 计划、执法指导、意见书、整改督办')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(zhCommanderError(text)) });
  registerProgrammeCommands(program);
  registerStatsCommand(program);
  registerRenderCommand(program);
  registerVisitCommands(program);
  registerReportCommand(program);
  registerArchiveCommands(program);
  registerListCommand(program);
  registerDemoCommand(program);
  registerSandboxCommand(program);
  registerNumbersCommand(program);
  registerUserCommands(program);
  registerTodoCommand(program);
  registerCalendarCommands(program);
  return program;
}

function isUnavailable(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /ECONNREFUSED|TransportError|UNAVAILABLE|Failed to connect|connection refused/i.test(text);
}

export async function main(argv: string[]): Promise<number> {
  try {
    // Option defaults come from the configuration, so a bad variable is reported like any bad input.
    const program = buildProgram();
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (err instanceof PlanError || err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.badInput;
    }
    if (err instanceof UserError) {
      process.stderr.write(`错误：${err.message}\n`);
      return err.exitCode;
    }
    if (isUnavailable(err)) {
      process.stderr.write(
        '错误：无法连接 Temporal 服务。本机默认服务由 npm start 启动；外部集群请设置 TEMPORAL_ADDRESS 等环境变量。\n',
      );
      return EXIT.unavailable;
    }
    process.stderr.write(`错误：${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.refused;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
