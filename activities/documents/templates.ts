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
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { z } from 'zod';
import { DocumentDataSchemas } from '../../workflows/shared/render-document';
import { DocumentViewSchemas, documentView } from '../../workflows/shared/document-views';
import { DocumentKind, formatDateZh, type DocumentKind as Kind } from '../../workflows/shared/documents';
import { formatIssues } from '../../workflows/shared/plan';
import { closeItem, joinSentences } from '../../workflows/shared/text';
import { DocumentError } from './errors';
import { parseMarkup } from './markup';

export const BUILTIN_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');
export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples/documents');

const DIGITS = '零一二三四五六七八九';

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: the numbering of 一、 and （一） headings. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`序号超出范围（1–99）：${n}`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

const isOptions = (v: unknown) => typeof v === 'object' && v !== null && 'hash' in v;

/** Helpers a template may call. Anything else is refused at compile time (knownHelpersOnly). */
export const HELPERS: Record<string, (...args: unknown[]) => unknown> = {
  /** `{{date issueDate}}` → 2027年5月18日. */
  date: (iso) => formatDateZh(String(iso)),
  /** `{{cn @index}}` → 一 (0-based index to Chinese ordinal). */
  cn: (i) => chineseNumeral(Number(i) + 1),
  /** `{{ord @index}}` → 1 (0-based index to Arabic ordinal). */
  ord: (i) => String(Number(i) + 1),
  /** `{{fixed fines 2}}` → 12.50. */
  fixed: (n, d) => Number(n).toFixed(isOptions(d) ? 0 : Number(d)),
  /** `{{join cc "、"}}` → 甲、乙. */
  join: (arr, sep) => (Array.isArray(arr) ? arr.join(typeof sep === 'string' ? sep : '、') : ''),
  /** `{{#if (eq decision "accepted")}}`. */
  eq: (a, b) => a === b,
  /** `{{sentences problems}}` → 甲；乙。 (each item's own closing punctuation dropped, one 。 at the end). */
  sentences: (arr) => joinSentences(Array.isArray(arr) ? arr.map(String) : []),
  /** `{{item this @last}}` → 甲； … 乙。 (an item that closes with its own mark keeps it); `{{item opinion true}}` → one closed sentence. */
  item: (text, last) => closeItem(String(text ?? ''), last === true),
};

const BUILTIN_BLOCKS = new Set(['if', 'unless', 'each', 'with']);

interface Source {
  /** Shown in messages: `templates/opinion.hbs` or the override's path. */
  name: string;
  file: string;
}

function templateSource(kind: Kind, templatesDir?: string): Source {
  if (templatesDir) {
    const file = path.join(templatesDir, `${kind}.hbs`);
    if (fs.existsSync(file)) return { name: file, file };
  }
  return { name: `templates/${kind}.hbs`, file: path.join(BUILTIN_TEMPLATES_DIR, `${kind}.hbs`) };
}

/** Partials by name (`{{> signature}}` ↔ `partials/signature.hbs`); a bureau's own win. */
function partialSources(templatesDir?: string): Map<string, Source> {
  const out = new Map<string, Source>();
  const dirs: [string, string][] = [[path.join(BUILTIN_TEMPLATES_DIR, 'partials'), 'templates/partials']];
  if (templatesDir) dirs.push([path.join(templatesDir, 'partials'), path.join(templatesDir, 'partials')]);
  for (const [dir, shown] of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith('.hbs')) out.set(f.slice(0, -4), { name: path.join(shown, f), file: path.join(dir, f) });
    }
  }
  return out;
}

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

