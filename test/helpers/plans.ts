/** The example plan, loaded fresh for each test so one test's edits never leak into another. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parsePlanObject } from '../../client/plan';
import type { Plan } from '../../workflows/shared/plan';

export const EXAMPLE_PLAN_FILE = path.resolve(__dirname, '../../examples/plan.yaml');

/** The raw YAML data of the example plan (before validation). */
export function rawExamplePlan(): Record<string, any> {
  return parse(readFileSync(EXAMPLE_PLAN_FILE, 'utf8'));
}

/** The validated example plan, optionally edited, through the plan loader (merged wording, templates checked). */
export function examplePlan(edit: (raw: Record<string, any>) => void = () => {}): Plan {
  const raw = rawExamplePlan();
  edit(raw);
  return parsePlanObject(raw, EXAMPLE_PLAN_FILE);
}
