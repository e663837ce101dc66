/**
 * A private PostgreSQL 15 (Debian's package) for the self-hosted cluster (`npm run cluster`) and
 * the tests that need one: `initdb` under a directory of the caller's, listening on 127.0.0.1 only,
 * trust authentication on loopback (nothing but this machine can reach it), stopped with
 * `pg_ctl stop -m fast`. A second start on the same directory reuses its databases.
 *
 * initdb and postgres refuse to run as root, so as root both run as the `postgres` OS user
 * (`runuser -u postgres --`) on a directory chowned to it; as any other user they run as that user.
 */
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts PostgreSQL 15's server programs (package postgresql-15). */
export const PG_BIN = process.env.GUIDANCE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface RunningPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth: no password). */
  url: string;
  port: number;
  /** The data directory (PGDATA). */
  dir: string;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function asRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs one of PostgreSQL's programs, as the `postgres` user when we are root. */
async function pg(program: string, args: string[]): Promise<string> {
  const bin = path.join(PG_BIN, program);
  const [file, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    const { stdout } = await run(file, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; code?: number };
    throw new Error(
      `PostgreSQL 命令 ${program} 失败（退出码 ${e.code}）：${(e.stderr || e.stdout || String(err)).trim()}`,
    );
  }
}

/** Gives the directory to the `postgres` user (as root) with mode 0700, as postgres requires. */
function ownDataDir(dir: string): void {
  // Only the data directory itself is private (postgres insists); its parents keep the usual mode.
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!asRoot()) return;
  // The postgres user must be able to pass through every parent (mkdtemp makes 0700 directories).
  for (let p = path.dirname(dir); p !== path.dirname(p); p = path.dirname(p))
    if ((statSync(p).mode & 0o001) === 0)
      throw new Error(`postgres 用户无法进入目录 ${p}（缺少其他用户的执行权限）：请 chmod o+x 该目录或换一个数据目录`);
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
}

/**
 * Starts PostgreSQL on `dir` (initdb first when the directory holds no cluster) on `port` or a
 * free loopback port. The caller stops it; a crashed earlier run's server on `dir` is stopped first.
 */
export async function startPostgres(opts: { dir: string; port?: number }): Promise<RunningPostgres> {
  const dir = path.resolve(opts.dir);
  if (!existsSync(path.join(PG_BIN, 'initdb')))
    throw new Error(`找不到 PostgreSQL 15（${PG_BIN}）：请安装 Debian 软件包 postgresql-15`);
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    ownDataDir(dir);
    await pg('initdb', [
      '-D',
      dir,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-instructions',
    ]).catch((err: Error) => {
      throw new Error(`${err.message}（数据目录的每一级上级目录都须允许 postgres 用户进入）`);
    });
    // Loopback only, and no Unix socket (its default directory may not exist or be writable here).
    const conf = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", 'max_connections = 200'];
    appendFileSync(path.join(dir, 'postgresql.conf'), `\n# guidance cluster\n${conf.join('\n')}\n`);
  } else if (existsSync(path.join(dir, 'postmaster.pid'))) {
    // Left by a run that did not stop it; pg_ctl refuses to start a second server on the directory.
    await pg('pg_ctl', ['stop', '-D', dir, '-m', 'fast', '-w']).catch(() => undefined);
  }
  const port = opts.port ?? (await freePort());
  await pg('pg_ctl', ['start', '-D', dir, '-w', '-t', '60', '-l', path.join(dir, 'postgres.log'), '-o', `-p ${port}`]);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg('pg_ctl', ['stop', '-D', dir, '-m', 'fast', '-w', '-t', '60']);
    },
  };
}
