/**
 * A `guidance` program with only the stats command, so tests can run the CLI as a subprocess and
 * see its real exit codes and output. Errors are handled as client/cli.ts handles them: usage
 * errors exit 2, a UserError prints “错误：…” and exits with its code.
 */
import { Command, CommanderError } from 'commander';
import { registerStatsCommand } from '../../client/commands/stats';
import { UserError } from '../../client/programme';

async function main(argv: string[]): Promise<number> {
  const program = new Command('guidance').exitOverride();
  registerStatsCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UserError) {
      process.stderr.write(`错误：${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
