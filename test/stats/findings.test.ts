/** Draft findings from the indicators, with thresholds from the plan; and the plan schema itself. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKLIST_KEYS } from '../../workflows/shared/checklist';
import { StatsRulesSchema } from '../../workflows/shared/stats';
import { XUCHANG_CSV, analyse, toCsv } from './helpers';

const xuchang = (rules = {}) => analyse(readFileSync(XUCHANG_CSV), 'x.csv', rules);
const pairs = (r: Awaited<ReturnType<typeof analyse>>) => r.drafts.map((d) => `${d.unit}:${d.rule}`);

describe('draft findings on the Xuchang table (default thresholds)', () => {
  it('draws the bulletin’s own two findings — 重检查、轻处罚 and no closed loop — where the numbers show them', async () => {
    const r = await xuchang();
    expect(pairs(r)).toEqual([
      '市本级:fewInspections',
      '魏都区:lowPunishRate',
      '许昌县:lowPunishRate',
      '鄢陵县:lowPunishRate',
      '鄢陵县:openLoop',
      '襄城县:lowPunishRate',
      '襄城县:openLoop',
      '禹州市:lowPunishRate',
      '禹州市:openLoop',
      '长葛市:lowPunishRate',
      '东城区:lowPunishRate',
      '东城区:openLoop',
      '经济技术开发区:lowPunishRate',
      '经济技术开发区:openLoop',
      '城乡一体化示:lowPunishRate',
      '城乡一体化示:openLoop',
      '合计:lowPunishRate',
      '合计:openLoop',
    ]);
    const total = r.drafts.filter((d) => d.scope === 'total');
    expect(total.map((d) => d.problem)).toEqual([
      '检查处罚率为 0.4%（立案 2 起、检查 505 家次），低于 15%，存在“重检查、轻处罚”现象。',
      '出具现场检查记录 392 份，整改复查类文书（责令限期整改指令书、整改复查意见书）仅 233 份（每份现场检查记录 0.59 份），检查出的隐患没有跟进整改复查，监督检查没有形成闭环。',
    ]);
    for (const d of r.drafts) {
      expect(CHECKLIST_KEYS).toContain(d.item);
      expect(d.opinion).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(r.drafts.find((d) => d.rule === 'lowPunishRate')).toMatchObject({
      item: 'plan.onsite',
      itemLabel: '现场监管执法检查',
      threshold: 15,
    });
    expect(r.drafts.find((d) => d.rule === 'fewInspections')).toMatchObject({
      item: 'plan.publish',
      value: 5,
      threshold: 10,
    });
  });

  it('thresholds come from the plan: another benchmark, a rule switched off', async () => {
    const r = await xuchang({ punishRateBenchmark: 2, rectifyDocsPerOnsiteMin: null, minInspections: null });
    // 鄢陵县 (2.4 %) is now above the benchmark; 市本级 is judged like the others.
    expect(pairs(r)).toEqual([
      '市本级:lowPunishRate',
      '魏都区:lowPunishRate',
      '许昌县:lowPunishRate',
      '襄城县:lowPunishRate',
      '禹州市:lowPunishRate',
      '长葛市:lowPunishRate',
      '东城区:lowPunishRate',
      '经济技术开发区:lowPunishRate',
      '城乡一体化示:lowPunishRate',
      '合计:lowPunishRate',
    ]);
  });

  it('fewer than the minimum inspector-visits per inspection → 执法程序', async () => {
    const r = await xuchang({
      punishRateBenchmark: null,
      rectifyDocsPerOnsiteMin: null,
      inspectorsPerInspectionMin: 2.1,
    });
    // 2.00, 2.03 and the total's 2.06 fall short; 鄢陵县 2.14 and 东城区 2.52 do not; 市本级 has too few inspections.
    expect(pairs(r)).toEqual([
      '市本级:fewInspections',
      '魏都区:fewInspectors',
      '许昌县:fewInspectors',
      '襄城县:fewInspectors',
      '禹州市:fewInspectors',
      '长葛市:fewInspectors',
      '经济技术开发区:fewInspectors',
      '城乡一体化示:fewInspectors',
      '合计:fewInspectors',
    ]);
    expect(r.drafts[1]).toMatchObject({ item: 'standard.procedure', value: 2, threshold: 2.1 });
  });
});

describe('draft findings on fines, hazards and bad figures (Chuxiong)', () => {
  it('low share of non-accident fines, low punish rate, and the inconsistent 整改率', async () => {
    const r = await analyse(
      toCsv([
        [
          '单位',
          '检查家次',
          '立案数',
          '排查隐患',
          '整改隐患',
          '整改率（%）',
          '监督检查罚款（万元）',
          '事故罚款（万元）',
        ],
        ['楚雄州', '4847', '237', '6568', '6396', '96.3', '211.38', '379.6'],
      ]),
    );
    expect(pairs(r)).toEqual([
      '楚雄州:lowPunishRate',
      '楚雄州:lowNonAccidentFineShare',
      '楚雄州:inconsistentStatistics',
    ]);
    expect(r.drafts[1]!.problem).toBe(
      '罚款合计 590.98 万元中监督检查罚款 211.38 万元，仅占 35.8%（低于 50%），处罚多在事故发生之后，日常监督检查处罚力度不足。',
    );
    expect(r.drafts[2]!.problem).toBe('报送的执法统计数据有 1 处缺项或逻辑错误（整改率（%）），数据不准确。');
  });

  it('a low 整改率', async () => {
    const r = await analyse(
      toCsv([
        ['单位', '检查家次', '排查隐患', '整改隐患'],
        ['甲县', '50', '40', '30'],
      ]),
    );
    expect(r.drafts.map((d) => [d.rule, d.value])).toEqual([['lowRectificationRate', 75]]);
  });
});

describe('StatsRulesSchema (the plan’s statistics section)', () => {
  it('has defaults for everything', () => {
    expect(StatsRulesSchema.parse({})).toEqual({
      punishRateBenchmark: 15,
      rectifyDocsPerOnsiteMin: 1,
      rectificationRateMin: 90,
      inspectorsPerInspectionMin: 2,
      nonAccidentFineShareMin: 50,
      minInspections: 10,
      reportInconsistencies: true,
      ranking: { method: 'competition', exclude: [] },
      blankCells: 'auto',
    });
  });

  it('refuses a misspelt key, a negative threshold and an unknown ranking method', () => {
    expect(StatsRulesSchema.safeParse({ punishRateBenchmak: 10 }).success).toBe(false);
    expect(StatsRulesSchema.safeParse({ punishRateBenchmark: -1 }).success).toBe(false);
    expect(StatsRulesSchema.safeParse({ ranking: { method: 'olympic' } }).success).toBe(false);
    expect(StatsRulesSchema.parse({ ranking: { exclude: ['市本级'] } }).ranking).toEqual({
      method: 'competition',
      exclude: ['市本级'],
    });
  });
});
