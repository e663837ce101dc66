/**
 * The typefaces of the official documents, loaded once per worker process.
 *
 * GB/T 9704-2012 names four faces: 小标宋 (title), 仿宋 (body), 黑体 (一、 headings) and 楷体 ((一)
 * headings). The commercial originals cannot be shipped, so open stand-ins are used:
 *
 * | role        | face                       | comes from                                           |
 * |-------------|----------------------------|------------------------------------------------------|
 * | song        | Noto Serif SC Regular      | npm `@expo-google-fonts/noto-serif-sc` (TTF)         |
 * | songBold    | Noto Serif SC Bold (小标宋) | same package                                         |
 * | songHeavy   | Noto Serif SC Black        | same package (the red bureau name)                   |
 * | hei         | Noto Sans SC Medium (黑体)  | npm `@expo-google-fonts/noto-sans-sc` (TTF)          |
 * | fang        | FandolFang Regular (仿宋)   | Debian `texlive-lang-chinese` (OTF), via setup       |
 * | kai         | FandolKai Regular (楷体)    | same Debian package                                  |
 *
 * Fandol covers GB 2312 and a little more; a character it lacks (垚, 喆, 珺 in a person's name) is
 * set in Noto Serif SC instead, glyph by glyph. Without the Debian package, 仿宋 and 楷体 fall back
 * to Noto Serif SC entirely and `fontNotes()` says so.
 *
 * pdfkit would re-parse a font buffer for every document; instead each face is parsed here once
 * and handed to every document (see pdf.ts), so glyph outlines, the cmap and the GSUB tables are
 * decoded once per process and documents only pay for their subsets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as fontkit from 'fontkit';
import { config } from '../../config/env';

export type FaceName = 'song' | 'songBold' | 'songHeavy' | 'hei' | 'fang' | 'kai';

export interface Face {
  name: FaceName;
  font: fontkit.Font;
  /** Where the face was read from (for diagnostics and the bench's HTML twin). */
  file: string;
  /**
   * The TrueType file the OFD backend embeds: `file` itself for a TrueType face, the face's twin
   * made at set-up for a CFF one (scripts/otf-to-ttf.py), undefined when that twin is missing.
   * Why: OFD readers built on Java's font stack (ofdrw) draw nothing for CFF outlines.
   */
  ofdFile: string | undefined;
  /** Faces tried, in order, for a character this one lacks. */
  fallback: FaceName[];
  /** Advance widths in 1/1000 em by code point; filled lazily, kept for the life of the process. */
  advances: Map<number, number>;
  /** The face that draws each code point (`faceFor`); filled lazily, kept for the life of the process. */
  drawnBy: Map<number, FaceName>;
}

export interface FontSet {
  faces: Record<FaceName, Face>;
  /** Substitutions made because a preferred face was missing (empty when all were found). */
  notes: string[];
}

let loaded: FontSet | undefined;
let loadCount = 0;

/** The process-wide font set; the first call reads and parses the files, later calls are free. */
export function loadFonts(): FontSet {
  if (!loaded) {
    loaded = readFontSet();
    loadCount++;
  }
  return loaded;
}

/** How many times the font files have been read in this process (1 after warm-up, never more). */
export function fontLoadCount(): number {
  return loadCount;
}

/** Human-readable notes about substituted faces, for logs and the CLI. */
export function fontNotes(): string[] {
  return loadFonts().notes;
}

/** The face that will actually draw `cp` for a run styled in `face`: itself or its first fallback that has it. */
export function faceFor(set: FontSet, face: FaceName, cp: number): FaceName {
  const f = set.faces[face];
  let drawn = f.drawnBy.get(cp);
  if (drawn === undefined) {
    drawn = f.font.hasGlyphForCodePoint(cp)
      ? face
      : (f.fallback.find((alt) => set.faces[alt].font.hasGlyphForCodePoint(cp)) ?? face); // .notdef: nothing open covers it
    f.drawnBy.set(cp, drawn);
  }
  return drawn;
}

