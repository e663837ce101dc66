/**
 * `npm run bench:render`: how fast and how small a one-page opinion letter is, as PDF and as OFD
 * (GB/T 33190) from the same layout, against the same letter printed from equivalent HTML by a warm
 * headless Chromium. A benchmark, not a test: it prints its numbers and records them in
 * bench/RESULTS.md under "Document rendering".
 *
 * Second anchor (issue 16): the same letter as Typst source (bench/typst.ts), compiled in-process
 * and warm by PyPI's `typst` (bench/typst-compile.py, installed into .tools/typst-venv by
 * `ensureTypst`), same fonts, timed inside Python around each compile(). Both anchors live in
 * bench/render-anchors.ts.
 *
 * Targets: issue "Official documents": ≤ 15 ms median with warm fonts, ≤ 80 KB per one-page
 * letter, at least 10× faster than warm Chromium; issue 16: the two-page example letter
 * (`examples/documents/opinion.json`) ≤ 80 KB with the same fonts, and a median below Typst's;
 * issue 26: the OFD no slower than the PDF (median) and no larger than the PDF with the same fonts.
 *
 * PDF and OFD are timed the same way, data → bytes (`renderPdf`, `renderOfd`: validation,
 * template, layout, drawing), alternately in one loop so machine load falls on both alike; each
 * iteration renders the same data in both formats, PDF first on even iterations and OFD first on odd.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fontLoadCount, loadFonts } from '../activities/documents/fonts';
import { layoutDocument } from '../activities/documents/layout';
import { writeOfd } from '../activities/documents/ofd';
import { forgetPackedFonts } from '../activities/documents/ofd-package';
import { writePdf } from '../activities/documents/pdf';
import { renderMarkup, renderOfd, renderPdf } from '../activities/documents/render';
import { BUILTIN_TEMPLATES_DIR, exampleData } from '../activities/documents/templates';
import type { DocumentData } from '../workflows/shared/render-document';
import { ensureDocumentTools, ensureTypst } from '../scripts/setup-documents';
import { markupToHtml } from './html';
import {
  CHROMIUM_RUNS,
  TYPST_RUNS,
  fontRows,
  machine,
  memory,
  record,
  stats,
  timeChromium,
  timeTypst,
} from './render-anchors';

const OURS_RUNS = 300;
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

type Format = 'pdf' | 'ofd';
const order = (i: number): Format[] => (i % 2 ? ['ofd', 'pdf'] : ['pdf', 'ofd']);
const median = (xs: number[]) => stats(xs).median;

/**
 * The letter rendered data → bytes in both formats, interleaved (see the header). Returns each
 * format's figures and the median of the paired differences (OFD − PDF of the same iteration).
 */
