/**
 * The static check of a template against the schema of its view (templates.ts says why): every
 * variable named in every branch is resolved against the zod schema, and an optional field must
 * sit under an `{{#if}}`/`{{#with}}` for it.
 */
import Handlebars from 'handlebars';
import type { z } from 'zod';
import { DocumentViewSchemas } from '../../workflows/shared/document-views';
import { type DocumentKind as Kind } from '../../workflows/shared/documents';
import { DocumentError } from './errors';
import { BUILTIN_BLOCKS, HELPERS } from './template-helpers';
import { partialSources, readOrFail } from './template-sources';
import { booleanSchema, defOf, member, numberSchema, stringSchema, unwrap } from './schema-walk';

export interface Scope {
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
