/**
 * Benchmark plans: the example plan (examples/plan.yaml) with its seven counties plus four more
 * generated in the same shape, so one county falls in each month January–November, each with a
 * roster of enterprises; no explicit dates (the scheduler places them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parsePlanObject } from '../../client/plan';
import type { Plan } from '../../workflows/shared/plan';

const EXAMPLE = path.resolve(__dirname, '../../examples/plan.yaml');
const EXTRA = [
  { code: 'beishan', name: '北山县', prefix: 'BEI' },
  { code: 'nanhu', name: '南湖区', prefix: 'NAN' },
  { code: 'dongping', name: '东平县', prefix: 'DON' },
  { code: 'baima', name: '白马县', prefix: 'BAI' },
];
const KINDS = [
  ['机械制造有限公司', '工贸'],
  ['化工有限公司', '危险化学品'],
  ['石料厂', '非煤矿山'],
  ['食品有限公司', '工贸'],
  ['加油站', '危险化学品'],
] as const;

/** The raw 11-county plan (before validation) for `year` and bureau `code`. */
export function rawPlan11(year: number, code: string): Record<string, any> {
  const raw = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>;
  raw.year = year;
  raw.bureau.code = code;
  for (const [i, c] of EXTRA.entries()) {
    raw.counties.push({
      code: c.code,
      name: c.name,
      bureauName: `${c.name}应急管理局`,
      emails: [`yjj@${c.code}.example.cn`],
      contact: { name: '值班员', phone: `0379-69${i}0-100${i}` },
      enterprises: KINDS.map(([suffix, industry], k) => ({
        id: `${c.prefix}-00${k + 1}`,
        name: `${c.name.slice(0, 2)}${suffix}`,
        industry,
        tier: k < 2 ? '重点' : '一般',
      })),
    });
  }
  for (const c of raw.counties) delete c.date;
  return raw;
}

/** The validated 11-county plan, through the plan loader (so it has the merged wording). */
export function plan11(year: number, code: string): Plan {
  return parsePlanObject(rawPlan11(year, code), EXAMPLE);
}

export function plan11Yaml(year: number, code: string): string {
  return stringify(rawPlan11(year, code));
}
