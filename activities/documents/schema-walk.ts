/** Walking a zod schema by name, for the static template check: unwrap optionals, find a member, tell kinds apart. */
import type { z } from 'zod';

export interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
}
export const defOf = (s: z.ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Strips wrappers; `optional` says whether the value may be absent after parsing. */
export function unwrap(s: z.ZodType): { schema: z.ZodType; optional: boolean } {
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
export function member(s: z.ZodType, key: string): z.ZodType | undefined {
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
export const numberSchema = { _zod: { def: { type: 'number' } } } as unknown as z.ZodType;
export const booleanSchema = { _zod: { def: { type: 'boolean' } } } as unknown as z.ZodType;
export const stringSchema = { _zod: { def: { type: 'string' } } } as unknown as z.ZodType;