function readOrFail(src: Source): string {
  try {
    return fs.readFileSync(src.file, 'utf8');
  } catch (e) {
    throw new DocumentError(`无法读取模板 ${src.name}：${(e as Error).message}`, src.name);
  }
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

// ---------------------------------------------------------------------------------------------
// Static check of a template against the schema of its view.

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
}
const defOf = (s: z.ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Strips wrappers; `optional` says whether the value may be absent after parsing. */
function unwrap(s: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let optional = false;
  for (;;) {
    const d = defOf(s);
    if (d.type === 'optional' || d.type === 'nullable') {
      optional = true;
      s = d.innerType!;
    } else if (
      d.type === 'default' ||
      d.type === 'prefault' ||
      d.type === 'readonly' ||
      d.type === 'catch' ||
      d.type === 'nonoptional'
    ) {
      s = d.innerType!;
    } else if (d.type === 'pipe') {
      s = d.out && defOf(d.out).type !== 'transform' ? d.out : d.in!;
    } else return { schema: s, optional };
  }
}

/** The schema of `key` inside `s`, or undefined when `s` has no such field. */
function member(s: z.ZodType, key: string): z.ZodType | undefined {
  const d = defOf(s);
  if (d.type === 'object') return d.shape![key];
  if ((d.type === 'array' || d.type === 'string') && key === 'length') return numberSchema;
  if (d.type === 'record') return d.valueType;
  if (d.type === 'union') {
    for (const o of d.options!) {
      const m = member(unwrap(o).schema, key);
      if (m) return m;
    }
  }
  return undefined;
}
// A stand-in for `.length` and @index; only its def.type is read.
const numberSchema = { _zod: { def: { type: 'number' } } } as unknown as z.ZodType;
const booleanSchema = { _zod: { def: { type: 'boolean' } } } as unknown as z.ZodType;
const stringSchema = { _zod: { def: { type: 'string' } } } as unknown as z.ZodType;

interface Scope {
  schema: z.ZodType;
  /** Absolute data path of this context, e.g. `sections[].items[]`. */
  path: string;
  /** Inside `each`: @index, @first, @last, @key are defined. */
  loop: boolean;
  params: Map<string, Scope>;
}

export interface TemplateProblem {
  template: string;
  line: number;
  variable: string;
  message: string;
}

type Node = hbs.AST.Node;

class Checker {
  readonly problems: TemplateProblem[] = [];
  private guards: string[] = [];
  private partialDepth = 0;

  constructor(
    private readonly root: z.ZodType,
    private readonly partials: Map<string, { name: string; ast: hbs.AST.Program }>,
  ) {}

  private report(template: string, node: Node, variable: string, message: string) {
    this.problems.push({ template, line: node.loc?.start.line ?? 0, variable, message });
  }

  check(program: hbs.AST.Program, template: string) {
    const scope: Scope = { schema: this.root, path: '', loop: false, params: new Map() };
    this.program(program, [scope], template);
  }

  private program(p: hbs.AST.Program | undefined, scopes: Scope[], t: string) {
    if (!p) return;
    for (const s of p.body) this.statement(s, scopes, t);
  }

  private statement(s: hbs.AST.Statement, scopes: Scope[], t: string) {
    switch (s.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.call(s as hbs.AST.MustacheStatement, scopes, t);
      case 'BlockStatement':
        return this.block(s as hbs.AST.BlockStatement, scopes, t);
      case 'PartialStatement':
        return this.partial(s as hbs.AST.PartialStatement, scopes, t);
      default:
        this.report(t, s, '', `不支持的模板语法 ${s.type}`);
    }
  }

  /** `{{x}}` or `{{helper a b}}`. */
  private call(m: hbs.AST.MustacheStatement | hbs.AST.SubExpression, scopes: Scope[], t: string) {
    const p = m.path as hbs.AST.PathExpression;
    if (p.type !== 'PathExpression') return;
    const isHelper = !p.data && p.depth === 0 && p.parts.length === 1 && HELPERS[p.parts[0]!] !== undefined;
    if (isHelper) {
      for (const param of m.params) this.expression(param, scopes, t);
      for (const pair of m.hash?.pairs ?? []) this.expression(pair.value, scopes, t);
    } else if (m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0) {
      this.report(t, m, p.original, `使用了不支持的辅助函数 ${p.original}（可用：${Object.keys(HELPERS).join('、')}）`);
    } else this.resolve(p, scopes, t, true);
  }

  private expression(e: hbs.AST.Expression, scopes: Scope[], t: string) {
    if (e.type === 'PathExpression') this.resolve(e as hbs.AST.PathExpression, scopes, t, true);
    else if (e.type === 'SubExpression') this.call(e as hbs.AST.SubExpression, scopes, t);
  }

  private block(b: hbs.AST.BlockStatement, scopes: Scope[], t: string) {
    const name = (b.path as hbs.AST.PathExpression).original;
    if (!BUILTIN_BLOCKS.has(name)) {
      this.report(t, b, name, `不支持的块 {{#${name}}}（可用：if、unless、each、with）`);
      return;
    }
    const param = b.params[0];
    if (!param || b.params.length > 1) {
      this.report(t, b, name, `{{#${name}}} 需要且只需要一个参数`);
      return;
    }
    // Conditions look the value up leniently, so an optional field may be tested without a guard.
    const target =
      param.type === 'PathExpression' ? this.resolve(param as hbs.AST.PathExpression, scopes, t, false) : undefined;
    if (param.type === 'SubExpression') this.call(param as hbs.AST.SubExpression, scopes, t);
    const scope = scopes[scopes.length - 1]!;

    if (name === 'if' || name === 'unless') {
      const guard = target?.path;
      if (guard !== undefined && name === 'if') this.guards.push(guard);
      this.program(b.program, scopes, t);
      if (guard !== undefined && name === 'if') this.guards.pop();
      if (guard !== undefined && name === 'unless') this.guards.push(guard);
      this.program(b.inverse, scopes, t);
      if (guard !== undefined && name === 'unless') this.guards.pop();
      return;
    }
    if (!target) {
      this.program(b.inverse, scopes, t);
      return;
    }
    if (name === 'with') {
      this.guards.push(target.path);
      const ctx: Scope = { ...target, loop: false, params: new Map() };
      ctx.params = this.blockParams(b, [ctx], scope);
      this.program(b.program, [...scopes, ctx], t);
      this.guards.pop();
      this.program(b.inverse, scopes, t);
      return;
    }
    // each: over an array (element) or a record (value).
    const d = defOf(target.schema);
    let item: Scope;
    if (d.type === 'array') item = { schema: d.element!, path: `${target.path}[]`, loop: true, params: new Map() };
    else if (d.type === 'record')
      item = { schema: d.valueType!, path: `${target.path}{}`, loop: true, params: new Map() };
    else {
      this.report(
        t,
        b,
        (param as hbs.AST.PathExpression).original,
        `{{#each}} 的对象 ${(param as hbs.AST.PathExpression).original} 不是列表`,
      );
      return;
    }
    const index: Scope = {
      schema: d.type === 'array' ? numberSchema : stringSchema,
      path: `${target.path}#`,
      loop: false,
      params: new Map(),
    };
    item.params = this.blockParams(b, [item, index], scope);
    this.program(b.program, [...scopes, item], t);
    this.program(b.inverse, scopes, t);
  }

  /** `as |x i|` names, visible inside the block (and inherited by nested contexts). */
  private blockParams(b: hbs.AST.BlockStatement, values: Scope[], outer: Scope): Map<string, Scope> {
    const params = new Map(outer.params);
    (b.program.blockParams ?? []).forEach((n, i) => {
      const v = values[i];
      if (v) params.set(n, v);
    });
    return params;
  }

  private partial(p: hbs.AST.PartialStatement, scopes: Scope[], t: string) {
    const name = (p.name as hbs.AST.PathExpression).original;
    const partial = this.partials.get(name);
    if (!partial) {
      this.report(t, p, name, `引用了不存在的子模板 ${name}（应在 partials/${name}.hbs）`);
      return;
    }
    if ((p.hash?.pairs.length ?? 0) > 0 || p.params.length > 1) {
      this.report(t, p, name, `子模板 ${name} 只能以当前数据或一个变量调用`);
      return;
    }
    if (this.partialDepth > 8) {
      this.report(t, p, name, `子模板 ${name} 嵌套过深`);
      return;
    }
    let inner = scopes;
    const arg = p.params[0];
    if (arg) {
      if (arg.type !== 'PathExpression') return;
      const target = this.resolve(arg as hbs.AST.PathExpression, scopes, t, true);
      if (!target) return;
      inner = [...scopes, { ...target, loop: false, params: new Map() }];
    }
    this.partialDepth++;
    this.program(partial.ast, inner, `${partial.name}（由 ${t} 引用）`);
    this.partialDepth--;
  }

  /**
   * Resolves a path against the scopes. `strict` lookups (output, helper arguments) must not
   * touch an optional field unless a surrounding `{{#if}}` tested it.
   */
  private resolve(
    p: hbs.AST.PathExpression,
    scopes: Scope[],
    t: string,
    strict: boolean,
  ): { schema: z.ZodType; path: string } | undefined {
    const top = scopes[scopes.length - 1]!;
    if (p.data) {
      const head = p.parts[0];
      if (head === 'root') return this.walk(p, { schema: this.root, path: '' }, p.parts.slice(1), t, strict);
      const loop = [...scopes]
        .reverse()
        .slice(p.depth)
        .find((s) => s.loop);
      if (loop && (head === 'index' || head === 'first' || head === 'last' || head === 'key') && p.parts.length === 1) {
        return {
          schema: head === 'index' ? numberSchema : head === 'key' ? stringSchema : booleanSchema,
          path: `@${head}`,
        };
      }
      this.report(t, p, p.original, `变量 ${p.original} 只能在 {{#each}} 中使用`);
      return undefined;
    }
    const scope = scopes[scopes.length - 1 - p.depth];
    if (!scope) {
      this.report(t, p, p.original, `变量 ${p.original} 超出了外层数据的层数`);
      return undefined;
    }
    const head = p.parts[0];
    if (p.depth === 0 && head !== undefined && top.params.has(head)) {
      return this.walk(p, top.params.get(head)!, p.parts.slice(1), t, strict);
    }
    return this.walk(p, scope, p.parts, t, strict);
  }

  private walk(
    p: hbs.AST.PathExpression,
    from: { schema: z.ZodType; path: string },
    parts: string[],
    t: string,
    strict: boolean,
  ) {
    let schema = unwrap(from.schema).schema;
    let abs = from.path;
    for (const part of parts) {
      const next = member(schema, part);
      if (!next) {
        this.report(t, p, p.original, `变量 ${p.original} 在数据中不存在（${abs || '数据'}中没有字段 ${part}）`);
        return undefined;
      }
      abs = abs ? `${abs}.${part}` : part;
      const u = unwrap(next);
      if (u.optional && strict && !this.guards.includes(abs)) {
        this.report(t, p, p.original, `变量 ${p.original} 是可选的，须放在 {{#if ${p.original}}} 中`);
        return undefined;
      }
      schema = u.schema;
    }
    return { schema, path: abs };
  }
}

/** Static problems of one template against the view schema of its kind. */
export function checkTemplateSource(
  kind: Kind,
  source: string,
  name: string,
  templatesDir?: string,
): TemplateProblem[] {
  const parse = (src: string, n: string): hbs.AST.Program => {
    try {
      return Handlebars.parse(src);
    } catch (e) {
      throw new DocumentError(`模板 ${n} 语法错误：${(e as Error).message}`, n);
    }
  };
  const partials = new Map<string, { name: string; ast: hbs.AST.Program }>();
  for (const [pn, src] of partialSources(templatesDir))
    partials.set(pn, { name: src.name, ast: parse(readOrFail(src), src.name) });
  const checker = new Checker(DocumentViewSchemas[kind] as z.ZodType, partials);
  checker.check(parse(source, name), name);
  return checker.problems;
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
