/**
 * The random sampling draw (双随机抽查): reproducible from seed and roster, blind to roster order,
 * fair over many seeds, weighted when asked, and checkable afterwards by verifyDraw.
 * Every seed is fixed, so the statistical checks give the same answer on every run.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSamplingActivities, drawSample, rosterSha256, validateRoster, verifyDraw } from '../activities/sampling';
import { FailureType } from '../workflows/shared/errors';
import type { Enterprise } from '../workflows/shared/plan';
import { SAMPLING_ALGORITHM, SampleDrawSchema, type SampleDraw } from '../workflows/shared/sampling';

const ROSTER: Enterprise[] = [
  { id: 'E01', name: '河洛化工有限公司', industry: '危险化学品', tier: '重点' },
  { id: 'E02', name: '香山煤矿', industry: '煤矿', tier: '重点' },
  { id: 'E03', name: '清河机械厂', industry: '工贸', tier: '一般' },
  { id: 'E04', name: '洛北烟花爆竹批发站', industry: '烟花爆竹', tier: '重点' },
  { id: 'E05', name: '西城食品有限公司', industry: '工贸', tier: '一般' },
];

const shuffled = (list: Enterprise[]) => [list[3]!, list[0]!, list[4]!, list[2]!, list[1]!];

function refusal(fn: () => unknown): ApplicationFailure {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApplicationFailure);
    const failure = e as ApplicationFailure;
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.nonRetryable).toBe(true);
    return failure;
  }
  throw new Error('expected a refusal');
}

/** How often each id is drawn over `seeds` fixed seeds. */
function frequencies(roster: Enterprise[], size: number, seeds = 2000): Map<string, number> {
  const counts = new Map(roster.map((e) => [e.id, 0]));
  for (let i = 0; i < seeds; i++) {
    for (const e of drawSample({ roster, seed: `fairness-${i}`, size }).enterprises)
      counts.set(e.id, counts.get(e.id)! + 1);
  }
  return counts;
}

/** Pearson's chi-square statistic of observed counts against expected counts. */
const chiSquare = (observed: number[], expected: number[]) =>
  observed.reduce((sum, o, i) => sum + (o - expected[i]!) ** 2 / expected[i]!, 0);

