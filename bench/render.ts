/**
 * `npm run bench:render`: how fast and how small a one-page opinion letter is, against the same
 * letter printed from equivalent HTML by a warm headless Chromium. A benchmark, not a test: it
 * prints its numbers and records them in bench/RESULTS.md under "Document rendering".
 *
 * Second anchor (issue 16): the same letter as Typst source (bench/typst.ts), compiled in-process
 * and warm by PyPI's `typst` (bench/typst-compile.py, installed into .tools/typst-venv by
 * `ensureTypst`), same fonts, timed inside Python around each compile().
 *
 * Targets: issue "Official documents": ≤ 15 ms median with warm fonts, ≤ 80 KB per one-page
 * letter, at least 10× faster than warm Chromium; issue 16: the two-page example letter
 * (`examples/documents/opinion.json`) ≤ 80 KB with the same fonts, and a median below Typst's.
 *
 * Over 300 lines because a benchmark reads as one measurement from top to bottom: the letter, the
 * three renderers, the timing loop and the report stay together so a reader can check what is timed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { fontLoadCount, loadFonts } from '../activities/documents/fonts';
import { renderMarkup, renderPdf } from '../activities/documents/render';
import { BUILTIN_TEMPLATES_DIR, exampleData } from '../activities/documents/templates';
import type { DocumentData } from '../workflows/shared/render-document';
import { ensureDocumentTools, ensureTypst } from '../scripts/setup-documents';
import { markupToHtml } from './html';
import { markupToTypst, typstFontDirs } from './typst';

const OURS_RUNS = 300;
const CHROMIUM_RUNS = 40;
const TYPST_RUNS = 300;
const TARGET = { medianMs: 15, kb: 80, speedup: 10, twoPageKb: 80 };

/** The example opinion letter with a single finding: what fits on one page. */
function onePageLetter(): DocumentData['opinion'] {
  const d = structuredClone(exampleData('opinion') as DocumentData['opinion']);
  d.sections = [
    {
      title: d.sections[0]!.title,
      items: [
        {
          title: '监督检查计划公示和执行',
          problems: ['“双随机”检查计划未在局网站公示，3起行政处罚未录入业务系统。'],
          opinion: '立即公示，补录处罚信息，明确专人负责录入。',
        },
      ],
    },
  ];
  d.enterprises = [];
  return d;
}

/** The one-page letter for another county and visit date (variant i): what a real run renders. */
function variant(i: number): DocumentData['opinion'] {
  const d = onePageLetter();
  const counties = ['香山县', '龙门县', '洛宁县', '伊川县', '嵩县', '栾川县', '汝阳县'];
  d.recipient = `${counties[i % counties.length]}应急管理局`;
  d.visitDate = `2027-04-${String(1 + (i % 19)).padStart(2, '0')}`; // before the issue date (04-20)
  return d;
}
const VARIANTS = 28;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), min: s[0]! };
}

async function timeOurs(data: unknown | ((i: number) => unknown), templatesDir?: string) {
  const dataFor = typeof data === 'function' ? (data as (i: number) => unknown) : () => data;
  for (let i = 0; i < 20; i++) await renderPdf('opinion', dataFor(i), { templatesDir }); // warm-up
  const ms: number[] = [];
  let bytes = 0;
  let pages = 0;
  for (let i = 0; i < OURS_RUNS; i++) {
    const d = dataFor(i);
    const t = process.hrtime.bigint();
    const r = await renderPdf('opinion', d, { templatesDir });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    bytes = r.pdf.length;
    pages = r.pages;
  }
  return { ...stats(ms), bytes, pages };
}

