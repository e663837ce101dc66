/**
 * The renderDocument activity: deterministic ids so retries overwrite, the input's plan's templates,
 * permanent failures typed TemplateError (template and variable named) or PlanNotServable (a
 * template directory this worker cannot use), fonts loaded once per process.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDocumentActivities, documentIdFor } from '../../activities/documents';
import { fontLoadCount, loadFonts } from '../../activities/documents/fonts';
import { BUILTIN_TEMPLATES_DIR, exampleData } from '../../activities/documents/templates';
import { FailureType } from '../../workflows/shared/errors';
import type { RenderResult } from '../../workflows/shared/documents';
import type { RenderDocumentInput } from '../../workflows/shared/render-document';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { failureOf } from '../helpers/failure';
import { SETUP_TIMEOUT, pdftotext, squash, tempDir } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);

const opinion = () => structuredClone(exampleData('opinion')) as Record<string, unknown>;

describe('renderDocument', () => {
  const env = new MockActivityEnvironment();
  const run = (fn: (i: RenderDocumentInput) => Promise<RenderResult>, input: RenderDocumentInput) =>
    env.run(fn, input) as Promise<RenderResult>;

  it('a retry with the same key overwrites the same file', async () => {
    const archiveDir = tempDir('archive-');
    const { renderDocument } = createDocumentActivities({ archiveDir });
    const input: RenderDocumentInput = {
      kind: 'urge',
      caseId: 'visit-2027-heluo-qinghe',
      key: 'rung-urge',
      data: exampleData('urge') as never,
    };
    const a = await run(renderDocument, input);
    const b = await run(renderDocument, input);
    expect(b).toEqual(a);
    expect(a.documentId).toBe('visit-2027-heluo-qinghe-urge-rung-urge');
    expect(fs.readdirSync(path.join(archiveDir, 'visit-2027-heluo-qinghe'))).toEqual([`${a.documentId}.pdf`]);
  });

  it('without a key the id comes from the data: equal data, equal id; other data, other id', () => {
    const base = { kind: 'opinion' as const, caseId: 'c1', data: opinion() as never };
    const changed = { ...opinion(), dueDate: '2027-05-21' };
    expect(documentIdFor(base)).toBe(documentIdFor({ ...base, data: JSON.parse(JSON.stringify(base.data)) }));
    expect(documentIdFor(base)).toMatch(/^c1-opinion-h[0-9a-f]{16}$/);
    expect(documentIdFor({ ...base, data: changed as never })).not.toBe(documentIdFor(base));
  });

  it('bad data is a non-retryable TemplateError naming the template and the field', async () => {
    const { renderDocument } = createDocumentActivities({ archiveDir: tempDir() });
    const data = { ...opinion(), dueDate: '2027-02-30' };
    const f = await failureOf(run(renderDocument, { kind: 'opinion', caseId: 'c1', data: data as never }));
    expect(f.type).toBe(FailureType.TemplateError);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('opinion.hbs');
    expect(f.message).toContain('dueDate');
  });

  /** A copy of the built-in templates, as a bureau's own directory. */
  function templatesCopy(): string {
    const dir = tempDir('templates-');
    fs.cpSync(BUILTIN_TEMPLATES_DIR, dir, { recursive: true });
    return dir;
  }

  it("renders with the templates of the input's plan, not a worker setting", async () => {
    const templatesDir = templatesCopy();
    const urge = path.join(templatesDir, 'urge.hbs');
    fs.writeFileSync(urge, fs.readFileSync(urge, 'utf8').replace('</title>', '</title><p>本局专用催办用语</p>'));
    const { renderDocument } = createDocumentActivities({ archiveDir: tempDir() });
    const own = await run(renderDocument, {
      kind: 'urge',
      caseId: 'c1',
      key: 'own',
      templatesDir,
      data: exampleData('urge') as never,
    });
    const builtin = await run(renderDocument, {
      kind: 'urge',
      caseId: 'c1',
      key: 'builtin',
      data: exampleData('urge') as never,
    });
    expect(squash(pdftotext(own.path))).toContain('本局专用催办用语');
    expect(squash(pdftotext(builtin.path))).not.toContain('本局专用催办用语');
  });

  it('a templatesDir this worker lacks, or whose templates fail the check, is a non-retryable PlanNotServable naming the directory', async () => {
    const { renderDocument } = createDocumentActivities({ archiveDir: tempDir() });
    const missing = path.join(tempDir('gone-'), 'templates');
    const f = await failureOf(
      run(renderDocument, { kind: 'urge', caseId: 'c1', templatesDir: missing, data: exampleData('urge') as never }),
    );
    expect(f.type).toBe(FailureType.PlanNotServable);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain(missing);
    expect(f.message).toMatch(/没有计划的模板目录/);

    const broken = templatesCopy();
    const urge = path.join(broken, 'urge.hbs');
    fs.writeFileSync(urge, fs.readFileSync(urge, 'utf8').replace('<title>', '<p>{{county.head}}</p><title>'));
    const g = await failureOf(
      run(renderDocument, { kind: 'urge', caseId: 'c1', templatesDir: broken, data: exampleData('urge') as never }),
    );
    expect(g.type).toBe(FailureType.PlanNotServable);
    expect(g.nonRetryable).toBe(true);
    expect(g.message).toContain(broken);
    expect(g.message).toContain('urge.hbs');
    expect(g.message).toContain('county.head');
  });

  it('a template edited after the check fails at render time as TemplateError, variable named', async () => {
    const templatesDir = templatesCopy();
    const { renderDocument } = createDocumentActivities({ archiveDir: tempDir() });
    await run(renderDocument, { kind: 'urge', caseId: 'c1', templatesDir, data: exampleData('urge') as never });
    const urge = path.join(templatesDir, 'urge.hbs');
    fs.writeFileSync(urge, fs.readFileSync(urge, 'utf8').replace('<title>', '<p>{{county.head}}</p><title>'));
    const f = await failureOf(
      run(renderDocument, { kind: 'urge', caseId: 'c1', templatesDir, data: exampleData('urge') as never }),
    );
    expect(f.type).toBe(FailureType.TemplateError);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('urge.hbs');
    expect(f.message).toContain('head');
  });

  it('an unsafe case id or an unknown kind is InvalidInput, and nothing is written', async () => {
    const archiveDir = tempDir('archive-');
    const { renderDocument } = createDocumentActivities({ archiveDir });
    const f = await failureOf(
      run(renderDocument, { kind: 'urge', caseId: '../etc', data: exampleData('urge') as never }),
    );
    expect(f.type).toBe(FailureType.InvalidInput);
    const g = await failureOf(run(renderDocument, { kind: 'memo' as never, caseId: 'c1', data: {} as never }));
    expect(g.type).toBe(FailureType.InvalidInput);
    expect(fs.readdirSync(archiveDir)).toEqual([]);
  });

  it('fonts are read once per process, however many documents are rendered', () => {
    expect(fontLoadCount()).toBe(1);
  });

  it('with OFD in the formats: the OFD beside the PDF, each with its sha256, the OFD first', async () => {
    const archiveDir = tempDir('archive-');
    const { renderDocument } = createDocumentActivities({ archiveDir });
    const input: RenderDocumentInput = {
      kind: 'opinion',
      caseId: 'c1',
      key: 'final',
      formats: ['pdf', 'ofd'],
      data: opinion() as never,
    };
    const r = await run(renderDocument, input);
    const folder = path.join(archiveDir, 'c1');
    expect(fs.readdirSync(folder).sort()).toEqual(['c1-opinion-final.ofd', 'c1-opinion-final.pdf']);
    const hash = (f: string) =>
      createHash('sha256')
        .update(fs.readFileSync(path.join(folder, f)))
        .digest('hex');
    expect(r.sha256).toBe(hash('c1-opinion-final.pdf'));
    expect(r.ofd).toEqual({
      path: path.join(folder, 'c1-opinion-final.ofd'),
      sha256: hash('c1-opinion-final.ofd'),
      bytes: fs.statSync(path.join(folder, 'c1-opinion-final.ofd')).size,
    });
    // Without OFD in the formats the result is the PDF alone, as before OFD existed.
    const pdfOnly = await run(renderDocument, { ...input, key: 'pdf-only', formats: undefined });
    expect(pdfOnly.ofd).toBeUndefined();
    expect(pdfOnly.sha256).toBe(r.sha256);
  });

  it('a worker without the TrueType twins refuses OFD with PlanNotServable, naming set-up; PDF still renders', async () => {
    const { renderDocument } = createDocumentActivities({ archiveDir: tempDir() });
    const fang = loadFonts().faces.fang;
    const kept = fang.ofdFile;
    fang.ofdFile = undefined; // as on a host where set-up never made the twin
    try {
      const input: RenderDocumentInput = { kind: 'urge', caseId: 'c1', key: 'k', data: exampleData('urge') as never };
      const f = await failureOf(run(renderDocument, { ...input, formats: ['pdf', 'ofd'] }));
      expect(f.type).toBe(FailureType.PlanNotServable);
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toContain('npm run setup');
      expect(f.message).toContain('OFD');
      expect((await run(renderDocument, input)).ofd).toBeUndefined();
    } finally {
      fang.ofdFile = kept;
    }
  });
});
