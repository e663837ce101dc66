/**
 * The evidence store (证据材料): content-addressed, deduplicating, typed by content rather than
 * by name, atomic, and leaving nothing behind when it refuses a file.
 *
 * Over 300 lines because it is one subject's whole table of cases, sharing their fixtures;
 * split, the same fixtures would be written twice.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EvidenceError,
  EvidenceStore,
  formatSize,
  MEDIA_TYPE_LABELS,
  MEDIA_TYPES,
  type EvidenceErrorCode,
} from '../activities/evidence/store';

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-test-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tempDir = (prefix: string) => fs.mkdtempSync(path.join(ROOT, prefix));

function writeTemp(bytes: Buffer, name: string): string {
  const file = path.join(tempDir('src-'), name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Every file under `dir` with its size, so a test can prove a refusal changed nothing. */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((rel) => {
      const st = fs.statSync(path.join(dir, rel));
      return st.isDirectory() ? `${rel}/` : `${rel} ${st.size}`;
    })
    .sort();
}

/** A store that already holds one file, so "unchanged" is about more than an empty directory. */
async function seededStore(opts: Partial<ConstructorParameters<typeof EvidenceStore>[0]> = {}) {
  const store = new EvidenceStore({ dir: tempDir('store-'), ...opts });
  await store.put({ bytes: PNG }, 'seed.png');
  return store;
}

async function refusal(p: Promise<unknown>, code: EvidenceErrorCode): Promise<EvidenceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EvidenceError);
    expect((e as EvidenceError).code).toBe(code);
    return e as EvidenceError;
  }
  throw new Error(`expected EvidenceError ${code}`);
}

/** A real one-page PDF from pdfkit. */
function makePdf(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text(text);
    doc.end();
  });
}

