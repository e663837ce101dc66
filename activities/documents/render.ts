/**
 * From data to document bytes: validate → view → template → markup → layout → PDF, and OFD from
 * the same layout when asked. Shared by the activity, the CLI preview and the benchmark.
 */
import { chinaMidnight } from '../../workflows/shared/clock';
import { DocumentDataSchemas, type DocumentData } from '../../workflows/shared/render-document';
import { documentView } from '../../workflows/shared/document-views';
import { DocumentKind } from '../../workflows/shared/documents';
import { DOCUMENT_KIND_NAMES } from '../../workflows/shared/labels';
import { formatIssues } from '../../workflows/shared/plan';
import { DocumentError } from './errors';
import { loadFonts } from './fonts';
import { layoutDocument } from './layout';
import { parseMarkup, type DocumentMarkup } from './markup';
import { writeOfd } from './ofd';
import { writePdf, type PdfMeta } from './pdf';
import { getTemplate } from './templates';

export interface RenderOptions {
  /** A bureau's template directory; its `<kind>.hbs` and `partials/*.hbs` override the built-in ones. */
  templatesDir?: string;
}

export interface RenderedPdf {
  pdf: Buffer;
  pages: number;
}

/** The formats a document can be drawn in (GB/T 33190 OFD beside PDF). */
export type FileFormat = 'pdf' | 'ofd';

/** One document in the formats asked for, drawn from one layout: the same pages, characters and rules. */
export interface RenderedFiles {
  pages: number;
  pdf?: Buffer;
  /** The OFD (GB/T 33190) package. */
  ofd?: Buffer;
}

/** Validates the data and produces the template's markup (what the layout engine reads). */
export function renderMarkup(
  kind: DocumentKind,
  data: unknown,
  opts: RenderOptions = {},
): { markup: DocumentMarkup; source: string; data: Record<string, unknown> } {
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

/**
 * Who made the document, its date and its number, for the PDF's metadata. A letter has them as
 * `bureau`, `issueDate` (成文日期) and `docNumber`; a 送达回证 is the sender's record of the day the
 * letter was signed for, under the letter's number.
 */
function documentFacts(
  kind: DocumentKind,
  d: Record<string, unknown>,
): { author: string; date: string; docNumber?: string } {
  if (kind === 'receipt') {
    const r = d as DocumentData['receipt'];
    return {
      author: r.sender,
      date: r.acknowledged.date,
      ...(r.letter.docNumber ? { docNumber: r.letter.docNumber } : {}),
    };
  }
  const l = d as { bureau: { name: string }; issueDate: string; docNumber?: string };
  return {
    author: l.bureau.name,
    date: l.issueDate,
    ...(typeof l.docNumber === 'string' ? { docNumber: l.docNumber } : {}),
  };
}

/** Lays one document out once and draws it in each of `formats` (default PDF). Deterministic. */
export async function renderFiles(
  kind: DocumentKind,
  data: unknown,
  opts: RenderOptions & { formats?: readonly FileFormat[] } = {},
): Promise<RenderedFiles> {
  const formats = opts.formats ?? ['pdf'];
  const { markup, data: d } = renderMarkup(kind, data, opts);
  const fonts = loadFonts();
  const laid = layoutDocument(markup, fonts);
  const facts = documentFacts(kind, d);
  const meta: PdfMeta = {
    title: markup.title || DOCUMENT_KIND_NAMES[kind],
    author: facts.author,
    subject: DOCUMENT_KIND_NAMES[kind],
    ...(facts.docNumber ? { keywords: facts.docNumber } : {}),
    // The document's own date, China time: fixed per document, so re-rendering reproduces the file exactly.
    created: new Date(chinaMidnight(facts.date)),
  };
  const files: RenderedFiles = { pages: laid.pages.length };
  if (formats.includes('pdf')) files.pdf = await writePdf(laid, meta, fonts);
  if (formats.includes('ofd')) files.ofd = await writeOfd(laid, meta, fonts);
  return files;
}

/** Renders one document to PDF bytes. Deterministic: the same data gives the same bytes. */
export async function renderPdf(kind: DocumentKind, data: unknown, opts: RenderOptions = {}): Promise<RenderedPdf> {
  const { pdf, pages } = await renderFiles(kind, data, opts);
  return { pdf: pdf!, pages };
}

/** Renders one document to OFD bytes, from the same layout the PDF is drawn from. */
export async function renderOfd(
  kind: DocumentKind,
  data: unknown,
  opts: RenderOptions = {},
): Promise<{ ofd: Buffer; pages: number }> {
  const { ofd, pages } = await renderFiles(kind, data, { ...opts, formats: ['ofd'] });
  return { ofd: ofd!, pages };
}
