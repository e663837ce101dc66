/**
 * The `guidance` command line. Tables for people, `--json` for scripts; exit codes:
 * 0 done, 1 refused (the workflow or a check said no), 2 bad input (file, option), 3 not found,
 * 4 Temporal unavailable.
 */
import { Command, CommanderError } from 'commander';
import { PlanError } from './plan';
import { EXIT, UserError } from './programme';
import { registerProgrammeCommands } from './commands/programme';
import { registerStatsCommand } from './commands/stats';
import { registerRenderCommand } from './commands/render';
import { registerVisitCommands } from './commands/visit';
import { registerArchiveCommands } from './commands/archive';
import { registerListCommand } from './commands/list';
import { registerDemoCommand } from './commands/demo';
import { registerUserCommands } from './users';

export function buildProgram(): Command {
  const program = new Command('guidance')
    .description('年度安全生产执法指导 — 计划、执法指导、意见书、整改督办')
    .showHelpAfterError()
    .exitOverride();
  registerProgrammeCommands(program);
  registerStatsCommand(program);
  registerRenderCommand(program);
  registerVisitCommands(program);
  registerArchiveCommands(program);
  registerListCommand(program);
  registerDemoCommand(program);
  registerUserCommands(program);
  return program;
}

function isUnavailable(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /ECONNREFUSED|TransportError|UNAVAILABLE|Failed to connect|connection refused/i.test(text);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (err instanceof PlanError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.badInput;
    }
    if (err instanceof UserError) {
      process.stderr.write(`错误：${err.message}\n`);
      return err.exitCode;
    }
    if (isUnavailable(err)) {
      process.stderr.write('错误：无法连接 Temporal 服务。本机默认服务由 npm start 启动；外部集群请设置 TEMPORAL_ADDRESS 等环境变量。\n');
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
