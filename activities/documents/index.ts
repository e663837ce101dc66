/**
 * Document activities (公文生成). `renderDocument` turns a kind and its data into a PDF in the
 * case's archive folder (`<caseId>/<documentId>.pdf` in the archive's store, archive-store.ts), and
 * an OFD beside it (`<documentId>.ofd`) when the plan asks, and returns only ids, hashes and sizes:
 * document bytes never enter workflow history.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  DocumentKind,
  FORMAT_MEDIA_TYPE,
  type FileFormat,
  type RenderResult,
  type StoredFile,
} from '../../workflows/shared/documents';
import { type RenderDocumentInput } from '../../workflows/shared/render-document';
import { FailureType } from '../../workflows/shared/errors';
import { archiveStore, documentKey, whereIs, type ArchiveLocation } from '../archive-store';
import { DocumentError } from './errors';
import { loadFonts } from './fonts';
import { OfdFontMissing } from './ofd';
import { renderFiles } from './render';
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

/**
 * Throws a non-retryable PlanNotServable unless this worker can draw OFD (`formats` includes it):
 * every face has the TrueType twin the OFD embeds (set-up makes them). Checked at the programme's
 * start (checkPlanServable) and again by each render, so a worker without them refuses at once.
 */
export function assertFormatsServable(formats: readonly string[] | undefined): void {
  if (!formats?.includes('ofd')) return;
  const missing = Object.values(loadFonts().faces).find((f) => !f.ofdFile);
  if (missing) throw planNotServable(new OfdFontMissing(missing.file));
}

const planNotServable = (e: OfdFontMissing) =>
  ApplicationFailure.create({
    type: FailureType.PlanNotServable,
    message: e.message,
    nonRetryable: true,
    details: [{ fontFile: e.fontFile }],
  });

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
     * Renders a document into `<caseId>/<documentId>.pdf` in the archive (and `.ofd` beside it
     * when `formats` asks for OFD); `path` is that file on
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
      assertFormatsServable(input.formats);
      const ofd = input.formats?.includes('ofd') ?? false;
      let rendered;
      try {
        // The PDF always: it is the engine's reading copy (previews, proofreading) in every plan.
        rendered = await renderFiles(kind.data, input.data, {
          templatesDir: input.templatesDir,
          formats: ofd ? ['pdf', 'ofd'] : ['pdf'],
        });
      } catch (e) {
        if (e instanceof OfdFontMissing) throw planNotServable(e);
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
      // Whole or not at all (locally: temp file, fsync, rename, fsync of the folder; a bucket's
      // PutObject): a worker or machine dying at any moment never leaves a truncated or empty file
      // under the final name once its sha256 is returned (the case records it, and the archive
      // refuses a file that no longer has it). The sha256 goes along, so the store checks the bytes.
      const put = async (format: FileFormat, bytes: Buffer): Promise<StoredFile> => {
        const key = documentKey(input.caseId, documentId, format);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        await store.put(key, bytes, { contentType: FORMAT_MEDIA_TYPE[format], sha256 });
        return { path: whereIs(store, key), sha256, bytes: bytes.length };
      };
      // The OFD first: a case records the pair only when both are whole.
      const ofdFile = rendered.ofd ? await put('ofd', rendered.ofd) : undefined;
      const pdf = await put('pdf', rendered.pdf!);
      return { documentId, ...pdf, pages: rendered.pages, ...(ofdFile ? { ofd: ofdFile } : {}) };
    },
  };
}

export type DocumentActivities = ReturnType<typeof createDocumentActivities>;
