/**
 * Loads a plan file: YAML → zod, with every problem reported as `path: message`.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import path from 'node:path';
import { checkTemplates } from '../activities/documents';
import { PlanSchema, formatIssues, type Plan } from '../workflows/shared/plan';

/** A plan that cannot be used; `problems` holds one line per fault. */
export class PlanError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: string[],
  ) {
    super(`计划文件 ${file} 有 ${problems.length} 处错误：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses plan text (YAML or JSON) and validates it. */
export function parsePlan(text: string, file = '(plan)'): Plan {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `第 ${pos.line} 行第 ${pos.col} 列` : 'YAML'}: YAML 语法错误（${e.code}）`;
      }),
    );
  }
  const result = PlanSchema.safeParse(doc.toJS());
  if (!result.success) throw new PlanError(file, formatIssues(result.error));
  const plan = result.data;
  // Templates are checked against their data schemas now, so a missing variable is an error on
  // day one, not when a letter falls due in October.
  if (plan.templatesDir) {
    const dir = path.resolve(path.dirname(file), plan.templatesDir);
    try {
      checkTemplates(dir);
    } catch (err) {
      throw new PlanError(file, [`templatesDir: ${(err as Error).message}`]);
    }
    plan.templatesDir = dir;
  }
  return plan;
}

/** Reads and validates a plan file. */
export function loadPlanFile(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlanError(file, [code === 'ENOENT' ? '文件不存在' : `无法读取（${code ?? String(err)}）`]);
  }
  return parsePlan(text, file);
}
