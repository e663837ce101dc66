/**
 * Font subsets for the OFD backend, made by HarfBuzz's subsetter (harfbuzzjs, its WebAssembly
 * build). An OFD reader maps each TextCode character to a glyph through the embedded font's cmap,
 * so the subset must be a whole OpenType font with its cmap (fontkit's subsetter, which pdfkit
 * uses, writes none: PDF maps glyphs itself). Each font file is loaded into the WebAssembly memory
 * once per process and kept; a document then only subsets. Layout tables are dropped: the engine
 * does no shaping (CJK text needs none), so a reader never needs them.
 */
import fs from 'node:fs';

interface HarfBuzz {
  memory: { buffer: ArrayBuffer };
  malloc(n: number): number;
  free(p: number): void;
  hb_blob_create(data: number, length: number, mode: number, user: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_get_flags(input: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
  _initialize(): void;
}

const HB_MEMORY_MODE_READONLY = 1;
const HB_SUBSET_SETS_DROP_TABLE_TAG = 3;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;
const HB_SUBSET_FLAGS_NO_HINTING = 0x1;
const HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE = 0x200;
const tag = (s: string) => [...s].reduce((a, ch) => ((a << 8) | ch.charCodeAt(0)) >>> 0, 0);
/** Tables no OFD reader needs for unshaped text: layout, and the vertical metrics of vertical text. */
const DROPPED = ['GSUB', 'GPOS', 'GDEF', 'BASE', 'JSTF', 'vhea', 'vmtx', 'VORG', 'DSIG'];

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let module: object | undefined;
/** A fresh HarfBuzz instance (its own memory) over the module compiled once per process. */
function newInstance(): HarfBuzz {
  // The project's TypeScript libraries have no WebAssembly types; Node has it as a global.
  const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  module ??= new wa.Module(fs.readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm')));
  const h = new wa.Instance(module, {}).exports as HarfBuzz;
  h._initialize();
  return h;
}

/**
 * Each font file's face lives in its own HarfBuzz instance, loaded once per process and kept. Why
 * one instance per file: HarfBuzz's subset build has a fixed memory of 65 MiB, less than the six
 * faces together (about 70 MB); sharing one meant evicting and re-reading faces, which cost a
 * letter 100 ms. Memory is reserved, not used: the pages a face never touches cost nothing.
 */
const faces = new Map<string, { h: HarfBuzz; face: number }>();
function faceOf(file: string): { h: HarfBuzz; face: number } {
  let kept = faces.get(file);
  if (!kept) {
    const h = newInstance();
    const bytes = fs.readFileSync(file);
    const data = h.malloc(bytes.length);
    if (!data) throw new Error(`字体文件过大，无法子集化：${file}`);
    new Uint8Array(h.memory.buffer).set(bytes, data);
    const blob = h.hb_blob_create(data, bytes.length, HB_MEMORY_MODE_READONLY, 0, 0);
    kept = { h, face: h.hb_face_create(blob, 0) };
    h.hb_blob_destroy(blob);
    faces.set(file, kept);
  }
  return kept;
}

/** The font of `file` with only what draws `chars`: a whole OpenType font, its cmap included. */
export function subsetFont(file: string, chars: Iterable<string>): Uint8Array {
  const { h, face } = faceOf(file);
  const input = h.hb_subset_input_create_or_fail();
  if (!input) throw new Error('HarfBuzz could not start a subset');
  try {
    const unicodes = h.hb_subset_input_unicode_set(input);
    for (const ch of chars) h.hb_set_add(unicodes, ch.codePointAt(0)!);
    h.hb_set_clear(h.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG));
    const drop = h.hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (const t of DROPPED) h.hb_set_add(drop, tag(t));
    const flags = HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE | HB_SUBSET_FLAGS_NO_HINTING;
    h.hb_subset_input_set_flags(input, h.hb_subset_input_get_flags(input) | flags);
    const subset = h.hb_subset_or_fail(face, input);
    if (!subset) throw new Error(`HarfBuzz could not subset ${file}`);
    const blob = h.hb_face_reference_blob(subset);
    try {
      const at = h.hb_blob_get_data(blob, 0);
      const length = h.hb_blob_get_length(blob);
      if (!length) throw new Error(`HarfBuzz made an empty subset of ${file}`);
      // A copy: the WebAssembly memory may grow (and move) at the next subset.
      return new Uint8Array(h.memory.buffer, at, length).slice();
    } finally {
      h.hb_blob_destroy(blob);
      h.hb_face_destroy(subset);
    }
  } finally {
    h.hb_subset_input_destroy(input);
  }
}