/** Advance width of a code point in 1/1000 em (no shaping: CJK text needs none). */
export function advance(face: Face, cp: number): number {
  let a = face.advances.get(cp);
  if (a === undefined) {
    a = (face.font.glyphForCodePoint(cp).advanceWidth * 1000) / face.font.unitsPerEm;
    face.advances.set(cp, a);
  }
  return a;
}

function npmFont(pkg: string, file: string): string {
  // Resolve through the package's manifest so a hoisted or nested node_modules both work.
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/**
 * Finds a Fandol font: first in GUIDANCE_FONT_DIR (for hosts without the Debian package), then
 * through `kpsewhich`, TeX's own file finder, which knows where texlive-lang-chinese put it.
 */
function findFandol(file: string): string | undefined {
  const dir = config().fontDir;
  if (dir && fs.existsSync(path.join(dir, file))) return path.join(dir, file);
  try {
    const found = execFileSync('kpsewhich', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return found && fs.existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Where set-up writes the TrueType twins of the CFF faces (git-ignored, like every tool it builds). */
export const TWIN_DIR = path.resolve(__dirname, '../../.tools/fonts');

/** The TrueType twin's file name for a CFF font file: `FandolFang-Regular.otf` → `FandolFang-Regular.ttf`. */
export const twinName = (file: string) => `${path.basename(file, path.extname(file))}.ttf`;

/** The twin of a CFF face: beside the fonts in GUIDANCE_FONT_DIR, else where set-up writes it. */
function findTwin(file: string): string | undefined {
  const dir = config().fontDir;
  for (const at of [dir, TWIN_DIR]) {
    if (at && fs.existsSync(path.join(at, twinName(file)))) return path.join(at, twinName(file));
  }
  return undefined;
}

/** True when a font file's outlines are CFF ('OTTO' opens the file), which OFD readers on Java's font stack cannot draw. */
export function isCff(file: string): boolean {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  return head.toString('latin1') === 'OTTO';
}

function open(file: string): fontkit.Font {
  const font = fontkit.create(fs.readFileSync(file));
  if ('fonts' in font) throw new Error(`字体文件是字体集合，应为单一字体：${file}`);
  return font;
}

function readFontSet(): FontSet {
  const notes: string[] = [];
  const serif = '@expo-google-fonts/noto-serif-sc';
  const sans = '@expo-google-fonts/noto-sans-sc';
  const files: Record<FaceName, string | undefined> = {
    song: npmFont(serif, '400Regular/NotoSerifSC_400Regular.ttf'),
    songBold: npmFont(serif, '700Bold/NotoSerifSC_700Bold.ttf'),
    songHeavy: npmFont(serif, '900Black/NotoSerifSC_900Black.ttf'),
    // Medium matches the stroke weight of the 黑体 used in printed documents better than Regular.
    hei: npmFont(sans, '500Medium/NotoSansSC_500Medium.ttf'),
    fang: findFandol('FandolFang-Regular.otf'),
    kai: findFandol('FandolKai-Regular.otf'),
  };
  if (!files.fang)
    notes.push('未找到仿宋字体 FandolFang（Debian 包 texlive-lang-chinese），正文改用 Noto Serif SC（宋体）');
  if (!files.kai)
    notes.push('未找到楷体字体 FandolKai（Debian 包 texlive-lang-chinese），（一）级标题改用 Noto Serif SC');

  const parsed = new Map<string, fontkit.Font>();
  const face = (name: FaceName, file: string, fallback: FaceName[]): Face => {
    let font = parsed.get(file);
    if (!font) {
      font = open(file);
      parsed.set(file, font);
    }
    const ofdFile = isCff(file) ? findTwin(file) : file;
    return { name, font, file, ofdFile, fallback, advances: new Map(), drawnBy: new Map() };
  };
  const song = files.song!;
  return {
    faces: {
      song: face('song', song, []),
      songBold: face('songBold', files.songBold!, ['song']),
      songHeavy: face('songHeavy', files.songHeavy!, ['songBold', 'song']),
      hei: face('hei', files.hei!, ['song']),
      fang: face('fang', files.fang ?? song, ['song']),
      kai: face('kai', files.kai ?? song, ['fang', 'song']),
    },
    notes,
  };
}