/** A valid 1×1 RGB PNG, chunk CRCs and all. */
function makePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const idat = zlib.deflateSync(Buffer.from([0, 0xd0, 0x20, 0x30]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Start of a JFIF JPEG (SOI + APP0) and its end marker: what a camera file begins and ends with. */
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
const TIFF = Buffer.concat([Buffer.from('49492a0008000000', 'hex'), Buffer.alloc(32)]);
const PNG = makePng();

/** A stored (uncompressed) ZIP with a proper central directory, for OOXML and OFD packages. */
function makeZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(entries).length, 8);
  eocd.writeUInt16LE(Object.keys(entries).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const CONTENT_TYPES =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const DOCX = makeZip({
  '[Content_Types].xml': CONTENT_TYPES,
  '_rels/.rels': '<Relationships/>',
  'word/document.xml': '<w:document/>',
});
const DOCM = makeZip({
  '[Content_Types].xml': CONTENT_TYPES,
  'word/document.xml': '<w:document/>',
  'word/vbaProject.bin': 'macro',
});
const OFD = makeZip({ 'OFD.xml': '<ofd:OFD DocType="OFD" Version="1.0"/>', 'Doc_0/Document.xml': '<ofd:Document/>' });
const PLAIN_ZIP = makeZip({ 'readme.txt': '检查记录' });
const HTML = Buffer.from('<!DOCTYPE html>\n<html><head><title>执法检查</title></head><body>not a PDF</body></html>');

async function makeXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('统计').addRow(['单位', '检查生产经营单位（家次）']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('put', () => {
  it('stores a file under its sha256 and recognises the same content again', async () => {
    const pdf = await makePdf('漯应急指导〔2022〕3号');
    const store = new EvidenceStore({ dir: tempDir('store-') });
    const file = writeTemp(pdf, '意见书.pdf');

    const first = await store.put({ path: file });
    expect(first).toEqual({ sha256: sha(pdf), size: pdf.length, mediaType: 'application/pdf', deduplicated: false });
    expect(store.pathOf(first.sha256)).toBe(path.join(store.dir, first.sha256.slice(0, 2), first.sha256));
    expect(fs.readFileSync(store.pathOf(first.sha256)).equals(pdf)).toBe(true);
    const after = listing(store.dir);
    // Only the shard directory and the file: no temp file survives a successful put.
    expect(after).toEqual([
      `${first.sha256.slice(0, 2)}/`,
      `${first.sha256.slice(0, 2)}/${first.sha256} ${pdf.length}`,
    ]);

    expect(await store.put({ path: file }, 'copy.pdf')).toEqual({ ...first, deduplicated: true });
    expect(await store.put({ bytes: pdf })).toEqual({ ...first, deduplicated: true });
    expect(listing(store.dir)).toEqual(after);
    expect(await store.has(first.sha256)).toBe(true);
    expect(await store.verify(first.sha256)).toBe(true);
  });

  it('stores bytes from memory the same way as a file', async () => {
    const store = new EvidenceStore({ dir: tempDir('store-') });
    const stored = await store.put({ bytes: PNG }, 'photo.png');
    expect(stored).toEqual({ sha256: sha(PNG), size: PNG.length, mediaType: 'image/png', deduplicated: false });
    expect(await store.put({ path: writeTemp(PNG, 'same.png') })).toEqual({ ...stored, deduplicated: true });
  });

  it('keeps one copy when the same content arrives twice at once', async () => {
    const store = new EvidenceStore({ dir: tempDir('store-') });
    const results = await Promise.all([
      store.put({ bytes: JPEG }),
      store.put({ path: writeTemp(JPEG, 'a.jpg') }),
      store.put({ bytes: JPEG }),
    ]);
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(listing(store.dir)).toEqual([
      `${sha(JPEG).slice(0, 2)}/`,
      `${sha(JPEG).slice(0, 2)}/${sha(JPEG)} ${JPEG.length}`,
    ]);
    expect(await store.verify(sha(JPEG))).toBe(true);
  });

  it('rewrites a damaged copy of a different size instead of trusting it', async () => {
    const store = new EvidenceStore({ dir: tempDir('store-') });
    const { sha256 } = await store.put({ bytes: PNG });
    fs.chmodSync(store.pathOf(sha256), 0o644);
    fs.truncateSync(store.pathOf(sha256), 10);
    expect(await store.put({ bytes: PNG })).toMatchObject({ deduplicated: false });
    expect(await store.verify(sha256)).toBe(true);
  });
});

describe('type sniffing', () => {
  it.each([
    ['a tiny PDF from pdfkit', () => makePdf('检查记录'), 'application/pdf'],
    ['PNG bytes', async () => PNG, 'image/png'],
    ['JPEG bytes', async () => JPEG, 'image/jpeg'],
    ['TIFF bytes', async () => TIFF, 'image/tiff'],
    ['a Word package', async () => DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['an Excel workbook from exceljs', makeXlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['an OFD package', async () => OFD, 'application/ofd'],
  ])('recognises %s whatever its name', async (_label, make, mediaType) => {
    const bytes = await make();
    const store = new EvidenceStore({ dir: tempDir('store-') });
    // A misleading name on purpose: the content decides.
    expect(await store.put({ path: writeTemp(bytes, 'upload.bin') })).toMatchObject({ mediaType, size: bytes.length });
    expect((await store.stat(sha(bytes))).mediaType).toBe(mediaType);
  });

  it('refuses an HTML file renamed .pdf, naming what it really is', async () => {
    const store = await seededStore();
    const before = listing(store.dir);
    const e = await refusal(store.put({ path: writeTemp(HTML, '检查记录.pdf') }), 'TypeRefused');
    expect(e.message).toBe(
      '检查记录.pdf：不接受的文件类型：text/html（仅接受 PDF、JPEG、PNG、TIFF、Word、Excel、OFD）',
    );
    expect(e.detectedType).toBe('text/html');
    expect(listing(store.dir)).toEqual(before);
    await refusal(store.put({ bytes: HTML }, 'x.pdf'), 'TypeRefused');
    expect(listing(store.dir)).toEqual(before);
  });

  it.each([
    ['a plain ZIP renamed .docx', PLAIN_ZIP, '报告.docx', 'application/zip'],
    ['a plain ZIP renamed .ofd', PLAIN_ZIP, '报告.ofd', 'application/zip'],
    ['a macro-enabled Word file', DOCM, '报告.docx', 'application/vnd.ms-word.document.macroEnabled.12'],
    [
      'a legacy .doc',
      Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]),
      '报告.doc',
      'application/x-ole-storage',
    ],
    ['plain text', Buffer.from('整改报告：已完成'), '报告.pdf', 'text/plain'],
  ])('refuses %s', async (_label, bytes, name, detected) => {
    const store = await seededStore();
    const before = listing(store.dir);
    const e = await refusal(store.put({ path: writeTemp(bytes, name) }), 'TypeRefused');
    expect(e.message).toContain(`不接受的文件类型：${detected}（`);
    expect(listing(store.dir)).toEqual(before);
  });

  it('honours a narrower list of allowed types', async () => {
    const store = new EvidenceStore({ dir: tempDir('store-'), allowedTypes: ['application/pdf', 'application/ofd'] });
    const e = await refusal(store.put({ bytes: PNG }, '现场照片.png'), 'TypeRefused');
    expect(e.message).toBe('现场照片.png：不接受的文件类型：image/png（仅接受 PDF、OFD）');
    expect(listing(store.dir)).toEqual([]);
  });

  it('exports a Chinese-facing label for every media type', () => {
    expect(MEDIA_TYPES.map((t) => MEDIA_TYPE_LABELS[t])).toEqual([
      'PDF',
      'JPEG',
      'PNG',
      'TIFF',
      'Word',
      'Excel',
      'OFD',
    ]);
  });
});

describe('refusals leave the store unchanged', () => {
  it('refuses an empty file', async () => {
    const store = await seededStore();
    const before = listing(store.dir);
    expect((await refusal(store.put({ path: writeTemp(Buffer.alloc(0), 'empty.pdf') }), 'Empty')).message).toBe(
      'empty.pdf：文件为空（0 字节）',
    );
    await refusal(store.put({ bytes: Buffer.alloc(0) }), 'Empty');
    expect(listing(store.dir)).toEqual(before);
  });

  it('refuses a 25 MiB file as too large, naming the limit', async () => {
    const store = await seededStore();
    const before = listing(store.dir);
    const big = Buffer.alloc(25 * MiB);
    Buffer.from('%PDF-1.7\n').copy(big);
    const e = await refusal(store.put({ path: writeTemp(big, 'scan.pdf') }), 'TooLarge');
    expect(e.message).toBe('scan.pdf：文件过大：25 MB，上限 20 MB');
    await refusal(store.put({ bytes: big }), 'TooLarge');
    expect(listing(store.dir)).toEqual(before);
  });

  it('gives sizes with one decimal, and bytes when both round alike', async () => {
    expect(formatSize(Math.round(21.3 * MiB))).toBe('21.3 MB');
    const store = new EvidenceStore({ dir: tempDir('store-'), maxBytes: 20 * MiB });
    const e = await refusal(store.put({ bytes: Buffer.alloc(20 * MiB + 10) }), 'TooLarge');
    expect(e.message).toBe(`文件过大：20 MB（${20 * MiB + 10} 字节），上限 20 MB（${20 * MiB} 字节）`);
  });

  it('refuses a missing file or a directory', async () => {
    const store = await seededStore();
    const before = listing(store.dir);
    await refusal(store.put({ path: path.join(ROOT, 'no-such-file.pdf') }), 'NotFound');
    await refusal(store.put({ path: tempDir('a-dir-') }), 'NotFound');
    expect(listing(store.dir)).toEqual(before);
  });
});

describe('ids', () => {
  const store = new EvidenceStore({ dir: path.join(ROOT, 'ids') });

  it.each([
    '../../etc/passwd',
    '..',
    `${'a'.repeat(64)}/../../x`,
    `../${'a'.repeat(61)}`,
    'A'.repeat(64),
    'a'.repeat(63),
    'g'.repeat(64),
    '',
  ])('refuses %j', async (id) => {
    expect(() => store.pathOf(id)).toThrow(EvidenceError);
    await refusal(store.has(id), 'BadId');
    await refusal(store.verify(id), 'BadId');
    await refusal(store.stat(id), 'BadId');
  });

  it('reports an absent id as not stored', async () => {
    const id = 'f'.repeat(64);
    expect(await store.has(id)).toBe(false);
    await refusal(store.verify(id), 'NotFound');
    await refusal(store.stat(id), 'NotFound');
  });
});

describe('verify and stat', () => {
  it('verify detects a file altered on disk', async () => {
    const store = new EvidenceStore({ dir: tempDir('store-') });
    const pdf = await makePdf('现场检查记录');
    const { sha256 } = await store.put({ bytes: pdf });
    expect(await store.verify(sha256)).toBe(true);
    const file = store.pathOf(sha256);
    // Stored files are read-only; whoever tampers has to change that first.
    expect(fs.statSync(file).mode & 0o222).toBe(0);
    fs.chmodSync(file, 0o644);
    const altered = Buffer.from(pdf);
    altered.writeUInt8(altered.readUInt8(altered.length - 10) ^ 0xff, altered.length - 10);
    fs.writeFileSync(file, altered);
    expect(await store.verify(sha256)).toBe(false);
  });

  it('stat gives size, type and time', async () => {
    const store = new EvidenceStore({ dir: tempDir('store-') });
    const { sha256 } = await store.put({ bytes: OFD });
    const st = await store.stat(sha256);
    expect(st).toMatchObject({ sha256, size: OFD.length, mediaType: 'application/ofd' });
    expect(st.modified).toBeInstanceOf(Date);
  });
});