describe('rosterSha256', () => {
  it('is the same for the same enterprises in any order', () => {
    expect(rosterSha256(shuffled(ROSTER))).toBe(rosterSha256(ROSTER));
    expect(rosterSha256(ROSTER)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('treats a missing weight as 1 and changes with any field', () => {
    const weighted = ROSTER.map((e) => ({ ...e, weight: 1 }));
    expect(rosterSha256(weighted)).toBe(rosterSha256(ROSTER));
    const renamed = ROSTER.map((e, i) => (i === 2 ? { ...e, name: '清河机械有限公司' } : e));
    expect(rosterSha256(renamed)).not.toBe(rosterSha256(ROSTER));
    const retiered = ROSTER.map((e, i) => (i === 2 ? { ...e, tier: '重点' as const } : e));
    expect(rosterSha256(retiered)).not.toBe(rosterSha256(ROSTER));
  });

  it('hashes the documented canonical JSON, so an auditor can recompute it', () => {
    const json = JSON.stringify([
      { id: 'A', name: '甲', industry: '工贸', tier: '一般', weight: 1 },
      { id: 'B', name: '乙', industry: '工贸', tier: '重点', weight: 2 },
    ]);
    const roster: Enterprise[] = [
      { weight: 2, tier: '重点', industry: '工贸', name: '乙', id: 'B' },
      { tier: '一般', industry: '工贸', name: '甲', id: 'A' },
    ];
    expect(rosterSha256(roster)).toBe(createHash('sha256').update(json).digest('hex'));
  });
});

describe('drawSample', () => {
  it('gives the same draw for the same inputs, whatever the roster order', () => {
    const a = drawSample({ roster: ROSTER, seed: '漯应急指导〔2022〕3号', size: 2 });
    const b = drawSample({ roster: shuffled(ROSTER), seed: '漯应急指导〔2022〕3号', size: 2 });
    expect(b).toEqual(a);
    expect(a.algorithm).toBe(SAMPLING_ALGORITHM);
    expect(a.enterprises).toHaveLength(2);
    expect(new Set(a.enterprises.map((e) => e.id)).size).toBe(2);
    expect(a.note).toBeUndefined();
    expect(SampleDrawSchema.parse(a)).toEqual(a);
  });

  it('follows the published recipe: round 0 is sha256(seed:rosterSha256:0), first 52 bits', () => {
    // With equal weights the first pick is index floor(u × n) of the roster sorted by id.
    for (const seed of ['a', 'b', 'visit-2027-heluo-xiangshan', '2027-05-18']) {
      const hash = rosterSha256(ROSTER);
      const digest = createHash('sha256').update(`${seed}:${hash}:0`).digest('hex');
      const u = parseInt(digest.slice(0, 13), 16) / 2 ** 52;
      const sorted = [...ROSTER].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(drawSample({ roster: ROSTER, seed, size: 1 }).enterprises[0]).toEqual(
        sorted[Math.floor(u * sorted.length)],
      );
    }
  });

  it('is pinned: a change of algorithm must come with a new version name', () => {
    const draw = drawSample({ roster: ROSTER, seed: 'pinned-seed', size: 2 });
    expect({ hash: draw.rosterSha256, ids: draw.enterprises.map((e) => e.id) }).toMatchInlineSnapshot(`
      {
        "hash": "3ab596cf7d183eb698ec5c55470d5ca7b1bc5a59d21be2a4aab9c8f4b68c5d0b",
        "ids": [
          "E02",
          "E01",
        ],
      }
    `);
  });

  it('draws the whole roster, with a note, when it is smaller than the sample', () => {
    const draw = drawSample({ roster: [ROSTER[0]!], seed: 's', size: 2 });
    expect(draw.enterprises).toEqual([ROSTER[0]]);
    expect(draw.size).toBe(2);
    expect(draw.note).toBe('名单仅有 1 家企业，少于抽查数 2 家，已全部抽取');
  });

  it('refuses a sample size other than 1 or 2, and an empty seed', () => {
    for (const size of [0, 3, 1.5, -1, Number.NaN]) {
      expect(refusal(() => drawSample({ roster: ROSTER, seed: 's', size })).message).toContain('抽查企业数应为 1–2 家');
    }
    expect(refusal(() => drawSample({ roster: ROSTER, seed: '', size: 1 })).message).toContain('抽取种子不能为空');
  });

  it('draws every enterprise about equally often over 2000 seeds', () => {
    for (const size of [1, 2]) {
      const counts = [...frequencies(ROSTER, size).values()];
      const expected = counts.map(() => (2000 * size) / ROSTER.length);
      expect(Math.min(...counts)).toBeGreaterThan(0);
      // 4 degrees of freedom: 18.5 is the 0.1 % critical value; the bound is loose on purpose.
      expect(chiSquare(counts, expected)).toBeLessThan(18.5);
    }
  });

  it('never draws the same enterprise twice in one sample', () => {
    for (let i = 0; i < 500; i++) {
      const [a, b] = drawSample({ roster: ROSTER, seed: `pair-${i}`, size: 2 }).enterprises;
      expect(a!.id).not.toBe(b!.id);
    }
  });

  it('shifts frequencies by weight', () => {
    const weighted = ROSTER.map((e, i) => (i === 0 ? { ...e, weight: 3 } : e));
    const counts = frequencies(weighted, 1);
    // E01 weighs 3 of 7: expected share 0.43; the others 1 of 7 each: 0.14.
    const share = (id: string) => counts.get(id)! / 2000;
    expect(share('E01')).toBeGreaterThan(0.39);
    expect(share('E01')).toBeLessThan(0.47);
    for (const id of ['E02', 'E03', 'E04', 'E05']) {
      expect(share(id)).toBeGreaterThan(0.11);
      expect(share(id)).toBeLessThan(0.18);
    }
  });
});

describe('validateRoster', () => {
  it('refuses an empty roster', () => {
    expect(refusal(() => validateRoster([])).message).toContain('企业名单为空');
    expect(refusal(() => drawSample({ roster: [], seed: 's', size: 1 })).message).toContain('企业名单为空');
  });

  it('names duplicate ids and duplicate names (after trimming)', () => {
    const roster: Enterprise[] = [
      ...ROSTER,
      { id: 'E03', name: '另一家机械厂', industry: '工贸', tier: '一般' },
      { id: 'E09', name: ' 香山煤矿 ', industry: '煤矿', tier: '重点' },
    ];
    const message = refusal(() => validateRoster(roster)).message;
    expect(message).toContain('企业编号重复：E03（2 次）');
    expect(message).toContain('企业名称重复：香山煤矿（编号 E02、E09）');
  });

  it('refuses a weight that is not positive', () => {
    const roster = ROSTER.map((e, i) => (i === 1 ? { ...e, weight: 0 } : e));
    expect(refusal(() => validateRoster(roster)).message).toContain('第 2 家企业 weight: 抽取权重必须为正数');
  });

  it('accepts a sound roster', () => {
    expect(() => validateRoster(ROSTER)).not.toThrow();
  });
});

describe('verifyDraw', () => {
  const draw = drawSample({ roster: ROSTER, seed: 'audit-2027', size: 2 });

  it('accepts the draw against the same roster in any order', () => {
    expect(verifyDraw(draw, ROSTER)).toEqual({ ok: true });
    expect(verifyDraw(draw, shuffled(ROSTER))).toEqual({ ok: true });
  });

  it('detects a changed roster', () => {
    const added = [...ROSTER, { id: 'E06', name: '东郊物流园', industry: '工贸', tier: '一般' as const }];
    const result = verifyDraw(draw, added);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('企业名单与抽取时不一致');
    expect(verifyDraw(draw, ROSTER.slice(1)).ok).toBe(false);
  });

  it('detects a tampered enterprise list', () => {
    const other = ROSTER.find((e) => !draw.enterprises.some((d) => d.id === e.id))!;
    const swapped: SampleDraw = { ...draw, enterprises: [other, draw.enterprises[1]!] };
    const result = verifyDraw(swapped, ROSTER);
    expect(result.ok).toBe(false);
    expect(result.reason).toContain(
      `第 1 家应为 ${draw.enterprises[0]!.name}（${draw.enterprises[0]!.id}），记录为 ${other.name}（${other.id}）`,
    );

    expect(verifyDraw({ ...draw, enterprises: [...draw.enterprises].reverse() }, ROSTER).ok).toBe(false);
    expect(verifyDraw({ ...draw, enterprises: draw.enterprises.slice(0, 1) }, ROSTER).reason).toContain('第 2 家应为');
    expect(verifyDraw({ ...draw, seed: 'another-seed' }, ROSTER).ok).toBe(false);
  });
});

describe('sampling activity', () => {
  it('draws through the activity and reports refusals as non-retryable InvalidInput', async () => {
    // Quiet: the refusal below is expected, its warning would only clutter the output.
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    const { drawSample: activity } = createSamplingActivities();
    const draw = (await env.run(activity, { roster: ROSTER, seed: 'activity', size: 1 })) as SampleDraw;
    expect(draw).toEqual(drawSample({ roster: ROSTER, seed: 'activity', size: 1 }));
    await expect(env.run(activity, { roster: [], seed: 'activity', size: 1 })).rejects.toMatchObject({
      type: FailureType.InvalidInput,
      nonRetryable: true,
    });
  });
});
