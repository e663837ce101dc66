/**
 * Per-case caps (workflows/shared/case-limits.ts) and the bounded statistics Update
 * (RecordStatisticsArgs): the size measure the validators use is the UTF-8 size a Query answer
 * carries, and the statistics import's rows and drafts have maxima and are de-duplicated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CASE_LIMITS,
  EDIT_BUDGET_BYTES,
  PROGRESS_BUDGET_BYTES,
  QUERY_LIMIT_BYTES,
  jsonBytes,
  overCount,
  utf8Bytes,
} from '../workflows/shared/case-limits';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { RecordStatisticsArgs, STATISTICS_MAX_DRAFTS, STATISTICS_MAX_ROWS } from '../workflows/contracts/statistics';

const actor = { id: 'admin', role: 'admin' as const };
const row = (county: string, inspections = 10) => ({
  county,
  inspections,
  inspectors: 20,
  documents: 10,
  cases: 1,
  fines: 1.5,
  hazardsFound: 5,
  hazardsFixed: 5,
});
const draft = (n: number) => ({ item: CHECKLIST_KEYS[0], problem: `问题${n}`, opinion: `意见${n}` });
const args = (rest: Record<string, unknown>) => ({
  actor,
  period: '2027年1—6月',
  sourceSha256: 'a'.repeat(64),
  ...rest,
});
const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues.map((i) => i.message) ?? [];

describe('the size measure', () => {
  it('is the UTF-8 byte length, for any text (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('\ud800', '\udc00'),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          ),
        }),
        (s) => utf8Bytes(s) === Buffer.byteLength(s, 'utf8'),
      ),
    );
    fc.assert(fc.property(fc.jsonValue(), (v) => jsonBytes(v) === Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8')));
  });

  it('leaves the workflow room under the Query limit, and says the cap in Chinese', () => {
    expect(EDIT_BUDGET_BYTES).toBeLessThan(PROGRESS_BUDGET_BYTES);
    expect(QUERY_LIMIT_BYTES - PROGRESS_BUDGET_BYTES).toBeGreaterThan(500_000);
    expect(overCount(199, CASE_LIMITS.evidence, '证据材料', '件')).toBeUndefined();
    expect(overCount(200, CASE_LIMITS.evidence, '证据材料', '件')).toBe('本案证据材料已达上限 200 件，不能再添加');
    expect(overCount(20, CASE_LIMITS.returns, '退回修改')).toBe('本案退回修改已达上限 20 次，不能再进行');
  });
});

describe('recordStatistics arguments', () => {
  it('accept at most the maximum of rows, keep an exact repeat once, refuse two different rows for one county', () => {
    const many = Array.from({ length: STATISTICS_MAX_ROWS + 1 }, (_, i) => row(`县${i}`));
    expect(messages(RecordStatisticsArgs.safeParse(args({ rows: many })))).toContain(
      `统计表不能超过 ${STATISTICS_MAX_ROWS} 项（收到 ${STATISTICS_MAX_ROWS + 1} 项）`,
    );
    expect(RecordStatisticsArgs.safeParse(args({ rows: many.slice(1) })).success).toBe(true);
    const twice = RecordStatisticsArgs.parse(args({ rows: [row('香山县'), row('清河县'), row('香山县')] }));
    expect(twice.rows.map((r) => r.county)).toEqual(['香山县', '清河县']);
    expect(messages(RecordStatisticsArgs.safeParse(args({ rows: [row('香山县'), row('香山县', 11)] })))).toContain(
      '统计表中县区“香山县”出现两次且数字不同',
    );
  });

  it('accept at most the maximum of drafts per county and of counties, each draft once (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: STATISTICS_MAX_DRAFTS + 5 }), (ns) => {
        const r = RecordStatisticsArgs.safeParse(args({ rows: [row('香山县')], drafts: { xiangshan: ns.map(draft) } }));
        expect(r.success).toBe(ns.length <= STATISTICS_MAX_DRAFTS);
        if (r.success)
          expect(r.data.drafts.xiangshan!.map((d) => d.problem)).toEqual([...new Set(ns)].map((n) => `问题${n}`));
      }),
    );
    const counties = Object.fromEntries(
      Array.from({ length: STATISTICS_MAX_ROWS + 1 }, (_, i) => [`c${i}`, [draft(1)]]),
    );
    expect(messages(RecordStatisticsArgs.safeParse(args({ rows: [row('香山县')], drafts: counties })))).toContain(
      `问题草稿涉及的县区不能超过 ${STATISTICS_MAX_ROWS} 个`,
    );
  });
});
