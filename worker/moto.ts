/**
 * A local S3-compatible server for tests (and the cluster proof): moto's server mode, PyPI
 * `moto[server]` (MOTO_VERSION) in the git-ignored `.tools/moto-venv`. Why moto: it keeps the
 * bytes a client sends as the object (a streamed upload's `aws-chunked` framing is decoded, not
 * stored), supports checksums and conditional writes (`If-None-Match: *`), and needs no
 * credentials of its own. `ensureMoto` installs it once (scripts/setup.ts `--test` calls it, so
 * tests never reach a registry); `startMoto` runs one on a loopback port the kernel picks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { onPath, TOOLS_DIR } from './temporal-tools';

export const MOTO_VERSION = '5.2.6';
export const MOTO_VENV = path.join(TOOLS_DIR, 'moto-venv');
const PYTHON = path.join(MOTO_VENV, 'bin', 'python');
const SERVER = path.join(MOTO_VENV, 'bin', 'moto_server');

const installed = () =>
  existsSync(SERVER) &&
  spawnSync(PYTHON, ['-c', `import importlib.metadata as m; assert m.version('moto') == '${MOTO_VERSION}'`]).status ===
    0;

/** Installs moto's server (pinned) into `.tools/moto-venv` unless it is there; returns moto_server's path. */
export function ensureMoto(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  if (installed()) return SERVER;
  const python = onPath('python3');
  if (!python) throw new Error('需要 python3 来安装测试用的 S3 兼容服务器（PyPI 包 moto）');
  log(`安装测试用的 S3 兼容服务器 moto ${MOTO_VERSION}（PyPI）到 .tools/moto-venv`);
  if (!existsSync(PYTHON)) {
    const r = spawnSync(python, ['-m', 'venv', MOTO_VENV], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python3 -m venv 失败（Debian 上需要 python3-venv）：\n${r.stderr}`);
  }
  const pip = spawnSync(
    PYTHON,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', `moto[server]==${MOTO_VERSION}`],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (pip.status !== 0 || !installed())
    throw new Error(`pip install moto[server]==${MOTO_VERSION} 失败：\n${pip.stderr}`);
  return SERVER;
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The server's process id (the benchmarks read its CPU). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts moto's S3 server on a free loopback port; refuses when it is not installed (run set-up). */
export async function startMoto(): Promise<MotoServer> {
  if (!installed()) {
    throw new Error(`缺少 moto ${MOTO_VERSION}：请先运行 npx tsx scripts/setup.ts --test（安装到 .tools/moto-venv）`);
  }
  const child = spawn(SERVER, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`moto 未在 30 秒内启动：\n${output}`)), 30_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Werkzeug names the port the kernel gave it.
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`moto 退出（${code}）：\n${output}`)));
  });
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  // Keep draining its request log so a full pipe never blocks the server.
  child.stdout.resume();
  child.stderr.resume();
  return {
    endpoint,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
