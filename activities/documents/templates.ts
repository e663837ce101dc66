/**
 * Template registry (模板): finds each kind's Handlebars template (a bureau's own directory first,
 * then the built-in `templates/`), compiles it in strict mode, and checks it against the kind's
 * data schema before any letter is due.
 *
 * The check is static: every variable a template names — in every branch, including ones the
 * example data would never take — is resolved against the zod schema of what the template is
 * rendered with. An optional field must sit under `{{#if}}`/`{{#with}}` for it, because strict mode
 * throws when a field is absent. Then each template is rendered once with the example data and
 * its markup parsed, which catches what the static check cannot (a helper given a bad value, an
 * unknown markup element).
 *
 * The helpers: template-helpers.ts; where sources are read: template-sources.ts; the static check:
 * template-check.ts over schema-walk.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { DocumentDataSchemas } from '../../workflows/shared/render-document';
import { documentView } from '../../workflows/shared/document-views';
import { DocumentKind, type DocumentKind as Kind } from '../../workflows/shared/documents';
import { formatIssues } from '../../workflows/shared/plan';
import { DocumentError } from './errors';
import { parseMarkup } from './markup';
import { HELPERS } from './template-helpers';
import { EXAMPLES_DIR, partialSources, readOrFail, templateSource } from './template-sources';
import { checkTemplateSource, type TemplateProblem } from './template-check';

export { chineseNumeral } from './template-helpers';
export { BUILTIN_TEMPLATES_DIR, EXAMPLES_DIR } from './template-sources';

export interface CompiledTemplate {
  kind: Kind;
  /** Template name for messages. */
  name: string;
  render(view: Record<string, unknown>): string;
}

interface CacheEntry {
  stamp: string;
  template: CompiledTemplate;
}
const cache = new Map<string, CacheEntry>();

function stampOf(files: string[]): string {
  return files
    .map((f) => {
      const s = fs.statSync(f);
      return `${f}:${s.mtimeMs}:${s.size}`;
    })
    .join('|');
}

const COMPILE_OPTIONS = {
  strict: true,
  knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true])),
  knownHelpersOnly: true,
  preventIndent: true,
} as const;

/**
 * The compiled template of a kind, cached per process and recompiled only when a file it uses
 * changes (a bureau editing its templates does not need a worker restart).
 */
export function getTemplate(kind: Kind, templatesDir?: string): CompiledTemplate {
  const src = templateSource(kind, templatesDir);
  if (!fs.existsSync(src.file)) throw new DocumentError(`找不到模板 ${src.name}`, src.name);
  const partials = partialSources(templatesDir);
  const stamp = stampOf([src.file, ...[...partials.values()].map((p) => p.file)]);
  const key = `${templatesDir ?? ''}\0${kind}`;
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.template;

  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  for (const [name, p] of partials) {
    hb.registerPartial(name, hb.compile(readOrFail(p), COMPILE_OPTIONS));
  }
  let fn: HandlebarsTemplateDelegate;
  try {
    fn = hb.compile(readOrFail(src), COMPILE_OPTIONS);
  } catch (e) {
    throw new DocumentError(`模板 ${src.name} 编译失败：${(e as Error).message}`, src.name);
  }
  const template: CompiledTemplate = {
    kind,
    name: src.name,
    render(view) {
      try {
        return fn(view);
      } catch (e) {
        throw runtimeError(src.name, e as Error);
      }
    },
  };
  cache.set(key, { stamp, template });
  return template;
}

/** Strict mode says `"x" not defined in [object Object] - 12:4`; say it in Chinese with the template. */
function runtimeError(name: string, e: Error): DocumentError {
  const m = /^"(.+)" not defined in .* - (\d+):(\d+)$/.exec(e.message);
  if (m) return new DocumentError(`模板 ${name} 第 ${m[2]} 行引用的变量 ${m[1]} 在数据中不存在`, name, m[1]);
  const helper = /unknown helper (\S+)/.exec(e.message);
  if (helper) return new DocumentError(`模板 ${name} 使用了不支持的辅助函数 ${helper[1]}`, name, helper[1]);
  if (e instanceof DocumentError) return e;
  return new DocumentError(`模板 ${name} 渲染失败：${e.message}`, name);
}

/** Example data of a kind (`examples/documents/<kind>.json`), validated. */
export function exampleData(kind: Kind): unknown {
  const file = path.join(EXAMPLES_DIR, `${kind}.json`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  const parsed = DocumentDataSchemas[kind].safeParse(raw);
  if (!parsed.success) {
    throw new DocumentError(
      `示例数据 examples/documents/${kind}.json 不符合数据结构：${formatIssues(parsed.error).join('；')}`,
      `${kind}.hbs`,
    );
  }
  return parsed.data;
}

/**
 * Checks every template (a bureau's overrides in `templatesDir` first, then the built-in ones)
 * against its data schema, and renders each once with the example data. Throws a DocumentError
 * listing every problem with the template and variable named; returns quietly when all is well.
 * Meant for the plan loader, so a missing variable is refused on the day the plan is loaded.
 */
export function checkTemplates(templatesDir?: string): void {
  if (templatesDir !== undefined && !fs.existsSync(templatesDir)) {
    throw new DocumentError(`模板目录不存在：${templatesDir}`, templatesDir);
  }
  const problems: TemplateProblem[] = [];
  for (const kind of DocumentKind.options) {
    const src = templateSource(kind, templatesDir);
    if (!fs.existsSync(src.file)) {
      problems.push({ template: src.name, line: 0, variable: '', message: `找不到模板 ${src.name}` });
      continue;
    }
    const found = checkTemplateSource(kind, readOrFail(src), src.name, templatesDir);
    problems.push(...found);
    if (found.length > 0) continue;
    try {
      const out = getTemplate(kind, templatesDir).render(documentView(kind, exampleData(kind)));
      parseMarkup(out, src.name);
    } catch (e) {
      if (!(e instanceof DocumentError)) throw e;
      problems.push({ template: e.template, line: 0, variable: e.variable ?? '', message: e.message });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.template}${p.line ? ` 第 ${p.line} 行` : ''}：${p.message}`);
    const first = problems[0]!;
    throw new DocumentError(
      `文书模板检查未通过（${problems.length} 处）：\n${lines.join('\n')}`,
      first.template,
      first.variable || undefined,
    );
  }
}
