/**
 * The 送达回证 (receipt): a form, not a letter — the letter's number instead of one of its own, a
 * table of the facts of service and signing. Rendered for real and read back with poppler; its
 * schema refuses bad data in Chinese; whatever a person's text the schema accepts, it renders.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentError } from '../../activities/documents';
import { parseMarkup } from '../../activities/documents/markup';
import { renderPdf } from '../../activities/documents/render';
import { exampleData } from '../../activities/documents/templates';
import { ReceiptData, type DocumentData, type ReceiptDataInput } from '../../workflows/shared/render-document';
import { signedAtZh } from '../../workflows/shared/document-views';
import { formatIssues } from '../../workflows/shared/plan';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { pdffonts, pdfinfo, pdftotext, SETUP_TIMEOUT, squash, writeTemp } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const example = () => structuredClone(exampleData('receipt')) as DocumentData['receipt'];

/** The example with some fields changed (a shallow merge of `acknowledged` and `letter`). */
function receipt(
  edit: Partial<Omit<ReceiptDataInput, 'acknowledged' | 'letter'>> & {
    acknowledged?: Partial<ReceiptDataInput['acknowledged']>;
    letter?: Partial<ReceiptDataInput['letter']>;
  } = {},
): ReceiptDataInput {
  const d = example();
  return {
    ...d,
    ...edit,
    letter: { ...d.letter, ...edit.letter },
    acknowledged: { ...d.acknowledged, ...edit.acknowledged },
  } as ReceiptDataInput;
}

async function rendered(data: unknown): Promise<{ file: string; text: string; pages: number }> {
  const { pdf, pages } = await renderPdf('receipt', data);
  const file = writeTemp(pdf, 'receipt.pdf');
  return { file, text: squash(pdftotext(file)), pages };
}

describe('送达回证 rendered', () => {
  it('names the letter by its number, the signer and the time of signing; fonts are embedded subsets', async () => {
    const { file, text, pages } = await rendered(exampleData('receipt'));
    expect(pages).toBe(1);
    for (const phrase of [
      '河洛市应急管理局',
      '送达回证',
      '文号河洛应急指导〔2027〕3号',
      '签收人李晓燕',
      '受送达人香山县应急管理局',
      '签收时间2027年4月21日10时32分',
    ]) {
      expect(text).toContain(squash(phrase));
    }
    // Not numbered in a series of its own: the letter's number is the only one it carries.
    expect(text.match(/〔\d{4}〕\d+号/g)).toEqual(['〔2027〕3号']);
    const fonts = pdffonts(file);
    for (const f of fonts) expect(f, JSON.stringify(f)).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
    const names = fonts.map((f) => f.name.slice(7));
    expect(names).toEqual(
      expect.arrayContaining(['NotoSerifSC-Black', 'NotoSerifSC-Bold', 'FandolFang-Regular', 'NotoSansSC-Medium']),
    );
    // The PDF's date is the day of signing; its keywords the letter's number.
    const info = pdfinfo(file);
    expect(info.Author).toBe('河洛市应急管理局');
    expect(info.Keywords).toBe('河洛应急指导〔2027〕3号');
    expect(info.CreationDate).toMatch(/2027/);
  });

  it('a letter without a number (a reminder), a note of several lines, one address a line, each cell line in order', async () => {
    const { file } = await rendered(
      receipt({
        letter: { title: '整改到期提醒函', docNumber: undefined },
        addresses: ['a@xiangshan.example.gov.cn', 'b@xiangshan.example.gov.cn'],
        note: '第一行\n\n第二行',
      }),
    );
    // In drawing order (-raw): the reading order pdftotext guesses may interleave two short rows.
    expect(squash(pdftotext(file, ['-raw']))).toContain('送达文书《整改到期提醒函》文号无');
    const raw = pdftotext(file, ['-layout']);
    const lines = raw.split('\n').map((l) => l.trim());
    // `<br/>` ends the cell's line: each address and each line of the note on a line of its own.
    expect(lines.some((l) => l.endsWith('a@xiangshan.example.gov.cn'))).toBe(true);
    expect(lines.some((l) => l.endsWith('b@xiangshan.example.gov.cn'))).toBe(true);
    expect(lines.filter((l) => /第一行|第二行/.test(l))).toHaveLength(2);
  });

  it('a compressed demo clock: the instant falls on another day, so only the date of signing is printed', async () => {
    expect(signedAtZh('2027-04-21', '2027-04-21T02:32:05.123Z')).toBe('2027年4月21日10时32分');
    expect(signedAtZh('2027-04-21', '2027-04-20T16:05:00Z')).toBe('2027年4月21日0时05分'); // 00:05 in China
    expect(signedAtZh('2027-04-21', '2025-11-03T08:00:00+08:00')).toBe('2027年4月21日');
    const { text } = await rendered(receipt({ acknowledged: { at: '2025-11-03T08:00:00Z' } }));
    expect(text).toContain('签收时间2027年4月21日签收方式');
  });
});

