/**
 * Which changes of a visit's progress are worth a note to the programme (issue 25, patch
 * `lean-progress-notes`): a note costs the visit and the programme a workflow task each, so the days
 * overdue alone (the programme counts them from the due date) and the short step of issuing the
 * opinion letter do not send one; every other change does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stage } from '../workflows/shared/labels';
import { EscalationRung } from '../workflows/shared/plan';
import { noteworthy } from '../workflows/visit/publisher';
import type { VisitProgress } from '../workflows/contracts/programme';

const date = fc
  .date({ min: new Date('2027-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const progress: fc.Arbitrary<VisitProgress> = fc.record(
  {
    county: fc.constantFrom('qinghe', 'shimen', 'xijiang'),
    stage: fc.constantFrom(...Stage.options),
    docNumber: fc.constantFrom('河洛应急指导〔2027〕1号', '河洛应急指导〔2027〕2号'),
    dueDate: date,
    rung: fc.constantFrom(...EscalationRung.options, 'none' as const),
    overdue: fc.boolean(),
    daysOverdue: fc.nat(120),
    listedInBulletin: fc.boolean(),
    reportPending: fc.boolean(),
    deductPoints: fc.nat(10),
    openProblems: fc.array(fc.constantFrom('计划未报备', '案卷不完整', '培训不足'), { maxLength: 3 }),
  },
  { requiredKeys: ['county', 'stage'] },
);

const same = (a: VisitProgress, b: VisitProgress) => JSON.stringify(noteworthy(a)) === JSON.stringify(noteworthy(b));
const transient = (s: string) => s === 'issuing' || s === 'issued';

describe('progress notes worth a signal', () => {
  it('a change of the days overdue alone sends none', () => {
    fc.assert(fc.property(progress, fc.nat(120), (p, days) => same(p, { ...p, daysOverdue: days })));
  });

  it('issuing the opinion letter (its number, then 已送达) sends none beyond the first', () => {
    fc.assert(
      fc.property(progress, fc.constantFrom('issuing', 'issued'), fc.string(), (p, stage, docNumber) =>
        same({ ...p, stage: 'issuing', docNumber: undefined }, { ...p, stage, docNumber }),
      ),
    );
  });

  it('any other change sends one', () => {
    fc.assert(
      fc.property(progress, progress, (a, b) => {
        const { daysOverdue: _a, ...ra } = a;
        const { daysOverdue: _b, ...rb } = b;
        const quiet = transient(a.stage) && transient(b.stage);
        const differ = quiet
          ? JSON.stringify({ ...ra, stage: 0, docNumber: 0 }) !== JSON.stringify({ ...rb, stage: 0, docNumber: 0 })
          : JSON.stringify(ra) !== JSON.stringify(rb);
        return same(a, b) === !differ;
      }),
    );
    // The stage moving on from the letter's issue is news: rectification, or closed.
    const issuing: VisitProgress = { county: 'qinghe', stage: 'issued', docNumber: '河洛应急指导〔2027〕1号' };
    expect(same(issuing, { ...issuing, stage: 'rectification' })).toBe(false);
    expect(same({ ...issuing, stage: 'approval' }, issuing)).toBe(false);
  });
});
