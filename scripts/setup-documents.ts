/**
 * Installs what document rendering and its tests need from Debian, when missing:
 * - texlive-lang-chinese: the Fandol 仿宋 and 楷体 faces (FandolFang, FandolKai), the only packaged
 *   FangSong that covers Simplified Chinese (the Noto faces come from npm and need nothing here);
 * - poppler-utils: pdftotext, pdffonts, pdfinfo, pdftoppm for the tests and the README picture;
 * - chromium, on request: the benchmark's comparison.
 * Idempotent: a second run finds everything and does nothing.
 */
import { spawnSync } from 'node:child_process';

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
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });

/** Installs the missing Debian packages with apt-get; resolves when all are present. */
export async function ensureDocumentTools(opts: DocumentToolsOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const wanted = ['poppler-utils', 'texlive-lang-chinese', ...(opts.chromium ? ['chromium'] : [])];
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    throw new Error(`此系统不是 Debian/Ubuntu，无法自动安装 ${wanted.join('、')}；请手动安装后重试`);
  }
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`缺少 Debian 包 ${missing.join('、')}；请以 root 身份运行：apt-get install -y --no-install-recommends ${missing.join(' ')}`);
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

if (require.main === module) {
  ensureDocumentTools({ chromium: process.argv.includes('--chromium') }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
