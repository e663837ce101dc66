/**
 * The draw never meets a roster that an Update accepted (issue 21, point 3): for rosters people
 * type (random ids and names, repeats, blanks, bad tiers and weights), correctRoster's schema
 * accepts exactly the rosters the draw's own check (validateRoster) accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateRoster } from '../activities/sampling';
import type { Enterprise } from '../workflows/shared/plan';
import { CorrectRosterArgs } from '../workflows/contracts/roster';

const admin = { id: 'admin', role: 'admin' as const };
// Few distinct values, so repeats (the case that matters) are common.
const id = fc.constantFrom('A-1', 'A-2', 'A-3', 'B-1', '', ' ');
const name = fc.constantFrom('利民机械', '瑞丰化工', '瑞丰化工 ', '顺发石料厂', '', '安泰');
const enterprise = fc.record(
  {
    id,
    name,
    industry: fc.constantFrom('工贸', '危险化学品', ''),
    tier: fc.constantFrom('重点', '一般', '其他'),
    weight: fc.option(fc.constantFrom(1, 2.5, 0, -1), { nil: undefined }),
  },
  { requiredKeys: ['id', 'name', 'industry', 'tier'] },
);

describe('correctRoster accepts exactly what the draw can draw from (fast-check)', () => {
  it('accepted by the Update ⇔ accepted by the draw', () => {
    fc.assert(
      fc.property(fc.array(enterprise, { maxLength: 6 }), (roster) => {
        const update = CorrectRosterArgs.safeParse({ actor: admin, enterprises: roster, reason: '按县局来函更正' });
        let draw = true;
        try {
          validateRoster(roster as Enterprise[]);
        } catch {
          draw = false;
        }
        expect(update.success, JSON.stringify(roster)).toBe(draw);
      }),
      { numRuns: 2000 },
    );
  });
});
