/**
 * The picture in docs/documents.md: page 1 of the example opinion letter drawn from one layout as
 * PDF (drawn by poppler's pdftoppm, left) and as OFD (drawn by ofdrw, right), at about 100 dpi.
 * Composed by the ofdrw harness itself (test/ofd-reader, SideBySide.java), so the script needs
 * Java and poppler, which the tests use already, and no image library.
 *
 * Usage: npx tsx scripts/ofd-side-by-side.ts [OUT.png]   (default docs/images/ofd-vs-pdf.png)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderFiles } from '../activities/documents/render';
import { exampleData } from '../activities/documents/templates';
import { ensureOfdReader, ofdReaderClasspath } from '../test/helpers/ofdrw';
import { ROOT } from '../worker/temporal-tools';

/** Pixels per millimetre: 4 is 101.6 dpi, enough to read the letter and keep the file small. */
const PPM = 4;

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs/images/ofd-vs-pdf.png'));
  ensureOfdReader((m) => process.stderr.write(`${m}\n`));
  const { pdf, ofd } = await renderFiles('opinion', exampleData('opinion'), { formats: ['pdf', 'ofd'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ofd-side-by-side-'));
  try {
    const pdfFile = path.join(dir, 'opinion.pdf');
    const ofdFile = path.join(dir, 'opinion.ofd');
    fs.writeFileSync(pdfFile, pdf!);
    fs.writeFileSync(ofdFile, ofd!);
    // -singlefile: page 1 as <prefix>.png, without a page number in the name.
    const left = path.join(dir, 'pdf-page-1');
    execFileSync('pdftoppm', ['-png', '-r', String(PPM * 25.4), '-f', '1', '-l', '1', '-singlefile', pdfFile, left]);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    execFileSync(
      'java',
      ['-cp', ofdReaderClasspath(), 'guidance.ofd.SideBySide', `${left}.png`, ofdFile, '1', out, String(PPM)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    process.stderr.write(`${path.relative(ROOT, out)}: ${(fs.statSync(out).size / 1024).toFixed(0)} KiB\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
