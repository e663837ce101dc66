/** The normaliser of people's text (workflows/shared/text.ts), rule by rule. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Line, Text, normaliseText, textLength } from '../workflows/shared/text';

const one = (s: string) => normaliseText(s, { multiline: false });
const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

describe('line breaks', () => {
  it.each([
    ['CRLF', '\r\n'],
    ['CR', '\r'],
    ['LF', '\n'],
    ['VT', '\v'],
    ['FF', '\f'],
    ['NEL', '\u0085'],
    ['LINE SEPARATOR', '\u2028'],
    ['PARAGRAPH SEPARATOR', '\u2029'],
  ])('%s becomes \\n; on one line, a space', (_, br) => {
    expect(normaliseText(`存在问题一${br}存在问题二`)).toBe('存在问题一\n存在问题二');
    expect(one(`存在问题一${br}存在问题二`)).toBe('存在问题一 存在问题二');
  });

  it('CRLF is one break, not two', () => {
    expect(normaliseText('一\r\n二\r\n\r\n三')).toBe('一\n二\n\n三');
  });

  it('runs of blank lines become one; lines of spaces or invisible characters are blank', () => {
    expect(normaliseText('一\n\n\n\n二')).toBe('一\n\n二');
    expect(normaliseText('一\n  \t \n\u3000\n\u200b\n\ufeff \n二')).toBe('一\n\n二');
    expect(one('一\n \n\n二')).toBe('一 二');
  });

  it('each line loses its trailing space; the text its surrounding space; indentation inside stays', () => {
    expect(normaliseText('  \n 一  \n\u3000\u3000二\u3000\n\n ')).toBe('一\n\u3000\u3000二');
    expect(one('  一 \n  二  ')).toBe('一 二');
  });
});

describe('control characters', () => {
  const c0 = Array.from({ length: 0x20 }, (_, i) => i).filter((cp) => ![0x09, 0x0a, 0x0b, 0x0c, 0x0d].includes(cp));
  it.each(c0.map((cp) => [hex(cp), cp]))('C0 %s is removed', (_, cp) => {
    expect(normaliseText(`隐患${String.fromCharCode(cp as number)}排查`)).toBe('隐患排查');
  });

  const c1 = Array.from({ length: 0x21 }, (_, i) => 0x7f + i).filter((cp) => cp !== 0x85);
  it.each(c1.map((cp) => [hex(cp), cp]))('DEL and C1 %s are removed', (_, cp) => {
    expect(normaliseText(`隐患${String.fromCharCode(cp as number)}排查`)).toBe('隐患排查');
  });

  it('a tab is a space', () => {
    expect(normaliseText('项目\t内容')).toBe('项目 内容');
    expect(normaliseText('\t缩进')).toBe('缩进');
  });
});

describe('invisible and format characters', () => {
  it.each([
    ['ZERO WIDTH SPACE', '\u200b'],
    ['ZERO WIDTH NON-JOINER', '\u200c'],
    ['ZERO WIDTH JOINER', '\u200d'],
    ['LEFT-TO-RIGHT MARK', '\u200e'],
    ['RIGHT-TO-LEFT MARK', '\u200f'],
    ['LEFT-TO-RIGHT EMBEDDING', '\u202a'],
    ['RIGHT-TO-LEFT OVERRIDE', '\u202e'],
    ['POP DIRECTIONAL FORMATTING', '\u202c'],
    ['LEFT-TO-RIGHT ISOLATE', '\u2066'],
    ['POP DIRECTIONAL ISOLATE', '\u2069'],
    ['ARABIC LETTER MARK', '\u061c'],
    ['WORD JOINER', '\u2060'],
    ['INVISIBLE TIMES', '\u2062'],
    ['BYTE ORDER MARK', '\ufeff'],
    ['SOFT HYPHEN', '\u00ad'],
    ['COMBINING GRAPHEME JOINER', '\u034f'],
    ['HANGUL FILLER', '\u3164'],
    ['HANGUL CHOSEONG FILLER', '\u115f'],
    ['HALFWIDTH HANGUL FILLER', '\uffa0'],
    ['INTERLINEAR ANNOTATION ANCHOR', '\ufff9'],
    ['TAG LATIN SMALL LETTER A', '\u{e0061}'],
    ['SHORTHAND FORMAT LETTER OVERLAP', '\u{1bca0}'],
    ['noncharacter U+FFFE', '\ufffe'],
    ['noncharacter U+FDD0', '\ufdd0'],
    ['noncharacter U+1FFFF', '\u{1ffff}'],
  ])('%s is removed', (_, ch) => {
    expect(normaliseText(`隐患${ch}排查`)).toBe('隐患排查');
    expect(normaliseText(ch)).toBe('');
  });

  it('a text of nothing but invisible characters is empty', () => {
    expect(normaliseText('\u200b\ufeff\u200d\u2060 \u00ad\n\u3164')).toBe('');
  });

  it('an emoji sequence loses its joiners (the letter fonts draw no emoji anyway)', () => {
    expect(normaliseText('👨\u200d👩\u200d👧')).toBe('👨👩👧');
  });
});

describe('space separators', () => {
  it.each([
    ['NO-BREAK SPACE', '\u00a0'],
    ['OGHAM SPACE MARK', '\u1680'],
    ['EM SPACE', '\u2003'],
    ['THIN SPACE', '\u2009'],
    ['NARROW NO-BREAK SPACE', '\u202f'],
    ['MEDIUM MATHEMATICAL SPACE', '\u205f'],
  ])('%s becomes a space', (_, sp) => {
    expect(normaliseText(`pH${sp}7.5`)).toBe('pH 7.5');
    expect(normaliseText(`${sp}问题${sp}`)).toBe('问题');
  });

  it('the ideographic space stays inside a line', () => {
    expect(normaliseText('第一项\u3000第二项')).toBe('第一项\u3000第二项');
  });
});

describe('surrogates', () => {
  it('a lone surrogate becomes U+FFFD; a pair (an emoji, an extension-B ideograph) stays', () => {
    expect(normaliseText('问题\ud83d')).toBe('问题\ufffd');
    expect(normaliseText('\ude00问题')).toBe('\ufffd问题');
    expect(normaliseText('\ude00\ud83d')).toBe('\ufffd\ufffd');
    expect(normaliseText('😀𠀀')).toBe('😀𠀀');
  });

  it('removing a character between two halves never pairs them up', () => {
    expect(normaliseText('\ud83d\u200b\ude00')).toBe('\ufffd\ufffd');
  });
});

describe('legitimate Chinese text is left alone', () => {
  it.each([
    ['full-width punctuation', '（一）未按《安全生产法》第三十八条规定，建立“双随机”检查机制；整改率：85％！'],
    ['dashes and ellipses', '检查——发现问题……'],
    ['CJK compatibility ideographs (no NFC: 郞 is not 郎 in a name)', '郞\ufa10\uf92c'],
    ['extension B and later', '𠀀𪚥𫠠'],
    ['an ideographic variation sequence', '葛\u{e0100}'],
    ['private use (rare characters in some GB 18030 mappings)', '\ue000\ue5e5'],
    ['Kangxi radicals', '⼀⼁'],
    ['half-width katakana and full-width Latin', 'ｶﾀｶﾅ ＡＢＣ１２３'],
    ['combining accents', 'e\u0301é'],
    ['Mongolian with a free variation selector', '\u1820\u180b\u1821'],
  ])('%s', (_, text) => {
    expect(normaliseText(text)).toBe(text);
    expect(one(text)).toBe(text);
  });

  it('a variation selector with nothing to modify is dropped', () => {
    expect(normaliseText('\ufe0f问题')).toBe('问题');
    expect(normaliseText('问题 \u{e0100}')).toBe('问题');
    expect(normaliseText('葛\u{e0100}\u{e0101}')).toBe('葛\u{e0100}');
    expect(normaliseText('一\n\ufe0f二')).toBe('一\n二');
  });
});

describe('normalising is idempotent', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({
      unit: fc.constantFrom(
        '\r',
        '\n',
        '\u2028',
        '\u0085',
        '\t',
        ' ',
        '\u3000',
        '\u200b',
        '\ufe0f',
        '\u{e0100}',
        '\ud800',
        '\udc00',
        '\u0000',
        '问',
        'a',
      ),
      maxLength: 30,
    }),
  );
  it('normalising a normalised text changes nothing (the HTTP API and the Update both parse)', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (s, multiline) => {
        const once = normaliseText(s, { multiline });
        expect(normaliseText(once, { multiline })).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Text() and Line() in a schema', () => {
  it('normalise, then count characters as a person does (code points)', () => {
    const T = Text({ max: 3, label: '说明' });
    expect(T.parse(' 一\r\n二 ')).toBe('一\n二');
    expect(T.parse('😀😀😀')).toBe('😀😀😀');
    expect(textLength('😀𠀀问')).toBe(3);
    expect(Line({ max: 10 }).parse('一\n二')).toBe('一 二');
  });

  it('refuse with Chinese messages: empty, too short, too long, not text', () => {
    const msg = (
      schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
      v: unknown,
    ) => schema.safeParse(v).error?.issues.map((i) => i.message);
    expect(msg(Line({ min: 1, max: 50, label: '县区名称' }), ' \u200b\n')).toEqual(['县区名称不能为空']);
    expect(msg(Text({ min: 2, max: 500, label: '理由' }), '改\u200b')).toEqual(['理由至少 2 个字']);
    expect(msg(Text({ min: 2, max: 500, tooShort: '延期必须写明理由（至少 2 个字）' }), '改')).toEqual([
      '延期必须写明理由（至少 2 个字）',
    ]);
    expect(msg(Text({ max: 5, label: '说明' }), '一二三四五六')).toEqual(['说明不能超过 5 字']);
    expect(msg(Text({ max: 5, label: '说明' }), 5)).toEqual(['说明应为文字']);
    // Invisible characters do not count towards the limit.
    expect(Text({ max: 5 }).safeParse(`一二三四五${'\u200b'.repeat(100)}`).success).toBe(true);
  });
});
