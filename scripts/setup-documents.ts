/**
 * Installs what document rendering and its tests need from Debian, when missing:
 * - texlive-lang-chinese: the Fandol 仿宋 and 楷体 faces (FandolFang, FandolKai), the only packaged
 *   FangSong that covers Simplified Chinese (the Noto faces come from npm and need nothing here);
 * - poppler-utils: pdftotext, pdffonts, pdfinfo, pdftoppm for the tests and the README picture;
 * - chromium, on request: the benchmark's comparison.
 * And, on request, the benchmark's second comparison: PyPI's `typst` (TYPST_VERSION) in a
 * project-local Python venv, `.tools/typst-venv` (`ensureTypst`; needs python3, and Debian's
 * python3-venv where the system Python lacks venv, installed like the packages above).
 * And the TrueType twins of the CFF faces (Fandol) that the OFD backend embeds (`ensureFontTwins`):
 * PyPI's `fonttools` (FONTTOOLS_VERSION) in `.tools/fonttools-venv` runs scripts/otf-to-ttf.py once
 * per face into `.tools/fonts`, about 17 s each on the first run.
 * Idempotent: a second run finds everything and does nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TWIN_DIR, isCff, loadFonts, twinName } from '../activities/documents/fonts';
import { ROOT, TOOLS_DIR, onPath } from '../worker/temporal-tools';

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

/**
 * PyPI's `pkg` at `version` in the venv `venv` (git-ignored under .tools); returns the venv's
 * python. Creates the venv with the system's python3 the first time (on Debian without venv
 * support, installs python3-venv first) and pip-installs the pinned version into it.
 */
function ensureVenvPackage(
  venv: string,
  pkg: string,
  version: string,
  purpose: string,
  log: (line: string) => void,
): string {
  const python = path.join(venv, 'bin', 'python');
  const have = () =>
    existsSync(python) &&
    spawnSync(python, ['-c', `import importlib.metadata as m; assert m.version('${pkg}') == '${version}'`]).status ===
      0;
  if (have()) return python;
  const system = onPath('python3');
  if (!system) throw new Error(`需要 python3 来安装${purpose}（PyPI 包 ${pkg}）`);
  log(`安装${purpose} ${pkg} ${version}（PyPI）到 .tools/${path.basename(venv)}`);
  if (!existsSync(python)) {
    let r = run(system, ['-m', 'venv', venv]);
    if (r.status !== 0 && spawnSync('dpkg-query', ['--version']).status === 0 && !installed('python3-venv')) {
      aptInstall(['python3-venv'], log);
      r = run(system, ['-m', 'venv', '--clear', venv]);
    }
    if (r.status !== 0) throw new Error(`python3 -m venv 失败：\n${r.stderr}`);
  }
  const pip = run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', `${pkg}==${version}`]);
  if (pip.status !== 0 || !have()) throw new Error(`pip install ${pkg}==${version} 失败：\n${pip.stderr}`);
  return python;
}

const stderrLog = (line: string) => process.stderr.write(`${line}\n`);

/** PyPI's `typst` (TYPST_VERSION) in `.tools/typst-venv`, for `npm run bench:render`; returns the venv's python. */
export function ensureTypst(log: (line: string) => void = stderrLog): string {
  return ensureVenvPackage(TYPST_VENV, 'typst', TYPST_VERSION, '基准测试用的 Typst', log);
}

/** fontTools, which converts the CFF faces to TrueType (scripts/otf-to-ttf.py), pinned. */
export const FONTTOOLS_VERSION = '4.69.1';
const FONTTOOLS_VENV = path.join(TOOLS_DIR, 'fonttools-venv');

/**
 * Makes the TrueType twin of every CFF face the documents use (fonts.ts `ofdFile`), unless an
 * up-to-date one is there: a twin records its source's size and time beside it, so a font package
 * upgrade makes a new twin. Written to a temporary name and renamed, so a worker never reads half
 * a font. Returns the twins' paths.
 */
export function ensureFontTwins(log: (line: string) => void = stderrLog): string[] {
  const sources = [...new Set(Object.values(loadFonts().faces).map((f) => f.file))].filter(isCff);
  if (sources.length === 0) return [];
  mkdirSync(TWIN_DIR, { recursive: true });
  const made: string[] = [];
  for (const source of sources) {
    const twin = path.join(TWIN_DIR, twinName(source));
    const stamp = `${twin}.source`;
    const { size, mtimeMs } = statSync(source);
    const wanted = JSON.stringify({ source: path.basename(source), size, mtimeMs, fonttools: FONTTOOLS_VERSION });
    made.push(twin);
    if (existsSync(twin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) continue;
    const python = ensureVenvPackage(FONTTOOLS_VENV, 'fonttools', FONTTOOLS_VERSION, 'OFD 字体转换工具', log);
    log(`生成 ${path.basename(source)} 的 TrueType 版本（OFD 版式文件用，约 20 秒）…`);
    const partial = `${twin}.partial`;
    const r = run(python, [path.join(ROOT, 'scripts/otf-to-ttf.py'), source, partial]);
    if (r.status !== 0) {
      rmSync(partial, { force: true });
      throw new Error(`字体转换失败（${path.basename(source)}）：\n${r.stderr}`);
    }
    renameSync(partial, twin);
    writeFileSync(stamp, wanted);
  }
  return made;
}

if (require.main === module) {
  if (process.argv.includes('--typst')) ensureTypst();
  ensureDocumentTools({ chromium: process.argv.includes('--chromium') })
    .then(() => ensureFontTwins())
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
