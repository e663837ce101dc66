/**
 * `npm run bench:render`: how fast and how small a one-page opinion letter is, against the same
 * letter printed from equivalent HTML by a warm headless Chromium. A benchmark, not a test: it
 * prints its numbers and records them in bench/RESULTS.md under "Document rendering".
 *
 * Targets (issue "Official documents"): ≤ 15 ms median with warm fonts, ≤ 80 KB per letter, at
 * least 10× faster than warm Chromium.
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
import type { DocumentData } from '../workflows/shared/document-data';
import { ensureDocumentTools } from '../scripts/setup-documents';
import { markupToHtml } from './html';

const OURS_RUNS = 300;
const CHROMIUM_RUNS = 40;
const TARGET = { medianMs: 15, kb: 80, speedup: 10 };

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

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p95: at(0.95), min: s[0]! };
}

async function timeOurs(data: unknown, templatesDir?: string) {
  for (let i = 0; i < 20; i++) await renderPdf('opinion', data, { templatesDir }); // warm-up
  const ms: number[] = [];
  let bytes = 0;
  let pages = 0;
  for (let i = 0; i < OURS_RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = await renderPdf('opinion', data, { templatesDir });
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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
        footerTemplate: '<div style="width:100%;font-size:14pt;text-align:right;padding-right:30mm">— <span class="pageNumber"></span> —</div>',
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
    return { ...stats(ms), bytes, version: execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() };
  } finally {
    await context.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const mem = execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Mem:'))?.split(/\s+/)[1] ?? '?';
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
  const data = onePageLetter();

  const t0 = process.hrtime.bigint();
  const cold = await renderPdf('opinion', data);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (cold.pages !== 1) throw new Error(`基准信件应为一页，实际 ${cold.pages} 页`);

  const ours = await timeOurs(data);

  // The same letter with a Song body (<document body="song">), through a template override.
  const songDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-song-'));
  fs.writeFileSync(
    path.join(songDir, 'opinion.hbs'),
    fs.readFileSync(path.join(BUILTIN_TEMPLATES_DIR, 'opinion.hbs'), 'utf8').replace('<document title="安全生产执法指导意见书">', '<document title="安全生产执法指导意见书" body="song">'),
  );
  const song = await timeOurs(data, songDir);
  fs.rmSync(songDir, { recursive: true, force: true });

  const html = markupToHtml(renderMarkup('opinion', data).markup, loadFonts());
  const chrome = await timeChromium(html);
  const ratio = chrome.median / ours.median;

  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  const rows = [
    ['engine (warm fonts), body 仿宋 FandolFang', ours.median, ours.p95, ours.bytes],
    ['engine (warm fonts), body 宋 Noto Serif SC', song.median, song.p95, song.bytes],
    [`Chromium page.pdf() warm (${chrome.version})`, chrome.median, chrome.p95, chrome.bytes],
  ] as const;
  const table = [
    '| renderer | median ms | p95 ms | bytes |',
    '|---|---:|---:|---:|',
    ...rows.map(([n, m, p, b]) => `| ${n} | ${m.toFixed(2)} | ${p.toFixed(2)} | ${b} (${(b / 1024).toFixed(1)} KB) |`),
  ].join('\n');
  const section = `## Document rendering

One-page opinion letter (安全生产执法指导意见书: \`examples/documents/opinion.json\` with a single finding),
${OURS_RUNS} renders after 20 warm-up ones; Chromium: the same letter as HTML with the same fonts,
one page kept open with its fonts loaded, each run swapping in the body and calling \`page.pdf()\`, ${CHROMIUM_RUNS} runs after 5 warm-up ones.

Machine: ${machine()}. Run on ${new Date().toISOString().slice(0, 10)}.

${table}

- Speed-up over warm Chromium: **${ratio.toFixed(1)}×** (target ≥ ${TARGET.speedup}×: ${ok(ratio >= TARGET.speedup)}).
- Median ${ours.median.toFixed(2)} ms (target ≤ ${TARGET.medianMs} ms: ${ok(ours.median <= TARGET.medianMs)}).
- Size ${(ours.bytes / 1024).toFixed(1)} KB (target ≤ ${TARGET.kb} KB: ${ok(ours.bytes <= TARGET.kb * 1024)}); with the Song body ${(song.bytes / 1024).toFixed(1)} KB.
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
