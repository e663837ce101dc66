/**
 * Shared by the document tests: real PDFs checked with poppler (pdftotext, pdffonts, pdfinfo,
 * pdftoppm), installed by ensureDocumentTools when missing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Seconds apt-get may need on a fresh machine (texlive-lang-chinese is ~100 MB). */
export const SETUP_TIMEOUT = 900_000;

// One scratch root per test file (modules are isolated per file), removed after its tests.
const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'documents-test-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

export function tempDir(prefix = 'tmp-'): string {
  return fs.mkdtempSync(path.join(ROOT, prefix));
}

/** Writes bytes to a temporary file and returns its path. */
export function writeTemp(bytes: Buffer, name = 'doc.pdf'): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, bytes);
  return file;
}

export function pdftotext(file: string, args: string[] = []): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', ...args, file, '-'], { encoding: 'utf8' });
}

/** Text with all whitespace removed: line breaks fall anywhere in Chinese text. */
export const squash = (s: string) => s.replace(/\s+/g, '');

export function pdfinfo(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of execFileSync('pdfinfo', [file], { encoding: 'utf8' }).split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

export interface FontRow {
  name: string;
  type: string;
  emb: string;
  sub: string;
  uni: string;
}

/** pdffonts' table, split by the column widths its dashed rule gives. */
export function pdffonts(file: string): FontRow[] {
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '');
  const rule = lines[1]!;
  const cols: [number, number][] = [];
  for (const m of rule.matchAll(/-+/g)) cols.push([m.index, m.index + m[0].length]);
  return lines.slice(2).map((l) => {
    const c = cols.map(([a, b]) => l.slice(a, b + 1).trim());
    return { name: c[0]!, type: c[1]!, emb: c[3]!, sub: c[4]!, uni: c[5]! };
  });
}

export interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Words (here: runs of text without spaces) and their boxes per page, from `pdftotext -bbox`. */
export function words(file: string): Word[][] {
  const html = pdftotext(file, ['-bbox']);
  return html
    .split('<page ')
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(
        (m) => ({
          xMin: Number(m[1]),
          yMin: Number(m[2]),
          xMax: Number(m[3]),
          yMax: Number(m[4]),
          text: m[5]!
            .replace(/&amp;/g, '&')
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&quot;/g, '"'),
        }),
      ),
    );
}

/** RGB pixels of one page at `dpi`, via pdftoppm's PPM output. */
export function raster(file: string, page: number, dpi: number): { width: number; height: number; rgb: Buffer } {
  const ppm = execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), file], {
    maxBuffer: 256 * 1024 * 1024,
  });
  // Header: P6\n<w> <h>\n255\n
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), rgb: ppm.subarray(header[0].length) };
}

export const MM = 72 / 25.4;
