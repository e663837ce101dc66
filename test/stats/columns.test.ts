/**
 * Tables with only some of the known columns: what the columns allow is computed, the rest is
 * left out rather than reported as missing.
 */
import { describe, expect, it } from 'vitest';
import { analyse, brief, toCsv } from './helpers';

describe('a table with three columns', () => {
  const csv = toCsv([
    ['县（市、区）', '检查家次', '立案数'],
    ['甲县', '120', '6'],
    ['乙县', '80', '0'],
    ['合计', '200', '6'],
  ]);

  it('gives the punish rate and rank, and no key for anything it cannot compute', async () => {
    const r = await analyse(csv);
    expect(r.problems).toEqual([]);
    expect(r.units).toEqual([
      { name: '甲县', row: 2, inspections: 120, cases: 6, punishRate: 5, rank: 1 },
      { name: '乙县', row: 3, inspections: 80, cases: 0, punishRate: 0, rank: 2 },
    ]);
    expect(r.total).toEqual({ name: '合计', row: 4, inspections: 200, cases: 6, punishRate: 3, computed: false });
  });

  it('still checks the 合计 of the columns it has', async () => {
    const r = await analyse(csv.replace('合计,200,6', '合计,200,7'));
    expect(brief(r)).toEqual([{ unit: '合计', column: 'cases', cell: 'C4', check: 'total', expected: 6, found: 7 }]);
  });
});

describe('the Chuxiong 2020 report as a one-row table', () => {
  // The report's own figures: 4847 家次, 3943 份文书, 立案 237 件, 隐患 6568 项 / 整改 6396 项,
  // 整改率 96.3 %, 罚款 590.98 万元 of which 事故 379.6 and 监督检查 211.38.
  const csv = toCsv([
    [
      '单位',
      '检查生产经营单位（家次）',
      '下达各类执法文书（份）',
      '立案查处（件）',
      '排查隐患（项）',
      '整改隐患（项）',
      '整改率（%）',
      '监督检查罚款（万元）',
      '事故罚款（万元）',
      '罚款合计（万元）',
    ],
    ['楚雄州', '4847', '3943', '237', '6568', '6396', '96.3', '211.38', '379.6', '590.98'],
  ]);

  it('finds the report’s own inconsistency: 6396 ÷ 6568 is 97.4 %, not 96.3 %', async () => {
    const r = await analyse(csv);
    expect(brief(r)).toEqual([
      { unit: '楚雄州', column: 'rectificationRate', cell: 'G2', check: 'rate', expected: 97.4, found: 96.3 },
    ]);
    expect(r.problems[0]!.message).toBe(
      '楚雄州（第2行）G2「整改率（%）」应为 97.4%（整改 6396 项 ÷ 排查 6568 项），表中为 96.3',
    );
  });

  it('computes what its columns allow and leaves out the rest', async () => {
    const r = await analyse(csv);
    const u = r.units[0]!;
    expect(u).toMatchObject({
      punishRate: 4.9, // 237 ÷ 4847 = 4.89 %
      rectificationRate: 97.4,
      averageFine: 2.49, // 590.98 ÷ 237
      nonAccidentFineShare: 35.8, // 211.38 ÷ 590.98
      rank: 1,
      docSubtotal: 3943,
      stated: { rectificationRate: 96.3 },
    });
    // No 出动人次, no 现场检查 / 整改 documents: those indicators are absent, not null.
    expect('inspectorsPerInspection' in u).toBe(false);
    expect('rectifyDocsPerOnsite' in u).toBe(false);
    expect('warnings' in u).toBe(false);
    // No 合计 row: the total is the sum of the (single) unit.
    expect(r.total).toMatchObject({ name: '合计', row: null, computed: true, inspections: 4847, fineSubtotal: 590.98 });
  });

  it('a one-part 小计 (文书 without kinds) is not checked against parts it does not show', async () => {
    const r = await analyse(csv);
    expect(r.problems.some((p) => p.column === 'docSubtotal')).toBe(false);
  });
});
