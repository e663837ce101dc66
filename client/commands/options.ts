/**
 * The options many commands share (`--year`, `--by`/`--role`, `--bureau`/`--plan`), parsed once
 * here so every command refuses a bad value with the same Chinese words and exit code 2.
 */
import { ActorSchema, type Actor } from '../../workflows/contracts/common';
import { formatIssues } from '../../workflows/shared/plan';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { EXIT, UserError } from '../programme';

/** `--year`: a whole year from 2000 to 2100 (archives of earlier years stay readable). */
export function yearOption(value: string | undefined): number {
  const y = Number(value);
  if (!Number.isInteger(y) || y < 2000 || y > 2100) throw new UserError(`年度不正确：${value}`, EXIT.badInput);
  return y;
}

/** The person acting: `--by` (default the operator, GUIDANCE_ACTOR) and `--role` (default `defaultRole`). */
export function actorOption(opts: { by?: string; role?: string }, defaultRole: Actor['role']): Actor {
  const parsed = ActorSchema.safeParse({ id: opts.by ?? envConfig().actor, role: opts.role ?? defaultRole });
  if (!parsed.success)
    throw new UserError(`--by/--role 不正确：${formatIssues(parsed.error).join('；')}`, EXIT.badInput);
  return parsed.data;
}

/** The bureau code: `--bureau`, else the one in the plan file (`--plan`, default GUIDANCE_PLAN). */
export function bureauOption(opts: { bureau?: string; plan?: string }): string {
  return opts.bureau ?? loadPlanFile(opts.plan ?? envConfig().planFile).bureau.code;
}
