/**
 * The OFD's zip package: fflate writes the container, Node's zlib (native) deflates each entry,
 * handed to fflate through its documented ZipInputFile interface for a compressor of one's own.
 * Why not fflate's own deflate: it took 9 of a two-page letter's 16 ms; zlib takes under 6 and
 * packs a little smaller.
 *
 * A font entry is subset (HarfBuzz, font-subset.ts) and deflated once per face and character set,
 * and kept: letters of one kind share their letterhead, title and headings, so most of a letter's
 * faces draw the same characters as the last one did; only the body face differs per letter.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { Zip, type ZipInputFile } from 'fflate';
import { subsetFont } from './font-subset';

/** An entry ready for the zip: its deflated bytes, and the size and CRC of what they inflate to. */
export interface Packed {
  size: number;
  crc: number;
  deflated: Uint8Array;
}

/**
 * Level 4 with the largest hash memory: measured on the two-page letter, its fonts (95 % of the
 * bytes) deflate in 3.3 ms against 5.8 ms at level 6, for 1 % more bytes.
 */
const DEFLATE = { level: 4, memLevel: 9 } as const;

export function pack(bytes: Uint8Array): Packed {
  return { size: bytes.length, crc: crc32(bytes), deflated: deflateRawSync(bytes, DEFLATE) };
}

/** Packed subsets by font file and character set, least recently used first. */
const fonts = new Map<string, Packed>();
/** About 40 KB each at most: a few megabytes for the faces of every kind of letter. */
const KEPT_FONTS = 128;

/** The subset of `file` that draws `chars`, packed; the same file and characters give the same bytes, from memory. */
export function packedFont(file: string, chars: Iterable<string>): Packed {
  const set = [...new Set(chars)].sort().join('');
  const key = `${file}\n${set}`;
  let packed = fonts.get(key);
  if (packed) fonts.delete(key);
  else {
    packed = pack(subsetFont(file, set));
    if (fonts.size >= KEPT_FONTS) fonts.delete(fonts.keys().next().value!);
  }
  fonts.set(key, packed);
  return packed;
}

/** Forgets every packed subset: for the benchmark's row of letters whose every face is new. */
export function forgetPackedFonts(): void {
  fonts.clear();
}

/** The zip of `entries`, in their order, every entry dated `mtime`. */
export function zipPackage(entries: [string, Packed][], mtime: Date): Buffer {
  const chunks: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed = err;
    else chunks.push(chunk);
  });
  for (const [filename, { size, crc, deflated }] of entries) {
    const file: ZipInputFile = { filename, size, crc, compression: 8, mtime };
    zip.add(file);
    file.ondata!(null, deflated as Uint8Array<ArrayBuffer>, true);
  }
  zip.end(); // fflate calls back synchronously for data it is handed whole
  if (failed) throw failed;
  return Buffer.concat(chunks);
}