async function timeChromium(html: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-render-'));
  const htmlFile = path.join(tmp, 'letter.html');
  fs.writeFileSync(htmlFile, html);
  // launchPersistentContext is how Playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
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
      version: execFileSync('/usr/bin/chromium', ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    };
  } finally {
    await context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Warm Typst in-process: the same source N times, then a new letter each time (see typst-compile.py). */
function timeTypst(python: string) {
  const fonts = loadFonts();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-typst-'));
  try {
    const source = path.join(tmp, 'letter.typ');
    fs.writeFileSync(source, markupToTypst(renderMarkup('opinion', onePageLetter()).markup, fonts));
    const variants = path.join(tmp, 'variants.json');
    fs.writeFileSync(
      variants,
      JSON.stringify(
        Array.from({ length: VARIANTS }, (_, i) => markupToTypst(renderMarkup('opinion', variant(i)).markup, fonts)),
      ),
    );
    const out = path.join(tmp, 'letter.pdf');
    const script = path.join(__dirname, 'typst-compile.py');
    const r = JSON.parse(
      execFileSync(python, [script, source, out, '20', String(TYPST_RUNS), variants, ...typstFontDirs(fonts)], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      }),
    ) as { ms: number[]; msVaried: number[]; bytes: number; version: string };
    const pages = Number(
      /Pages:\s*(\d+)/.exec(
        execFileSync('pdfinfo', [out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      )?.[1],
    );
    // The two-page example letter as Typst sets it, for its size.
    fs.writeFileSync(source, markupToTypst(renderMarkup('opinion', exampleData('opinion')).markup, fonts));
    const two = JSON.parse(
      execFileSync(python, [script, source, out, '0', '1', variants, ...typstFontDirs(fonts)], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      }),
    ) as { bytes: number };
    return {
      same: { ...stats(r.ms), bytes: r.bytes },
      varied: stats(r.msVaried),
      version: r.version,
      pages,
      twoPageBytes: two.bytes,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** pdffonts' rows for a PDF: every font must be embedded and subset. */
function fontRows(pdf: Buffer): { name: string; emb: boolean; sub: boolean }[] {
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

function machine(): string {
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

/** Replaces (or appends) the "Document rendering" section of bench/RESULTS.md. */
function record(section: string) {
  const file = path.join(__dirname, 'RESULTS.md');
  const heading = '## Document rendering';
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(heading);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + heading.length);
    text = text.slice(0, start) + (next >= 0 ? text.slice(next + 1) : '');
  }
  text = `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  fs.writeFileSync(file, text);
}

async function main() {
  await ensureDocumentTools({ chromium: true });
  const python = ensureTypst();
  const load = os.loadavg();
  const data = onePageLetter();

  const t0 = process.hrtime.bigint();
  const cold = await renderPdf('opinion', data);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (cold.pages !== 1) throw new Error(`基准信件应为一页，实际 ${cold.pages} 页`);

  const ours = await timeOurs(data);
  const oursVaried = await timeOurs(variant);
  const typst = timeTypst(python);
  if (typst.pages !== 1) throw new Error(`Typst 版基准信件应为一页，实际 ${typst.pages} 页`);

  // The same letter with a Song body (<document body="song">), through a template override.
  const songDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-song-'));
  fs.writeFileSync(
    path.join(songDir, 'opinion.hbs'),
    fs
      .readFileSync(path.join(BUILTIN_TEMPLATES_DIR, 'opinion.hbs'), 'utf8')
      .replace('<document title="安全生产执法指导意见书">', '<document title="安全生产执法指导意见书" body="song">'),
  );
  const song = await timeOurs(data, songDir);
  fs.rmSync(songDir, { recursive: true, force: true });

  // The two-page example letter (issue 16's size goal), every font embedded as a subset.
  const two = await renderPdf('opinion', exampleData('opinion'));
  const twoFonts = fontRows(two.pdf);
  const twoEmbedded = twoFonts.length === 6 && twoFonts.every((f) => f.emb && f.sub);

  const html = markupToHtml(renderMarkup('opinion', data).markup, loadFonts());
  const chrome = await timeChromium(html);
  const ratio = chrome.median / ours.median;

  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const rows = [
    ['engine (warm fonts), body 仿宋 FandolFang', ours.median, ours.p95, ours.bytes],
    [
      'engine, the same letter for another county and date each render',
      oursVaried.median,
      oursVaried.p95,
      oursVaried.bytes,
    ],
    ['engine (warm fonts), body 宋 Noto Serif SC', song.median, song.p95, song.bytes],
    [
      `Typst ${typst.version} (PyPI typst) in-process, warm, the same source each compile`,
      typst.same.median,
      typst.same.p95,
      typst.same.bytes,
    ],
    [
      `Typst ${typst.version}, a new letter (another county and date) each compile`,
      typst.varied.median,
      typst.varied.p95,
      typst.same.bytes,
    ],
    [`Chromium page.pdf() warm (${chrome.version})`, chrome.median, chrome.p95, chrome.bytes],
  ] as const;
  const table = [
    '| renderer | median ms | p95 ms | bytes |',
    '|---|---:|---:|---:|',
    ...rows.map(([n, m, p, b]) => `| ${n} | ${m.toFixed(2)} | ${p.toFixed(2)} | ${b} (${kb(b)}) |`),
  ].join('\n');
  const section = `## Document rendering

One-page opinion letter (安全生产执法指导意见书: \`examples/documents/opinion.json\` with a single finding),
${OURS_RUNS} renders after 20 warm-up ones. Typst: the same letter as Typst source (bench/typst.ts) with the same
font files, one \`typst.Compiler\` kept in a Python process, ${TYPST_RUNS} \`compile()\` calls after 20 warm-up ones, each timed
with \`time.perf_counter\` inside Python; first the same source every time (Typst memoizes everything whose input did not
change, so it skips layout), then a new letter each time (${VARIANTS} variants: another county and visit date).
Chromium: the same letter as HTML with the same fonts, one page kept open with its fonts loaded, each run swapping in the
body and calling \`page.pdf()\`, ${CHROMIUM_RUNS} runs after 5 warm-up ones.

Machine: ${machine()}. Load average before the run ${load.map((l) => l.toFixed(2)).join(' / ')}. Run on ${new Date().toISOString().slice(0, 10)}.

${table}

Two-page example letter (\`examples/documents/opinion.json\` as it is): engine ${two.pdf.length} bytes (${kb(two.pdf.length)}), ${two.pages} pages,
${twoFonts.length} fonts, ${twoEmbedded ? 'all embedded as subsets' : 'NOT all embedded as subsets'} (pdffonts); Typst ${typst.twoPageBytes} bytes (${kb(typst.twoPageBytes)}).

- Issue 16: two-page example letter ${kb(two.pdf.length)} with the same fonts embedded (target ≤ ${TARGET.twoPageKb} KB: ${ok(two.pdf.length <= TARGET.twoPageKb * 1024 && twoEmbedded)}).
- Issue 16: median ${ours.median.toFixed(2)} ms against Typst's ${typst.same.median.toFixed(2)} ms for the same source (target below it: ${ok(ours.median < typst.same.median)});
  a new letter each time: ${oursVaried.median.toFixed(2)} ms against Typst's ${typst.varied.median.toFixed(2)} ms (${ok(oursVaried.median < typst.varied.median)}).
- Speed-up over warm Chromium: **${ratio.toFixed(1)}×** (target ≥ ${TARGET.speedup}×: ${ok(ratio >= TARGET.speedup)}).
- Median ${ours.median.toFixed(2)} ms (target ≤ ${TARGET.medianMs} ms: ${ok(ours.median <= TARGET.medianMs)}).
- One-page size ${kb(ours.bytes)} (target ≤ ${TARGET.kb} KB: ${ok(ours.bytes <= TARGET.kb * 1024)}); with the Song body ${kb(song.bytes)}.
- First render in a fresh process (font files read and parsed): ${coldMs.toFixed(0)} ms; font loads in this run: ${fontLoadCount()}.
`;
  process.stdout.write(`${section}\n`);
  record(section);
  process.stdout.write(`Recorded in bench/RESULTS.md\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
