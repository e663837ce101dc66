/**
 * A plan's `formats` (pdf, ofd or both) as people write them, and the attachments a letter's mail
 * gets from them: any list is accepted exactly when it is a non-empty list of distinct known
 * formats, else refused with a Chinese message naming `formats`; a mailed letter always carries
 * its document, in the formats asked for when it has them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMAT_MEDIA_TYPE, letterAttachments, type RenderResult } from '../workflows/shared/documents';
import { planFormats, renderFormats, type Plan } from '../workflows/shared/plan';
import { examplePlan } from './helpers/plans';

const written = fc.array(fc.constantFrom('pdf', 'ofd', 'PDF', 'docx', '', 'ofd '), { maxLength: 4 });

describe('plan formats', () => {
  it('any list: accepted iff non-empty, known and distinct; otherwise a Chinese message at formats', () => {
    fc.assert(
      fc.property(written, (formats) => {
        const ok =
          formats.length > 0 &&
          formats.every((f) => f === 'pdf' || f === 'ofd') &&
          new Set(formats).size === formats.length;
        let plan: Plan | undefined;
        let refused = '';
        try {
          plan = examplePlan((raw) => (raw.formats = formats));
        } catch (e) {
          refused = (e as Error).message;
        }
        expect(plan !== undefined, refused).toBe(ok);
        if (plan) {
          expect(plan.formats).toEqual(formats);
          expect(renderFormats(plan)).toEqual(formats.includes('ofd') ? { formats } : {});
        } else {
          expect(refused).toMatch(/formats/);
          expect(refused).toMatch(/文书格式/);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a plan without formats means PDF, and so does one recorded before plans had them', () => {
    const plan = examplePlan((raw) => delete raw.formats);
    expect(plan.formats).toEqual(['pdf']);
    const { formats: _gone, ...recorded } = plan;
    expect(planFormats(recorded as typeof plan)).toEqual(['pdf']);
    expect(renderFormats(recorded as typeof plan)).toEqual({});
  });
});

describe('a letter’s attachments', () => {
  const doc = (ofd: boolean): RenderResult => ({
    documentId: 'c1-opinion-final',
    path: 'c1/c1-opinion-final.pdf',
    sha256: 'a'.repeat(64),
    pages: 2,
    bytes: 100,
    ...(ofd ? { ofd: { path: 'c1/c1-opinion-final.ofd', sha256: 'b'.repeat(64), bytes: 90 } } : {}),
  });

  it('the formats asked for that the document has; never none; one name in both formats', () => {
    fc.assert(
      fc.property(
        fc.option(fc.subarray(['pdf', 'ofd'] as const, { minLength: 1 }), { nil: undefined }),
        fc.boolean(),
        (formats, hasOfd) => {
          const files = letterAttachments(doc(hasOfd), '河洛应急指导〔2027〕3号-安全生产执法指导意见书.pdf', formats);
          expect(files.length).toBeGreaterThan(0);
          const want = (formats ?? ['pdf']).filter((f) => f === 'pdf' || hasOfd);
          const expected = want.length ? want : ['pdf'];
          expect(files.map((f) => f.filename.slice(-3))).toEqual(expected);
          for (const f of files) {
            expect(f.filename).toBe(`河洛应急指导〔2027〕3号-安全生产执法指导意见书.${f.filename.slice(-3)}`);
            const format = f.filename.slice(-3) as 'pdf' | 'ofd';
            expect(f.contentType).toBe(FORMAT_MEDIA_TYPE[format]);
            expect(f.sha256).toBe(format === 'pdf' ? 'a'.repeat(64) : 'b'.repeat(64));
            expect(f.path.endsWith(`.${format}`)).toBe(true);
          }
        },
      ),
    );
  });
});
