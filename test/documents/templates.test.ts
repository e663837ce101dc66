/**
 * Templates are data and are checked when the plan is loaded: a bureau's override that names a
 * variable its data does not have is refused with the template and the variable named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTemplates, DocumentError } from '../../activities/documents';
import { renderPdf } from '../../activities/documents/render';
import { BUILTIN_TEMPLATES_DIR, chineseNumeral, exampleData } from '../../activities/documents/templates';
import { DocumentDataSchemas } from '../../workflows/shared/render-document';
import { DocumentKind, DocNumber, formatDateZh, formatDocNumber } from '../../workflows/shared/documents';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { pdftotext, SETUP_TIMEOUT, squash, tempDir, writeTemp } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const builtin = (kind: string) => fs.readFileSync(path.join(BUILTIN_TEMPLATES_DIR, `${kind}.hbs`), 'utf8');

/** A bureau template directory holding `files` (name → content). */
function overrides(files: Record<string, string>): string {
  const dir = tempDir('templates-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function refusal(dir: string): DocumentError {
  try {
    checkTemplates(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(DocumentError);
    return e as DocumentError;
  }
  throw new Error('checkTemplates accepted a broken template');
}

describe('checkTemplates', () => {
  it('accepts the built-in templates, and every example validates against its schema', () => {
    expect(() => checkTemplates()).not.toThrow();
    for (const kind of DocumentKind.options)
      expect(DocumentDataSchemas[kind].safeParse(exampleData(kind)).success).toBe(true);
  });

  it('refuses a missing variable, naming the template and the variable', () => {
    const dir = overrides({
      'opinion.hbs': builtin('opinion').replace('<title>', '<p>指导地点：{{visit.place}}</p>\n<title>'),
    });
    const e = refusal(dir);
    expect(e.message).toContain(path.join(dir, 'opinion.hbs'));
    expect(e.message).toContain('visit.place');
    expect(e.template).toBe(path.join(dir, 'opinion.hbs'));
    expect(e.variable).toBe('visit.place');
  });

  it('finds a misspelt field inside a loop, in a branch the example never takes', () => {
    const dir = overrides({
      'acceptance.hbs': builtin('acceptance').replace(
        '{{#each reasons}}',
        '{{#each items}}{{#if passed}}{{else}}<p>{{probelm}}</p>{{/if}}{{/each}}\n{{#each reasons}}',
      ),
    });
    const e = refusal(dir);
    expect(e.message).toContain('acceptance.hbs');
    expect(e.message).toContain('probelm');
    expect(e.message).toMatch(/第 \d+ 行/);
  });

  it('refuses an optional field used without {{#if}}, accepts it guarded', () => {
    const unguarded = overrides({
      'bulletin.hbs': builtin('bulletin').replace('<to>', '<p>{{record.printedBy}}</p><to>'),
    });
    expect(refusal(unguarded).message).toMatch(/record\.printedBy.*可选/);
    const guarded = overrides({
      'bulletin.hbs': builtin('bulletin').replace(
        '<to>',
        '{{#if record.printedBy}}<p>{{record.printedBy}}</p>{{/if}}<to>',
      ),
    });
    expect(() => checkTemplates(guarded)).not.toThrow();
  });

  it('refuses unknown helpers, unknown partials and unknown markup', () => {
    expect(
      refusal(overrides({ 'urge.hbs': builtin('urge').replace('{{daysOverdue}}', '{{upper daysOverdue}}') })).message,
    ).toContain('upper');
    expect(
      refusal(overrides({ 'urge.hbs': builtin('urge').replace('{{> contact}}', '{{> signature}}') })).message,
    ).toContain('signature');
    const markup = refusal(
      overrides({ 'urge.hbs': builtin('urge').replace('<title>', '<banner>通知</banner><title>') }),
    );
    expect(markup.message).toContain('urge.hbs');
    expect(markup.message).toContain('<banner>');
  });

  it('checks a bureau partial too, and names it', () => {
    const e = refusal(overrides({ 'partials/contact.hbs': '<p>联系人：{{bureau.contact.nmae}}</p>' }));
    expect(e.message).toContain(path.join('partials', 'contact.hbs'));
    expect(e.message).toContain('bureau.contact.nmae');
  });

  it('a bureau template replaces the built-in one when rendering', async () => {
    const dir = overrides({
      'reminder.hbs': builtin('reminder').replace(
        '{{> contact}}',
        '<p>本提醒由香山县专用模板生成。</p>\n{{> contact}}',
      ),
      'partials/contact.hbs': '<p>请与{{bureau.contact.name}}同志联系（{{bureau.contact.phone}}）。</p>',
    });
    checkTemplates(dir);
    const { pdf } = await renderPdf('reminder', exampleData('reminder'), { templatesDir: dir });
    const text = squash(pdftotext(writeTemp(pdf)));
    expect(text).toContain('本提醒由香山县专用模板生成。');
    expect(text).toContain('请与周明同志联系（0379-6321-1234）。');
  });

  it('a template directory that does not exist is refused', () => {
    expect(() => checkTemplates(path.join(tempDir(), 'missing'))).toThrow(/模板目录不存在/);
  });
});

describe('rendering refuses bad data with the template and field named', () => {
  it('missing due date', async () => {
    const { dueDate: _omit, ...data } = exampleData('opinion') as Record<string, unknown>;
    await expect(renderPdf('opinion', data)).rejects.toThrow(/templates\/opinion\.hbs.*dueDate/);
  });

  it('data escapes cannot open markup: `<` in a name is printed as text', async () => {
    const data = structuredClone(exampleData('reminder')) as { county: { bureauName: string }; recipient: string };
    data.recipient = '香山县<应急>管理局&“测试”';
    const { pdf } = await renderPdf('reminder', data);
    expect(squash(pdftotext(writeTemp(pdf)))).toContain('香山县<应急>管理局&“测试”：');
  });
});

describe('shared helpers', () => {
  it('formats document numbers after 漯应急指导〔2022〕3号', () => {
    expect(formatDocNumber('漯应急', 2022, 3)).toBe('漯应急指导〔2022〕3号');
    expect(formatDocNumber('河洛应急', 2027, 12, '督')).toBe('河洛应急督〔2027〕12号');
    expect(() => formatDocNumber('河洛应急', 2027, 0)).toThrow();
    expect(DocNumber.safeParse('河洛应急指导〔2027〕3号').success).toBe(true);
    expect(DocNumber.safeParse('河洛应急指导[2027]3号').success).toBe(false);
    expect(DocNumber.safeParse('河洛应急指导〔2027〕03号').success).toBe(false);
  });

  it('formats dates and heading numbers', () => {
    expect(formatDateZh('2027-05-08')).toBe('2027年5月8日');
    expect([1, 9, 10, 11, 20, 23, 99].map(chineseNumeral)).toEqual([
      '一',
      '九',
      '十',
      '十一',
      '二十',
      '二十三',
      '九十九',
    ]);
  });
});