describe('送达回证 data', () => {
  const issues = (data: unknown) => {
    const r = ReceiptData.safeParse(data);
    return r.success ? [] : formatIssues(r.error);
  };

  it('refuses a missing or empty signer, in Chinese, naming the field', async () => {
    const { signer: _, ...ack } = example().acknowledged;
    expect(issues({ ...example(), acknowledged: ack })).toEqual([
      expect.stringMatching(/^acknowledged\.signer: 签收人/),
    ]);
    // Only invisible characters and spaces: empty once normalised.
    expect(issues(receipt({ acknowledged: { signer: ' \u200b\u3164\n' } }))).toEqual([
      'acknowledged.signer: 签收人不能为空',
    ]);
    // renderDocument refuses it before any template runs, naming the template and the field.
    const e = await renderPdf('receipt', { ...example(), acknowledged: ack }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DocumentError);
    expect((e as DocumentError).message).toMatch(/receipt\.hbs.*acknowledged\.signer/);
    expect((e as DocumentError).variable).toBe('acknowledged.signer');
  });

  it('refuses what a reader would catch at once, in Chinese', () => {
    expect(issues(receipt({ acknowledged: { date: '2027-04-19' } }))).toEqual([
      'acknowledged.date: 签收日期早于送达日期',
    ]);
    expect(issues(receipt({ receiptId: '2' }))).toEqual(['receiptId: 回执编号应为 R 加数字，例如 R1']);
    expect(issues(receipt({ addresses: [] }))).toEqual(['addresses: 至少一个送达地址']);
    expect(issues(receipt({ letter: { docNumber: '河洛应急指导2027-3' } }))[0]).toMatch(
      /^letter\.docNumber: 发文字号格式/,
    );
    expect(issues(receipt({ acknowledged: { at: '昨天' } }))[0]).toMatch(/^acknowledged\.at: 签收时刻应为/);
    expect(issues(receipt({ note: '备'.repeat(501) }))).toEqual(['note: 备注不能超过 500 字']);
    for (const i of issues({})) expect(i).toMatch(/[\u4e00-\u9fff]/);
  });

  it('normalises people’s text as the acknowledgement did: one-line names, the note keeps its lines', () => {
    const r = ReceiptData.parse(
      receipt({ acknowledged: { signer: '  李\u200b晓燕\r\n' }, note: '甲\r\n\r\n\r\n乙\u2028丙  ' }),
    );
    expect(r.acknowledged.signer).toBe('李晓燕');
    expect(r.note).toBe('甲\n\n乙\n丙');
  });

  it('<br/> belongs to table cells only', () => {
    expect(() => parseMarkup('<document><p>甲<br/>乙</p></document>', 'receipt.hbs')).toThrow(
      /<br\/> 只能用在表格单元格/,
    );
    const m = parseMarkup(
      '<document><table widths="1"><tbody><tr><td>甲<br/>乙</td></tr></tbody></table></document>',
      'receipt.hbs',
    );
    expect(m.blocks[0]).toMatchObject({
      type: 'table',
      body: [[{ content: [{ text: '甲' }, { text: '\u2028' }, { text: '乙' }] }]],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Any text a person could send.

const NASTY = [
  '\n',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\v',
  '\f',
  '\t',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u00ad',
  '\u202e',
  '\u2066',
  '\u3164',
  '\ufe0f',
  '\u{e0100}',
  '\u{e0041}',
  '\ufffe',
  '\u3000',
  '\u00a0',
];
const WORDS = [
  '李',
  '晓燕',
  '欧阳',
  '垚',
  '喆',
  '珺',
  '葛\u{e0100}',
  '𠀀',
  '郞',
  '😀',
  '👨‍👩‍👧',
  'é',
  'e\u0301',
  'Ünal',
  'O’Brien',
  '&<>"\'',
  '{{signer}}',
  '<br/>',
  '</td>',
  '——',
  '……',
  '（',
  '）',
  '，',
  '。',
  'ABC-123',
  'x'.repeat(80),
  '\ufffd',
  '\ue000',
  'שלום',
  'مرحبا',
  'ไทย',
  'ᠮᠣᠩᠭᠣᠯ',
];
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const pieces = fc.oneof(
  fc.constantFrom(...NASTY),
  { arbitrary: fc.constantFrom(...WORDS), weight: 3 },
  loneSurrogate,
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const text = fc.oneof(
  { arbitrary: fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
);
/** Notes up to and beyond the 500-character limit, some of many short lines. */
const note = fc.oneof(
  { arbitrary: text, weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('备注', '行\n', '\r\n', 'a\u2028', '😀', '长'), fc.integer({ min: 100, max: 520 }))
      .map(([s, n]) => s.repeat(n)),
    weight: 1,
  },
);

describe('送达回证 from any text', () => {
  it('a signer, note and letter title the schema accepts render without throwing', async () => {
    let renders = 0;
    await fc.assert(
      fc.asyncProperty(text, fc.option(note, { nil: undefined }), text, async (signer, n, title) => {
        const data = receipt({ acknowledged: { signer }, note: n, letter: { title } });
        const parsed = ReceiptData.safeParse(data);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            expect(issue.message, JSON.stringify(issue)).toMatch(/[\u4e00-\u9fff]/);
          return;
        }
        const { pdf, pages } = await renderPdf('receipt', data);
        renders++;
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        expect(pages).toBeGreaterThanOrEqual(1);
      }),
      {
        numRuns: 80,
        interruptAfterTimeLimit: 60_000,
        examples: [
          // The longest texts accepted: a note of 250 lines is taller than a page and continues on the next.
          ['李'.repeat(50), 'a\n'.repeat(250), '题'.repeat(200)],
          ['😀'.repeat(50), '长'.repeat(500), `https://example.gov.cn/${'a'.repeat(170)}`],
          ['葛\u{e0100}', '<br/></td></tr></table>&amp;{{note}}', '<title>'],
        ],
      },
    );
    expect(renders).toBeGreaterThan(10);
  }, 120_000);

  it('a note taller than a page continues on the next one, every line printed', async () => {
    // 100 lines, 491 characters: within the limit, and some 40 lines more than a page holds.
    const lines = Array.from({ length: 100 }, (_, i) => `第${i + 1}行`);
    const { file, pages } = await rendered(receipt({ note: lines.join('\n') }));
    expect(pages).toBeGreaterThanOrEqual(2);
    const printed = pdftotext(file, ['-raw'])
      .split('\n')
      .map((l) => l.trim());
    // The first shares its baseline with the label 备注.
    const noteLines = printed.flatMap((l) => /^(?:备注\s*)?(第\d+行)$/.exec(l)?.[1] ?? []);
    expect(noteLines).toEqual(lines);
  });
});
