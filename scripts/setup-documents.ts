/**
 * Installs what document rendering and its tests need from Debian, when missing:
 * - texlive-lang-chinese: the Fandol 仿宋 and 楷体 faces (FandolFang, FandolKai), the only packaged
 *   FangSong that covers Simplified Chinese (the Noto faces come from npm and need nothing here);
 * - poppler-utils: pdftotext, pdffonts, pdfinfo, pdftoppm for the tests and the README picture;
 * - chromium, on request: the benchmark's comparison.
 * And, on request, the benchmark's second comparison: PyPI's `typst` (TYPST_VERSION) in a
 * project-local Python venv, `.tools/typst-venv` (`ensureTypst`; needs python3, and Debian's
 * python3-venv where the system Python lacks venv, installed like the packages above).
 * Idempotent: a second run finds everything and does nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TOOLS_DIR, onPath } from '../worker/temporal-tools';

/** The Typst compiler the benchmark measures against (PyPI `typst`, pinned). */
export const TYPST_VERSION = '0.15.2';
export const TYPST_VENV = path.join(TOOLS_DIR, 'typst-venv');
export const TYPST_PYTHON = path.join(TYPST_VENV, 'bin', 'python');

export interface DocumentToolsOptions {
  /** Also install Debian's chromium (for `npm run bench:render`). */
  chromium?: boolean;
  log?: (line: string) => void;
}

const installed = (pkg: string): boolean => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'install ok installed';
};

const run = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });

/** Installs the missing Debian packages with apt-get; resolves when all are present. */
export async function ensureDocumentTools(opts: DocumentToolsOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const wanted = ['poppler-utils', 'texlive-lang-chinese', ...(opts.chromium ? ['chromium'] : [])];
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    throw new Error(`此系统不是 Debian/Ubuntu，无法自动安装 ${wanted.join('、')}；请手动安装后重试`);
  }
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) return;
  aptInstall(missing, log);
}

/** apt-get install of Debian packages (root only), waiting for dpkg's lock. */
function aptInstall(missing: string[], log: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `缺少 Debian 包 ${missing.join('、')}；请以 root 身份运行：apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
  }
  log(`安装文书所需的 Debian 包：${missing.join('、')}`);
  // Test files running in parallel may all get here on a fresh machine: wait for dpkg's lock
  // instead of failing on it (the second apt-get then finds nothing left to do).
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const install = () => run('apt-get', [...lock, 'install', '-y', '--no-install-recommends', ...missing]);
  let r = install();
  if (r.status !== 0) {
    // Package lists may be absent or stale on a fresh machine: refresh them once and retry.
    const u = run('apt-get', [...lock, 'update']);
    if (u.status !== 0) throw new Error(`apt-get update 失败：\n${u.stderr}`);
    r = install();
  }
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} 失败：\n${r.stderr}`);
  const still = missing.filter((p) => !installed(p));
  if (still.length > 0) throw new Error(`安装后仍缺少：${still.join('、')}`);
}

const typstInstalled = () =>
  existsSync(TYPST_PYTHON) &&
  spawnSync(TYPST_PYTHON, ['-c', `import importlib.metadata as m; assert m.version('typst') == '${TYPST_VERSION}'`])
    .status === 0;

/**
 * PyPI's `typst` (TYPST_VERSION) in `.tools/typst-venv` (git-ignored), for `npm run bench:render`;
 * returns the venv's python. Creates the venv with the system's python3 the first time (on Debian
 * without venv support, installs python3-venv first) and pip-installs the pinned version into it.
 */
export function ensureTypst(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  if (typstInstalled()) return TYPST_PYTHON;
  const python = onPath('python3');
  if (!python) throw new Error('需要 python3 来安装基准测试用的 Typst（PyPI 包 typst）');
  log(`安装基准测试用的 Typst ${TYPST_VERSION}（PyPI）到 .tools/typst-venv`);
  if (!existsSync(TYPST_PYTHON)) {
    let r = run(python, ['-m', 'venv', TYPST_VENV]);
    if (r.status !== 0 && spawnSync('dpkg-query', ['--version']).status === 0 && !installed('python3-venv')) {
      aptInstall(['python3-venv'], log);
      r = run(python, ['-m', 'venv', '--clear', TYPST_VENV]);
    }
    if (r.status !== 0) throw new Error(`python3 -m venv 失败：\n${r.stderr}`);
  }
  const pip = run(TYPST_PYTHON, [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '-q',
    `typst==${TYPST_VERSION}`,
  ]);
  if (pip.status !== 0 || !typstInstalled())
    throw new Error(`pip install typst==${TYPST_VERSION} 失败：\n${pip.stderr}`);
  return TYPST_PYTHON;
}

if (require.main === module) {
  if (process.argv.includes('--typst')) ensureTypst();
  ensureDocumentTools({ chromium: process.argv.includes('--chromium') }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
