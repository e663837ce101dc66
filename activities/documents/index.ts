/**
 * Document activities (公文生成). `renderDocument` turns a kind and its data into a PDF in the
 * case's archive folder (`<caseId>/<documentId>.pdf` in the archive's store, archive-store.ts) and
 * returns only ids, hash and size: PDF bytes never enter workflow history.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { DocumentKind, type RenderResult } from '../../workflows/shared/documents';
import { type RenderDocumentInput } from '../../workflows/shared/render-document';
import { FailureType } from '../../workflows/shared/errors';
import { archiveStore, documentKey, whereIs, type ArchiveLocation } from '../archive-store';
import { DocumentError } from './errors';
import { renderPdf } from './render';
import { checkTemplates } from './templates';

export { checkTemplates } from './templates';
export { DocumentError } from './errors';
/** Call once at worker start so the first letter does not pay for reading the fonts (~0.25 s). */
export { loadFonts as preloadDocumentFonts, fontNotes } from './fonts';

export interface DocumentActivityDeps {
  /**
   * The case archive, each case a folder in it: its folder on this host, or the archive's part of
   * the process store (`archiveIn(storeFromConfig(config))`), which `archive` names instead.
   */
  archiveDir?: ArchiveLocation;
  archive?: ArchiveLocation;
}

/** Template directories that passed the check in this process. Failures are not cached: deploying the directory fixes them without a restart. */
const servableDirs = new Set<string>();

/**
 * Throws a non-retryable PlanNotServable unless this worker can render with `templatesDir` (a
 * plan's own templates): the directory exists here and passes `checkTemplates`. Undefined means
 * the built-in templates, always servable. Checked once per directory per process.
 */
export function assertTemplatesServable(templatesDir: string | undefined): void {
  if (!templatesDir || servableDirs.has(templatesDir)) return;
  const refuse = (message: string) =>
    ApplicationFailure.create({
      type: FailureType.PlanNotServable,
      message,
      nonRetryable: true,
      details: [{ templatesDir }],
    });
  if (!path.isAbsolute(templatesDir)) {
    throw refuse(`计划的模板目录应为绝对路径（由计划加载时解析），收到：${templatesDir}`);
  }
  let isDir = false;
  try {
    isDir = statSync(templatesDir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw refuse(
      `本工作进程所在机器上没有计划的模板目录 ${templatesDir}：请把该目录部署到同一路径，或由能访问它的工作进程执行`,
    );
  }
  try {
    checkTemplates(templatesDir);
  } catch (e) {
    throw refuse(`计划的模板目录 ${templatesDir} 在本工作进程上检查未通过：${(e as Error).message}`);
  }
  servableDirs.add(templatesDir);
}

/** Ids and keys become file names: keep them to a safe ASCII alphabet. */
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** JSON with sorted keys, so equal data always hashes equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Deterministic document id: `<caseId>-<kind>-<key>`. The caller's key (e.g. the escalation rung)
 * makes a retry overwrite its own file; without one, the data's hash stands in for it.
 */
export function documentIdFor(input: Pick<RenderDocumentInput, 'caseId' | 'kind' | 'key' | 'data'>): string {
  const key = input.key ?? `h${createHash('sha256').update(canonical(input.data)).digest('hex').slice(0, 16)}`;
  return `${input.caseId}-${input.kind}-${key}`;
}

/**
 * Builds the document activities over their dependencies (the worker passes real directories).
 * Which templates a document uses is not a worker setting: it comes with each input, from the
 * plan the programme was started with.
 */
export function createDocumentActivities(deps: DocumentActivityDeps) {
  const at = deps.archive ?? deps.archiveDir;
  if (at === undefined) throw new Error('文书活动未配置归档存储（archive 或 archiveDir）');
  const store = archiveStore(at);
  return {
    /**
     * Renders a document into `<caseId>/<documentId>.pdf` in the archive; `path` is that file on
     * this host for the local store, else the key in the process store (`archive/<caseId>/…`).
     * Readers find it by caseId and documentId, never by `path`.
     */
    async renderDocument<K extends DocumentKind>(input: RenderDocumentInput<K>): Promise<RenderResult> {
      const kind = DocumentKind.safeParse(input.kind);
      if (!kind.success)
        throw ApplicationFailure.nonRetryable(`未知的文书种类：${String(input.kind)}`, FailureType.InvalidInput);
      if (!SAFE.test(input.caseId)) {
        throw ApplicationFailure.nonRetryable(
          `案件编号只能包含字母、数字、点、下划线和连字符：${input.caseId}`,
          FailureType.InvalidInput,
        );
      }
      if (input.key !== undefined && !SAFE.test(input.key)) {
        throw ApplicationFailure.nonRetryable(
          `文书键只能包含字母、数字、点、下划线和连字符：${input.key}`,
          FailureType.InvalidInput,
        );
      }

      assertTemplatesServable(input.templatesDir);
      let rendered;
      try {
        rendered = await renderPdf(kind.data, input.data, { templatesDir: input.templatesDir });
      } catch (e) {
        if (e instanceof DocumentError) {
          // Fixing the template or the data is a person's job: retrying cannot help.
          throw ApplicationFailure.nonRetryable(e.message, FailureType.TemplateError, {
            template: e.template,
            variable: e.variable ?? null,
          });
        }
        throw e;
      }

      const documentId = documentIdFor({ ...input, kind: kind.data });
      const key = documentKey(input.caseId, documentId);
      const sha256 = createHash('sha256').update(rendered.pdf).digest('hex');
      // Whole or not at all (locally: temp file, fsync, rename, fsync of the folder; a bucket's
      // PutObject): a worker or machine dying at any moment never leaves a truncated or empty PDF
      // under the final name once its sha256 is returned (the case records it, and the archive
      // refuses a PDF that no longer has it). The sha256 goes along, so the store checks the bytes.
      await store.put(key, rendered.pdf, { contentType: 'application/pdf', sha256 });
      return {
        documentId,
        path: whereIs(store, key),
        sha256,
        pages: rendered.pages,
        bytes: rendered.pdf.length,
      };
    },
  };
}

export type DocumentActivities = ReturnType<typeof createDocumentActivities>;
