/**
 * `npm run bench:render`'s two anchors and its small helpers, kept out of bench/render.ts so that
 * file reads as the engine's measurement: warm headless Chromium printing the letter's HTML twin
 * (bench/html.ts), warm in-process Typst compiling its Typst twin (bench/typst.ts,
 * bench/typst-compile.py), pdffonts' rows, the process's memory, and the in-place update of the
 * "Document rendering" section of bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadFonts } from '../activities/documents/fonts';
import { renderMarkup } from '../activities/documents/render';
import { markupToTypst, typstFontDirs } from './typst';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/chromium';

export const CHROMIUM_RUNS = 40;
export const TYPST_RUNS = 300;

export function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), min: s[0]! };
}

export async function timeChromium(html: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-render-'));
  const htmlFile = path.join(tmp, 'letter.html');
  fs.writeFileSync(htmlFile, html);
  // launchPersistentContext is how Playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    const url = pathToFileURL(htmlFile).href;
    const body = /<body>([\s\S]*)<\/body>/.exec(html)![1]!;
    type Doc = { body: { innerHTML: string }; fonts: { ready: Promise<unknown> } };
    // Chromium at its warmest: one page, fonts decoded once; each run swaps the body and prints.
    await page.goto(url, { waitUntil: 'load' });
    const once = async () => {
      await page.evaluate((b: string) => {
        const d = (globalThis as unknown as { document: Doc }).document;
        d.body.innerHTML = b;
        return d.fonts.ready.then(() => true);
      }, body);
      return page.pdf({
        preferCSSPageSize: true,
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate:
          '<div style="width:100%;font-size:14pt;text-align:right;padding-right:30mm">— <span class="pageNumber"></span> —</div>',
      });
    };
    for (let i = 0; i < 5; i++) await once(); // warm: browser, page, fonts in memory cache
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < CHROMIUM_RUNS; i++) {
      const t = process.hrtime.bigint();
      const pdf = await once();
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      bytes = pdf.length;
    }
    return {
      ...stats(ms),
      bytes,
      version: execFileSync(CHROMIUM, ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    };
  } finally {
    await context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Warm Typst in-process: the same source N times, then a new letter each time (see typst-compile.py).
 * `one` is the one-page letter's data, `variants` the same letter for other counties and dates,
 * `two` the two-page example letter (for its size).
 */
export function timeTypst(python: string, one: unknown, variants: unknown[], two: unknown) {
  const fonts = loadFonts();
  const typ = (data: unknown) => markupToTypst(renderMarkup('opinion', data).markup, fonts);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-typst-'));
  try {
    const source = path.join(tmp, 'letter.typ');
    fs.writeFileSync(source, typ(one));
    const variantsFile = path.join(tmp, 'variants.json');
    fs.writeFileSync(variantsFile, JSON.stringify(variants.map(typ)));
    const out = path.join(tmp, 'letter.pdf');
    const script = path.join(__dirname, 'typst-compile.py');
    const compile = (warmup: number, runs: number) =>
      JSON.parse(
        execFileSync(
          python,
          [script, source, out, String(warmup), String(runs), variantsFile, ...typstFontDirs(fonts)],
          { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        ),
      ) as { ms: number[]; msVaried: number[]; bytes: number; version: string };
    const r = compile(20, TYPST_RUNS);
    const pages = Number(
      /Pages:\s*(\d+)/.exec(
        execFileSync('pdfinfo', [out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      )?.[1],
    );
    // The two-page example letter as Typst sets it, for its size.
    fs.writeFileSync(source, typ(two));
    const twoPage = compile(0, 1);
    return {
      same: { ...stats(r.ms), bytes: r.bytes },
      varied: stats(r.msVaried),
      version: r.version,
      pages,
      twoPageBytes: twoPage.bytes,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** pdffonts' rows for a PDF: every font must be embedded and subset. */
export function fontRows(pdf: Buffer): { name: string; emb: boolean; sub: boolean }[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fonts-'));
  try {
    const file = path.join(tmp, 'letter.pdf');
    fs.writeFileSync(file, pdf);
    return execFileSync('pdffonts', [file], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter((l) => l.trim())
      .map((l) => {
        const cols = l.trim().split(/\s+/);
        return { name: cols[0]!, emb: cols.at(-5) === 'yes', sub: cols.at(-4) === 'yes' };
      });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** This process's resident memory now and at its peak so far (VmRSS, VmHWM), in MiB. */
export function memory(): { rss: number; peak: number } {
  const s = fs.readFileSync('/proc/self/status', 'utf8');
  const mib = (k: string) => Number(new RegExp(`${k}:\\s*(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
  return { rss: mib('VmRSS'), peak: mib('VmHWM') };
}

export function machine(): string {
  const cpu =
    /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
    os.cpus()[0]?.model ??
    'unknown';
  const mem =
    execFileSync('free', ['-h'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.startsWith('Mem:'))
      ?.split(/\s+/)[1] ?? '?';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return `${nproc} × ${cpu}, ${mem} memory, Node ${process.version}`;
}

/**
 * Replaces the "Document rendering" section of bench/RESULTS.md where it stands (appends it when
 * missing), so a new run changes only its own lines and the sections around it keep their order.
 */
export function record(section: string) {
  const file = path.join(__dirname, 'RESULTS.md');
  const heading = '## Document rendering\n';
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(heading);
  if (start < 0) {
    fs.writeFileSync(file, `${text.trimEnd()}\n\n${section.trimEnd()}\n`);
    return;
  }
  const next = text.indexOf('\n## ', start + heading.length);
  const after = next >= 0 ? text.slice(next) : ''; // from the blank line before the next heading
  fs.writeFileSync(file, `${text.slice(0, start)}${section.trimEnd()}\n${after}`);
}
