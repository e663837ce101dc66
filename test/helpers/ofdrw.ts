/**
 * The independent OFD reader of the tests (issue 26): ofdrw, a Java OFD library no one here wrote,
 * run through test/ofd-reader (OfdCheck.java). `ensureOfdReader` builds the harness with Maven when
 * its jar is missing or older than a source; `readOfd` reads many files in one JVM, whose start
 * (about 1.5 s) costs more than reading a letter.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, onPath } from '../../worker/temporal-tools';

export const OFD_READER_DIR = path.join(ROOT, 'test/ofd-reader');
const POM = path.join(OFD_READER_DIR, 'pom.xml');
const JAR = path.join(OFD_READER_DIR, 'target/ofd-reader-1.jar');
const CLASSPATH = path.join(OFD_READER_DIR, 'target/classpath.txt');

/** Minutes Maven may need on a fresh machine to fetch ofdrw and its dependencies. */
export const OFD_READER_BUILD_TIMEOUT = 600_000;

function newestIn(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestIn(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds the harness (jar + the dependency class path) unless the jar is newer than the pom and
 * every source. Idempotent; a second run is two directory walks.
 */
export function ensureOfdReader(log: (message: string) => void = () => {}): void {
  const newestSource = Math.max(fs.statSync(POM).mtimeMs, newestIn(path.join(OFD_READER_DIR, 'src')));
  if (fs.existsSync(JAR) && fs.existsSync(CLASSPATH) && fs.statSync(JAR).mtimeMs >= newestSource) {
    log('OFD reader (ofdrw): test/ofd-reader/target (up to date)');
    return;
  }
  if (!onPath('mvn') || !onPath('java')) throw new Error('需要 Java 17 和 Maven 来构建 OFD 阅读器测试工具（ofdrw）');
  log('OFD reader (ofdrw): building test/ofd-reader with Maven…');
  execFileSync(
    'mvn',
    ['-q', '-B', '-f', POM, 'package', '-DskipTests', 'dependency:build-classpath', `-Dmdep.outputFile=${CLASSPATH}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // Maven leaves an unchanged jar or class path file alone; the build's time is what says "current".
  const now = new Date();
  fs.utimesSync(JAR, now, now);
  log('OFD reader (ofdrw): built → test/ofd-reader/target/ofd-reader-1.jar');
}

/** The Java class path of the harness: its jar and ofdrw's. */
export function ofdReaderClasspath(): string {
  return `${JAR}${path.delimiter}${fs.readFileSync(CLASSPATH, 'utf8').trim()}`;
}

/** What ofdrw read in one OFD file. */
export interface OfdReading {
  file: string;
  /** Set when ofdrw could not open the file; nothing else is then. */
  error?: string;
  pages: number;
  /** Per page: its TextCodes in drawing order, joined by line breaks. */
  text: string[];
  /** The fonts the resources declare; `file` is the font file's path in the package ("/Doc_0/Res/…"). */
  fonts: { name: string; file: string | null }[];
  /** Per page, the image ofdrw drew (when `imageDir` was given). */
  images: string[];
}

export interface ReadOfdOptions {
  /** Where to write each page as `<file's base name>-<page>.<format>`; no images without it. */
  imageDir?: string;
  /** Pixels per millimetre (default 5). */
  ppm?: number;
  /** `png`, or `pgm` (binary greyscale, read by `readPgm`). */
  format?: 'png' | 'pgm';
}

/** Reads every file with ofdrw in one JVM; the readings come back in the files' order. */
export function readOfd(files: string[], opts: ReadOfdOptions = {}): OfdReading[] {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ofdrw-'));
  try {
    const list = path.join(scratch, 'files.tsv');
    const row = (f: string) =>
      opts.imageDir
        ? [f, path.join(opts.imageDir, path.basename(f, '.ofd')), opts.ppm ?? 5, opts.format ?? 'png'].join('\t')
        : f;
    fs.writeFileSync(list, files.map(row).join('\n') + '\n');
    const run = spawnSync('java', ['-cp', ofdReaderClasspath(), 'guidance.ofd.OfdCheck', '--batch', list], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = (run.stdout ?? '').split('\n').filter((l) => l.startsWith('{'));
    // A file ofdrw cannot open is a reading with `error`; anything else missing is the harness failing.
    if (lines.length !== files.length) {
      throw new Error(
        `OfdCheck read ${lines.length} of ${files.length} files (exit ${run.status}): ${run.error?.message ?? ''}\n${run.stderr}`,
      );
    }
    return lines.map(
      (l) => ({ pages: 0, text: [], fonts: [], images: [], ...(JSON.parse(l) as Partial<OfdReading>) }) as OfdReading,
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A greyscale image: one byte per pixel, row by row (0 black, 255 white). */
export interface Grey {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Reads a binary PGM (P5, maxval 255): OfdCheck's `pgm` images and `pdftoppm -gray`. */
export function readPgm(file: string): Grey {
  const bytes = fs.readFileSync(file);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error(`${file}: not a binary 8-bit PGM`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, data: new Uint8Array(bytes.subarray(header[0].length, header[0].length + width * height)) };
}
