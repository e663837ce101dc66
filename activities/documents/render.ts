/**
 * From data to PDF bytes: validate → view → template → markup → layout → PDF.
 * Shared by the activity, the CLI preview and the benchmark.
 */
import { DocumentDataSchemas } from '../../workflows/shared/document-data';
import { documentView } from '../../workflows/shared/document-views';
import { DocumentKind } from '../../workflows/shared/documents';
import { DOCUMENT_KIND_NAMES } from '../../workflows/shared/labels';
import { formatIssues } from '../../workflows/shared/plan';
import { DocumentError } from './errors';
import { loadFonts } from './fonts';
import { layoutDocument } from './layout';
import { parseMarkup, type DocumentMarkup } from './markup';
import { writePdf } from './pdf';
import { getTemplate } from './templates';

export interface RenderOptions {
  /** A bureau's template directory; its `<kind>.hbs` and `partials/*.hbs` override the built-in ones. */
  templatesDir?: string;
}

export interface RenderedPdf {
  pdf: Buffer;
  pages: number;
}

/** Validates the data and produces the template's markup (what the layout engine reads). */
export function renderMarkup(kind: DocumentKind, data: unknown, opts: RenderOptions = {}): { markup: DocumentMarkup; source: string; data: Record<string, unknown> } {
  const k = DocumentKind.safeParse(kind);
  if (!k.success) throw new DocumentError(`未知的文书种类：${String(kind)}`, `${String(kind)}.hbs`);
  const template = getTemplate(kind, opts.templatesDir);
  const parsed = DocumentDataSchemas[kind].safeParse(data);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    const first = parsed.error.issues[0]?.path.map(String).join('.');
    throw new DocumentError(`文书数据不符合模板 ${template.name} 的要求：${issues.join('；')}`, template.name, first);
  }
  const view = documentView(kind, parsed.data);
  const source = template.render(view);
  return { markup: parseMarkup(source, template.name), source, data: parsed.data as Record<string, unknown> };
}

/** Renders one document to PDF bytes. Deterministic: the same data gives the same bytes. */
export async function renderPdf(kind: DocumentKind, data: unknown, opts: RenderOptions = {}): Promise<RenderedPdf> {
  const { markup, data: d } = renderMarkup(kind, data, opts);
  const fonts = loadFonts();
  const laid = layoutDocument(markup, fonts);
  const bureau = (d.bureau as { name: string }).name;
  const issueDate = d.issueDate as string;
  const pdf = await writePdf(
    laid,
    {
      title: markup.title || DOCUMENT_KIND_NAMES[kind],
      author: bureau,
      subject: DOCUMENT_KIND_NAMES[kind],
      ...(typeof d.docNumber === 'string' ? { keywords: d.docNumber } : {}),
      // 成文日期, China time: fixed per document, so re-rendering reproduces the file exactly.
      created: new Date(`${issueDate}T00:00:00+08:00`),
    },
    fonts,
  );
  return { pdf, pages: laid.pages.length };
}