async function timeOurs(
  data: unknown | ((i: number) => unknown),
  templatesDir?: string,
  opts: { fresh?: boolean } = {},
) {
  const dataFor = typeof data === 'function' ? (data as (i: number) => unknown) : () => data;
  const once = async (f: Format, d: unknown) => {
    if (f === 'pdf') {
      const r = await renderPdf('opinion', d, { templatesDir });
      return { bytes: r.pdf.length, pages: r.pages };
    }
    const r = await renderOfd('opinion', d, { templatesDir });
    return { bytes: r.ofd.length, pages: r.pages };
  };
  for (let i = 0; i < 20; i++) for (const f of order(i)) await once(f, dataFor(i)); // warm-up
  const ms: Record<Format, number[]> = { pdf: [], ofd: [] };
  const last = { pdf: { bytes: 0, pages: 0 }, ofd: { bytes: 0, pages: 0 } };
  for (let i = 0; i < OURS_RUNS; i++) {
    const d = dataFor(i);
    for (const f of order(i)) {
      // The worst case: no face's subset kept from an earlier letter (ofd-package.ts).
      if (opts.fresh && f === 'ofd') forgetPackedFonts();
      const t = process.hrtime.bigint();
      last[f] = await once(f, d);
      ms[f].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return {
    pdf: { ...stats(ms.pdf), ...last.pdf },
    ofd: { ...stats(ms.ofd), ...last.ofd },
    paired: median(ms.ofd.map((o, i) => o - ms.pdf[i]!)),
  };
}

/** The drawing step alone: `writePdf` and `writeOfd` over one layout of the letter, interleaved. */
async function timeDrawing(data: unknown) {
  const fonts = loadFonts();
  const laid = layoutDocument(renderMarkup('opinion', data).markup, fonts);
  const meta = {
    title: '安全生产执法指导意见书',
    author: '河洛市应急管理局',
    subject: '指导意见书',
    created: new Date(),
  };
  const once = (f: Format) => (f === 'pdf' ? writePdf(laid, meta, fonts) : writeOfd(laid, meta, fonts));
  for (let i = 0; i < 20; i++) for (const f of order(i)) await once(f);
  const ms: Record<Format, number[]> = { pdf: [], ofd: [] };
  for (let i = 0; i < OURS_RUNS; i++) {
    for (const f of order(i)) {
      const t = process.hrtime.bigint();
      await once(f);
      ms[f].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return { pdf: stats(ms.pdf), ofd: stats(ms.ofd) };
}

/** The OFD's TrueType twins of the CFF faces, made by set-up in a child process if missing (loading fonts here would warm them). */
function ensureTwins() {
  execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../scripts/setup-documents.ts')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function main() {
  await ensureDocumentTools({ chromium: true });
  const python = ensureTypst();
  ensureTwins();
  const load = os.loadavg();
  const data = onePageLetter();

  // A fresh process: the first PDF reads and parses the font files; the first OFD after it
  // compiles HarfBuzz and loads each face it draws into its own instance (font-subset.ts).
  const m0 = memory();
  const t0 = process.hrtime.bigint();
  const cold = await renderPdf('opinion', data);
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (cold.pages !== 1) throw new Error(`基准信件应为一页，实际 ${cold.pages} 页`);
  const m1 = memory();
  const t1 = process.hrtime.bigint();
  const coldOfd = await renderOfd('opinion', data);
  const coldOfdMs = Number(process.hrtime.bigint() - t1) / 1e6;
  if (coldOfd.pages !== 1) throw new Error(`基准信件的 OFD 应为一页，实际 ${coldOfd.pages} 页`);
  const m2 = memory();

  const ours = await timeOurs(data);
  const oursVaried = await timeOurs(variant);
  const oursFresh = await timeOurs(variant, undefined, { fresh: true });
  const drawing = await timeDrawing(data);
  const twoData = exampleData('opinion');
  const typst = timeTypst(
    python,
    onePageLetter(),
    Array.from({ length: VARIANTS }, (_, i) => variant(i)),
    twoData,
  );
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

  // The two-page example letter (issue 16's size goal), every font embedded as a subset; and as OFD.
  const two = await renderPdf('opinion', twoData);
  const twoOfd = await renderOfd('opinion', twoData);
  const twoFonts = fontRows(two.pdf);
  const twoEmbedded = twoFonts.length === 6 && twoFonts.every((f) => f.emb && f.sub);
  const m3 = memory();

  const html = markupToHtml(renderMarkup('opinion', data).markup, loadFonts());
  const chrome = await timeChromium(html);
  const ratio = chrome.median / ours.pdf.median;

  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const mib = (x: number) => `${x.toFixed(0)} MiB`;
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)} ms`;
  const rows = [
    ['engine PDF (warm fonts), body 仿宋 FandolFang', ours.pdf.median, ours.pdf.p95, ours.pdf.bytes],
    ['engine OFD (warm fonts), the same letter', ours.ofd.median, ours.ofd.p95, ours.ofd.bytes],
    [
      'engine PDF, the same letter for another county and date each render',
      oursVaried.pdf.median,
      oursVaried.pdf.p95,
      oursVaried.pdf.bytes,
    ],
    [
      'engine OFD, another county and date each render',
      oursVaried.ofd.median,
      oursVaried.ofd.p95,
      oursVaried.ofd.bytes,
    ],
    [
      'engine OFD, another county each render, no font subset kept from an earlier letter',
      oursFresh.ofd.median,
      oursFresh.ofd.p95,
      oursFresh.ofd.bytes,
    ],
    ['engine PDF (warm fonts), body 宋 Noto Serif SC', song.pdf.median, song.pdf.p95, song.pdf.bytes],
    ['engine OFD, body 宋 Noto Serif SC', song.ofd.median, song.ofd.p95, song.ofd.bytes],
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
  const speedOk = (r: typeof ours) => ok(r.ofd.median <= r.pdf.median);
  const section = `## Document rendering

One-page opinion letter (安全生产执法指导意见书: \`examples/documents/opinion.json\` with a single finding),
${OURS_RUNS} renders in each format after 20 warm-up ones, each timed from data to bytes (\`renderPdf\`, \`renderOfd\`:
validation, template, layout, drawing). PDF and OFD alternate in one loop (each iteration renders the same data in both,
PDF first on even iterations and OFD first on odd), so machine load falls on both alike. Typst: the same letter as Typst source (bench/typst.ts) with the same
font files, one \`typst.Compiler\` kept in a Python process, ${TYPST_RUNS} \`compile()\` calls after 20 warm-up ones, each timed
with \`time.perf_counter\` inside Python; first the same source every time (Typst memoizes everything whose input did not
change, so it skips layout), then a new letter each time (${VARIANTS} variants: another county and visit date).
Chromium: the same letter as HTML with the same fonts, one page kept open with its fonts loaded, each run swapping in the
body and calling \`page.pdf()\`, ${CHROMIUM_RUNS} runs after 5 warm-up ones.

Machine: ${machine()}. Load average before the run ${load.map((l) => l.toFixed(2)).join(' / ')}. Run on ${new Date().toISOString().slice(0, 10)}.

${table}

The drawing step alone (one layout of the one-page letter, \`writePdf\` and \`writeOfd\` alternating, ${OURS_RUNS} each):
PDF median ${drawing.pdf.median.toFixed(2)} ms (p95 ${drawing.pdf.p95.toFixed(2)}), OFD median ${drawing.ofd.median.toFixed(2)} ms (p95 ${drawing.ofd.p95.toFixed(2)}).

Two-page example letter (\`examples/documents/opinion.json\` as it is): engine PDF ${two.pdf.length} bytes (${kb(two.pdf.length)}), ${two.pages} pages,
${twoFonts.length} fonts, ${twoEmbedded ? 'all embedded as subsets' : 'NOT all embedded as subsets'} (pdffonts); engine OFD ${twoOfd.ofd.length} bytes (${kb(twoOfd.ofd.length)}), ${twoOfd.pages} pages;
Typst ${typst.twoPageBytes} bytes (${kb(typst.twoPageBytes)}). The OFD embeds the same faces as the PDF, the Fandol ones as
their TrueType twins (\`.tools/fonts\`), subset by HarfBuzz; the PDF embeds the CFF originals, subset by fontkit.

- Issue 26: OFD median no slower than the PDF's: the same letter ${ours.ofd.median.toFixed(2)} ms against ${ours.pdf.median.toFixed(2)} ms (${speedOk(ours)});
  another county each render ${oursVaried.ofd.median.toFixed(2)} ms against ${oursVaried.pdf.median.toFixed(2)} ms (${speedOk(oursVaried)});
  the same with no font subset kept from an earlier letter (every face subset and deflated afresh)
  ${oursFresh.ofd.median.toFixed(2)} ms against ${oursFresh.pdf.median.toFixed(2)} ms (${speedOk(oursFresh)}, paired ${signed(oursFresh.paired)});
  Song body ${song.ofd.median.toFixed(2)} ms against ${song.pdf.median.toFixed(2)} ms (${speedOk(song)}). Paired (OFD − PDF of the same iteration,
  median): ${signed(ours.paired)}, ${signed(oursVaried.paired)}, ${signed(song.paired)}.
- Issue 26: OFD no larger than the PDF with the same fonts: one-page ${kb(ours.ofd.bytes)} against ${kb(ours.pdf.bytes)} (${ok(ours.ofd.bytes <= ours.pdf.bytes)});
  two-page ${kb(twoOfd.ofd.length)} against ${kb(two.pdf.length)} (${ok(twoOfd.ofd.length <= two.pdf.length)}); Song body ${kb(song.ofd.bytes)} against ${kb(song.pdf.bytes)} (${ok(song.ofd.bytes <= song.pdf.bytes)}).
- Issue 16: two-page example letter ${kb(two.pdf.length)} with the same fonts embedded (target ≤ ${TARGET.twoPageKb} KB: ${ok(two.pdf.length <= TARGET.twoPageKb * 1024 && twoEmbedded)}).
- Issue 16: median ${ours.pdf.median.toFixed(2)} ms against Typst's ${typst.same.median.toFixed(2)} ms for the same source (target below it: ${ok(ours.pdf.median < typst.same.median)});
  a new letter each time: ${oursVaried.pdf.median.toFixed(2)} ms against Typst's ${typst.varied.median.toFixed(2)} ms (${ok(oursVaried.pdf.median < typst.varied.median)}).
- Speed-up over warm Chromium: **${ratio.toFixed(1)}×** (target ≥ ${TARGET.speedup}×: ${ok(ratio >= TARGET.speedup)}).
- Median ${ours.pdf.median.toFixed(2)} ms (target ≤ ${TARGET.medianMs} ms: ${ok(ours.pdf.median <= TARGET.medianMs)}).
- One-page size ${kb(ours.pdf.bytes)} (target ≤ ${TARGET.kb} KB: ${ok(ours.pdf.bytes <= TARGET.kb * 1024)}); with the Song body ${kb(song.pdf.bytes)}.
- First render in a fresh process (font files read and parsed): ${coldMs.toFixed(0)} ms, resident memory ${mib(m0.rss)} → ${mib(m1.rss)}; font loads in this run: ${fontLoadCount()}.
- First OFD after it (HarfBuzz compiled, one instance per face drawn, each face's file loaded into it): ${coldOfdMs.toFixed(0)} ms,
  resident memory ${mib(m1.rss)} → ${mib(m2.rss)} (+${mib(m2.rss - m1.rss)}), peak ${mib(m1.peak)} → ${mib(m2.peak)} (+${mib(m2.peak - m1.peak)});
  after every render above (both letters, all faces): ${mib(m3.rss)}, peak ${mib(m3.peak)}.
`;
  process.stdout.write(`${section}\n`);
  record(section);
  process.stdout.write(`Recorded in bench/RESULTS.md\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
