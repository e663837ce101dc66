/** Worker processes for the fault tests: started from worker/index.ts, killed with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Starts `worker/index.ts` with `env`; resolves once it polls. */
export function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', 'worker/index.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let seen = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${seen.slice(-1500)}`)));
    child.stderr!.on('data', (d: Buffer) => {
      if (seen.length < 200_000) seen += d.toString();
      if (seen.includes("state: 'RUNNING'")) {
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

/** SIGKILL, resolved when the process is gone. */
export function kill9(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
