/** Ranking by 检查处罚率: 1 = highest, ties share a rank, and the table's own 排名 is checked. */
import { describe, expect, it } from 'vitest';
import { analyse, brief, toCsv } from './helpers';

// Rates: 庚 33.3, 辛 33.3 (333 ÷ 1000 and 1 ÷ 3 print alike), 甲 乙 戊 10.0, 丙 5.0, 壬 0.2
// (3 ÷ 2000 = 0.15, half up), 丁 0.0, 己 none (no inspections).
const ROWS: [string, string, string, string, string][] = [
  ['甲县', '100', '10', '10.0', '3'],
  ['乙县', '50', '5', '10.0', '3'],
  ['丙县', '20', '1', '5.0', '6'],
  ['丁县', '10', '0', '0.0', '8'],
  ['戊县', '30', '3', '10', '并列第3名'],
  ['己区', '0', '0', '', ''],
  ['庚县', '3', '1', '33.3', '1'],
  ['辛县', '1000', '333', '33.3', '1'],
  ['壬县', '2000', '3', '0.2', '7'],
];
const table = (rows = ROWS) => toCsv([['单位', '检查家次', '立案数', '检查处罚率（%）', '排名'], ...rows]);
const ranks = (r: Awaited<ReturnType<typeof analyse>>) => Object.fromEntries(r.units.map((u) => [u.name, u.rank]));

describe('ranking', () => {
  it('competition ranking on the published rate; the table’s own ranks and rates agree', async () => {
    const r = await analyse(table());
    expect(ranks(r)).toEqual({ 庚县: 1, 辛县: 1, 甲县: 3, 乙县: 3, 戊县: 3, 丙县: 6, 壬县: 7, 丁县: 8, 己区: null });
    expect(r.units.find((u) => u.name === '壬县')!.punishRate).toBe(0.2);
    expect(r.units.find((u) => u.name === '己区')!.punishRate).toBeNull();
    expect(r.problems).toEqual([]);
  });

  it('dense ranking (“中国式排名”) when the plan says so — then the table’s competition ranks are wrong', async () => {
    const r = await analyse(table(), 't.csv', { ranking: { method: 'dense' } });
    expect(ranks(r)).toEqual({ 庚县: 1, 辛县: 1, 甲县: 2, 乙县: 2, 戊县: 2, 丙县: 3, 壬县: 4, 丁县: 5, 己区: null });
    expect(brief(r).map((p) => [p.unit, p.expected, p.found])).toEqual([
      ['甲县', 2, 3],
      ['乙县', 2, 3],
      ['丙县', 3, 6],
      ['丁县', 5, 8],
      ['戊县', 2, 3],
      ['壬县', 4, 7],
    ]);
  });

  it('leaves out units the plan excludes', async () => {
    const r = await analyse(table(), 't.csv', { ranking: { exclude: ['庚县'] } });
    expect(ranks(r)).toMatchObject({ 庚县: null, 辛县: 1, 甲县: 2, 丙县: 5, 丁县: 7 });
  });

  it('reports a wrong rank and a wrong rate at their cells', async () => {
    const rows = ROWS.map((r) => [...r] as typeof r);
    rows[2]![4] = '5'; // 丙县 ranked 5th, should be 6th
    rows[0]![3] = '9.0'; // 甲县 rate 9.0, should be 10.0
    const r = await analyse(table(rows));
    expect(brief(r)).toEqual([
      { unit: '甲县', column: 'punishRate', cell: 'D2', check: 'rate', expected: 10, found: 9 },
      { unit: '丙县', column: 'rank', cell: 'E4', check: 'rank', expected: 6, found: 5 },
    ]);
    expect(r.problems[1]!.message).toBe('丙县（第4行）E4「排名」应为第 6 名（检查处罚率 5.0%），表中为第 5 名');
  });

  it('a rank for a unit without a rate, and a missing rank, are both reported', async () => {
    const rows = ROWS.map((r) => [...r] as typeof r);
    rows[5]![4] = '9'; // 己区 has no inspections
    rows[3]![4] = ''; // 丁县's rank left blank
    const r = await analyse(table(rows));
    expect(brief(r)).toEqual([
      { unit: '丁县', column: 'rank', cell: 'E5', check: 'missing', expected: 8, found: null },
      { unit: '己区', column: 'rank', cell: 'E7', check: 'rank', expected: null, found: 9 },
    ]);
  });
});
