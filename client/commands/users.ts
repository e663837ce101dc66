/** `guidance users hash-password [--token]` and `guidance users check [FILE]`. */
import type { Command } from 'commander';
import { ROLE_LABEL } from '../../workflows/contracts/common';
import { config } from '../../config/env';
import { hashPassword, hashToken, newToken } from '../passwords';
import { EXIT, UserError } from '../programme';
import { loadUsers, UsersError, type Users } from '../users';

/** Reads one line from stdin; on a terminal the typed characters are not echoed. */
async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new UserError('已取消', EXIT.refused));
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    stdin.on('data', onData);
  });
}

/** `guidance users hash-password [--token]` and `guidance users check [FILE]`. */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('HTTP 接口与看板的用户（用户文件 GUIDANCE_USERS）');
  users
    .command('hash-password')
    .description('生成密码的 scrypt 散列（从标准输入读取密码），或用 --token 生成新的接口令牌及其散列')
    .option('--token', '生成随机接口令牌：令牌只显示一次，散列写入用户文件 tokens')
    .action(async (opts: { token?: boolean }) => {
      if (opts.token) {
        const token = newToken();
        process.stdout.write(
          `令牌（只显示这一次，请交给使用者）：${token}\n写入用户文件 tokens：${hashToken(token)}\n`,
        );
        return;
      }
      const password = await readSecret('密码：');
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
  users
    .command('check')
    .description('检查用户文件')
    .argument('[file]', '用户文件', config().usersFile)
    .action((file: string) => {
      let list: Users;
      try {
        list = loadUsers(file);
      } catch (err) {
        if (err instanceof UsersError) throw new UserError(err.message, EXIT.badInput, 'InvalidInput');
        throw err;
      }
      for (const u of list.records) {
        process.stdout.write(
          `${u.id}\t${ROLE_LABEL[u.role]}${u.county ? `（${u.county}）` : ''}\t${u.password ? '密码' : ''}${u.tokens.length ? ` 令牌×${u.tokens.length}` : ''}\n`,
        );
      }
    });
}
