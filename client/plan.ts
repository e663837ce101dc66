/**
 * Loads a plan file: YAML → wording merged → zod → templates and mail texts checked, with every
 * problem reported as `path: message`.
 *
 * Wording (workflows/shared/wording.ts) is merged from three layers, later ones winning: the
 * built-in `templates/wording.yaml` < `<templatesDir>/wording.yaml` (a bureau's own, if present)
 * < the plan file's `wording:` section. Objects merge key by key; arrays and strings replace. The
 * merged wording is part of the plan, so it travels with the programme in its history.
 *
 * It lives in client/, not config/: checking the templates and mail texts needs the documents'
 * and wording's compilers (activities/), and config/ sits below activities/. The worker loads no plan.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { checkTemplates } from '../activities/documents';
import { BUILTIN_TEMPLATES_DIR } from '../activities/documents/templates';
import { compileText } from '../activities/wording';
import { PlanSchema, formatIssues, type Plan } from '../workflows/shared/plan';
import { MAIL_TEXT_KINDS } from '../workflows/shared/wording';

/** A plan that cannot be used; `problems` holds one line per fault. */
export class PlanError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: string[],
  ) {
    super(`计划文件 ${file} 有 ${problems.length} 处错误：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` on top of `base`: objects merge key by key, anything else (arrays, strings) replaces. */
export function mergeWording(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObject(base) || !isObject(over)) return over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeWording(base[k], v);
  return out;
}

/** YAML text → plain data, or the problems with line and column. */
function parseYaml(text: string): { data: unknown } | { problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `第 ${pos.line} 行第 ${pos.col} 列` : 'YAML'}: YAML 语法错误（${e.code}）`;
      }),
    };
  }
  return { data: doc.toJS() };
}

/** A wording file (built-in or a bureau's): a YAML mapping. */
function readWordingFile(file: string, shown: string, planFile: string): Obj {
  const parsed = parseYaml(readFileSync(file, 'utf8'));
  if ('problems' in parsed)
    throw new PlanError(
      planFile,
      parsed.problems.map((p) => `${shown} ${p}`),
    );
  if (parsed.data === null || parsed.data === undefined) return {};
  if (!isObject(parsed.data))
    throw new PlanError(planFile, [`${shown}: 应为键值映射（与 templates/wording.yaml 相同的结构）`]);
  return parsed.data;
}

let builtinWording: Obj | undefined;

/**
 * Validates plan data (already parsed from YAML or JSON): resolves `templatesDir` against the plan
 * file's directory, merges the wording, checks the schema, the templates and every mail text.
 */
export function parsePlanObject(raw: unknown, file = '(plan)'): Plan {
  if (!isObject(raw)) throw new PlanError(file, ['(根): 计划应为键值映射']);
  const data: Obj = { ...raw };

  // The bureau's directory, absolute: the activities receive it as the plan says, on any worker.
  let templatesDir: string | undefined;
  if (typeof data.templatesDir === 'string') {
    if (data.templatesDir.trim() === '') {
      delete data.templatesDir; // empty = the built-in templates, as it always meant
    } else {
      templatesDir = path.resolve(path.dirname(file), data.templatesDir);
      data.templatesDir = templatesDir;
    }
  }

  builtinWording ??= readWordingFile(path.join(BUILTIN_TEMPLATES_DIR, 'wording.yaml'), 'templates/wording.yaml', file);
  let wording: unknown = builtinWording;
  const own = templatesDir ? path.join(templatesDir, 'wording.yaml') : undefined;
  if (own && existsSync(own))
    wording = mergeWording(wording, readWordingFile(own, `templatesDir/wording.yaml（${own}）`, file));
  wording = mergeWording(wording, data.wording);
  data.wording = wording;

  const result = PlanSchema.safeParse(data);
  if (!result.success) throw new PlanError(file, formatIssues(result.error));
  const plan = result.data;

  // Mail texts compiled now: a syntax error or an unknown helper names its path today.
  const textProblems: string[] = [];
  for (const kind of MAIL_TEXT_KINDS) {
    for (const part of ['subject', 'body'] as const) {
      try {
        compileText(plan.wording.mail[kind][part]);
      } catch (e) {
        textProblems.push(
          `wording.mail.${kind}.${part}: 模板语法错误：${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`,
        );
      }
    }
  }
  if (textProblems.length) throw new PlanError(file, textProblems);

  // Templates are checked against their data schemas now, so a missing variable is an error on
  // day one, not when a letter falls due in October.
  if (templatesDir) {
    try {
      checkTemplates(templatesDir);
    } catch (err) {
      throw new PlanError(file, [`templatesDir: ${(err as Error).message}`]);
    }
  }
  return plan;
}

/** Parses plan text (YAML or JSON) and validates it. */
export function parsePlan(text: string, file = '(plan)'): Plan {
  const parsed = parseYaml(text);
  if ('problems' in parsed) throw new PlanError(file, parsed.problems);
  return parsePlanObject(parsed.data, file);
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
