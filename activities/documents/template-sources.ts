/** Where a kind's template and the partials are read from: a bureau's own directory first, then `templates/`. */
import fs from 'node:fs';
import path from 'node:path';
import { type DocumentKind as Kind } from '../../workflows/shared/documents';
import { DocumentError } from './errors';

export const BUILTIN_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');
export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples/documents');

export interface Source {
  /** Shown in messages: `templates/opinion.hbs` or the override's path. */
  name: string;
  file: string;
}

export function templateSource(kind: Kind, templatesDir?: string): Source {
  if (templatesDir) {
    const file = path.join(templatesDir, `${kind}.hbs`);
    if (fs.existsSync(file)) return { name: file, file };
  }
  return { name: `templates/${kind}.hbs`, file: path.join(BUILTIN_TEMPLATES_DIR, `${kind}.hbs`) };
}

/** Partials by name (`{{> signature}}` ↔ `partials/signature.hbs`); a bureau's own win. */
export function partialSources(templatesDir?: string): Map<string, Source> {
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

export function readOrFail(src: Source): string {
  try {
    return fs.readFileSync(src.file, 'utf8');
  } catch (e) {
    throw new DocumentError(`无法读取模板 ${src.name}：${(e as Error).message}`, src.name);
  }
}
