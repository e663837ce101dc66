/**
 * Random sampling draw (双随机抽查): picks 1–2 enterprises from a county's roster so that anyone
 * holding the seed and the roster can recompute the result by hand. Every random number comes
 * from sha256(seed + ':' + rosterSha256 + ':' + round); nothing depends on the clock, the
 * process or the order the roster was typed in.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/shared/errors';
import { EnterpriseSchema, formatIssues, type Enterprise } from '../workflows/shared/plan';
import { SAMPLING_ALGORITHM, SampleSize, type DrawSampleInput, type SampleDraw } from '../workflows/shared/sampling';

export type { DrawSampleInput, SampleDraw } from '../workflows/shared/sampling';

/** 2^52: the first 13 hex digits of a digest give an integer that a double holds exactly. */
const TWO_POW_52 = 2 ** 52;

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Sorts by id comparing UTF-16 code units. Not localeCompare: its order depends on the ICU
 * version and locale, and an auditor's machine must sort the same way ours did.
 */
function canonicalOrder(roster: readonly Enterprise[]): Enterprise[] {
  return [...roster].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One entry with its fields in a fixed order and the weight made explicit. */
function canonicalEntry(e: Enterprise) {
  return { id: e.id, name: e.name, industry: e.industry, tier: e.tier, weight: e.weight ?? 1 };
}

/** sha256 (hex) of the roster's canonical JSON: the same enterprises in any order hash the same. */
export function rosterSha256(roster: readonly Enterprise[]): string {
  return sha256Hex(JSON.stringify(canonicalOrder(roster).map(canonicalEntry)));
}

/**
 * Refuses a roster that cannot be drawn from fairly: empty, an entry that breaks the schema
 * (e.g. a weight ≤ 0), or duplicate ids or names (a duplicate would double an enterprise's chance).
 * Throws a non-retryable InvalidInput failure listing every problem.
 */
export function validateRoster(roster: readonly Enterprise[]): void {
  if (roster.length === 0) {
    throw ApplicationFailure.nonRetryable('企业名单为空：执法计划中没有可供抽取的企业', FailureType.InvalidInput);
  }
  const problems: string[] = [];
  // Only well-formed entries take part in the duplicate checks: a null entry has no id to compare.
  const wellFormed = roster.filter((e, i) => {
    const parsed = EnterpriseSchema.safeParse(e);
    if (!parsed.success) problems.push(...formatIssues(parsed.error).map((m) => `第 ${i + 1} 家企业 ${m}`));
    return parsed.success;
  });
  const byId = groupBy(wellFormed, (e) => e.id);
  const dupIds = [...byId].filter(([, list]) => list.length > 1).map(([id, list]) => `${id}（${list.length} 次）`);
  if (dupIds.length) problems.push(`企业编号重复：${dupIds.join('、')}`);
  const byName = groupBy(wellFormed, (e) => e.name.trim());
  const dupNames = [...byName]
    .filter(([, list]) => list.length > 1)
    .map(([name, list]) => `${name}（编号 ${list.map((e) => e.id).join('、')}）`);
  if (dupNames.length) problems.push(`企业名称重复：${dupNames.join('、')}`);
  if (problems.length) {
    throw ApplicationFailure.nonRetryable(
      `企业名单不能用于抽取：\n  ${problems.join('\n  ')}`,
      FailureType.InvalidInput,
    );
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The uniform number in [0, 1) for one round: the first 52 bits of the round's digest. */
export function roundUniform(seed: string, rosterHash: string, round: number): number {
  const digest = sha256Hex(`${seed}:${rosterHash}:${round}`);
  return parseInt(digest.slice(0, 13), 16) / TWO_POW_52;
}

/**
 * Draws `size` enterprises without replacement, each round picking with probability
 * proportional to weight among those not yet drawn. The roster is put in canonical order first,
 * so only the seed and the roster's content decide the result.
 */
export function drawSample(input: DrawSampleInput): SampleDraw {
  const { roster, seed, size } = input;
  if (typeof seed !== 'string' || seed.length === 0) {
    throw ApplicationFailure.nonRetryable('抽取种子不能为空', FailureType.InvalidInput);
  }
  const sizeCheck = SampleSize.safeParse(size);
  if (!sizeCheck.success) {
    throw ApplicationFailure.nonRetryable(
      `抽查企业数应为 1–2 家（2022 年方案）：${String(size)}`,
      FailureType.InvalidInput,
    );
  }
  validateRoster(roster);

  const hash = rosterSha256(roster);
  const remaining = canonicalOrder(roster);
  const count = Math.min(size, remaining.length);
  const drawn: Enterprise[] = [];
  for (let round = 0; round < count; round++) {
    // Summed in canonical order every round, so the floating-point result is the same everywhere.
    const total = remaining.reduce((sum, e) => sum + (e.weight ?? 1), 0);
    const target = roundUniform(seed, hash, round) * total;
    let index = remaining.length - 1; // rounding can leave target just above the last sum
    let cumulative = 0;
    for (let i = 0; i < remaining.length; i++) {
      cumulative += remaining[i]!.weight ?? 1;
      if (target < cumulative) {
        index = i;
        break;
      }
    }
    drawn.push(remaining.splice(index, 1)[0]!);
  }

  const draw: SampleDraw = { algorithm: SAMPLING_ALGORITHM, seed, rosterSha256: hash, size, enterprises: drawn };
  if (size > roster.length) {
    draw.note = `名单仅有 ${roster.length} 家企业，少于抽查数 ${size} 家，已全部抽取`;
  }
  return draw;
}

/** Re-runs a recorded draw from its seed and the given roster; `reason` (Chinese) says what differs. */
export function verifyDraw(draw: SampleDraw, roster: readonly Enterprise[]): { ok: boolean; reason?: string } {
  if (draw.algorithm !== SAMPLING_ALGORITHM) {
    return { ok: false, reason: `未知的抽取算法：${String(draw.algorithm)}（应为 ${SAMPLING_ALGORITHM}）` };
  }
  const hash = rosterSha256(roster);
  if (hash !== draw.rosterSha256) {
    return { ok: false, reason: `企业名单与抽取时不一致：名单哈希为 ${hash}，记录为 ${draw.rosterSha256}` };
  }
  let again: SampleDraw;
  try {
    again = drawSample({ roster: [...roster], seed: draw.seed, size: draw.size });
  } catch (e) {
    return { ok: false, reason: `无法重新抽取：${e instanceof Error ? e.message : String(e)}` };
  }
  const label = (e: Enterprise | undefined) => (e ? `${e.name}（${e.id}）` : '无');
  const same = (a: Enterprise | undefined, b: Enterprise | undefined) =>
    a !== undefined && b !== undefined && JSON.stringify(canonicalEntry(a)) === JSON.stringify(canonicalEntry(b));
  const n = Math.max(again.enterprises.length, draw.enterprises.length);
  for (let i = 0; i < n; i++) {
    const expected = again.enterprises[i];
    const recorded = draw.enterprises[i];
    if (!same(expected, recorded)) {
      return {
        ok: false,
        reason: `抽取结果与重新计算不一致：第 ${i + 1} 家应为 ${label(expected)}，记录为 ${label(recorded)}`,
      };
    }
  }
  return { ok: true };
}

/** The sampling activity. No dependencies: the draw is a pure function of its input. */
export function createSamplingActivities() {
  return {
    /** Draws the enterprises for one visit (see drawSample). */
    async drawSample(input: DrawSampleInput): Promise<SampleDraw> {
      return drawSample(input);
    },
  };
}
