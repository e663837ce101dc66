/**
 * The case archive (归档备查): the record of a closed or cancelled case once Temporal has let the
 * workflow go (namespace retention). A case's folder holds every PDF (already written there by the
 * renderer), the evidence manifest, the delivery records, the audit log, the whole case record
 * (`case.json`) and MANIFEST.sha256 over all of it.
 *
 * - The folder is a part of the archive's object store (archive-store.ts): on the local store a
 *   folder under `<dataDir>/archive`, in a bucket the objects `archive/<caseId>/…`. Every file is
 *   written whole (locally: temp file, fsync, rename, fsync of the folder), so a crash leaves the
 *   old file or the new one, never half of one; the manifest is written last, so its presence
 *   marks a complete archive.
 * - A letter is listed with the sha256 the case recorded when it was rendered, and only when its
 *   bytes still have it: `archiveCase` refuses (IntegrityError) to bless an altered or missing PDF,
 *   and `verifyArchive` checks the PDFs against case.json as well as against the manifest.
 * - `readArchivedCase` and `listArchivedCases` give the API, the dashboard and the CLI the case
 *   when the workflow is gone; case.json must match its manifest line to be believed.
 *
 * Here the writing; the folder's format in archive-format.ts, the reading in archive-read.ts.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/shared/errors';
import type { VisitCase } from '../workflows/contracts/visit';
import { archiveChunkQuery, type ArchiveSnapshotRef } from '../workflows/shared/archive-snapshot';
import { caseDocuments, CASE_FILE, deliveries, documentFiles, MANIFEST, SAFE, sha256 } from './archive-format';
import { archiveStore, readDurably, whereIs, type ArchiveLocation } from './archive-store';

export { writeFileDurable } from './durable';
export {
  ArchiveIntegrityError,
  caseDocuments,
  CASE_FILE,
  MANIFEST,
  parseManifest,
  type CaseDocument,
  type VerifyResult,
} from './archive-format';
export {
  listArchivedCases,
  readArchivedCase,
  verifyArchive,
  type ArchiveEntry,
  type ArchivedCase,
} from './archive-read';

export { archiveIn, archiveStore, type ArchiveLocation } from './archive-store';

export interface ArchiveResult {
  /** The case's folder: on this host for the local store, else its key prefix in the store (`archive/<caseId>`). */
  dir: string;
  manifestSha256: string;
  files: number;
}

/**
 * What `archiveCase` is given: the case's snapshot to read from its workflow in slices (today), or
 * the whole case (runs that scheduled the archive before snapshots, still retried by a new worker).
 */
export type ArchiveCaseInput =
  | { caseId: string; snapshot: ArchiveSnapshotRef; state?: undefined }
  | { caseId: string; state: VisitCase; snapshot?: undefined };

/**
 * The case's snapshot, read slice by slice through the workflow's `archiveChunkQuery` (see
 * workflows/shared/archive-snapshot.ts): no answer is larger than one slice, whatever the case.
 */
export async function readCaseSnapshot(client: Client, caseId: string, ref: ArchiveSnapshotRef): Promise<VisitCase> {
  const handle = client.workflow.getHandle(caseId);
  const parts: string[] = [];
  let offset = 0;
  while (offset < ref.chars) {
    const chunk = await handle.query(archiveChunkQuery, { id: ref.id, offset });
    if (chunk.id !== ref.id || chunk.chars !== ref.chars || chunk.offset !== offset || chunk.text.length === 0) {
      throw new Error(`归档快照 ${ref.id} 读取不一致（偏移 ${offset}）`);
    }
    parts.push(chunk.text);
    offset += chunk.text.length;
  }
  return JSON.parse(parts.join('')) as VisitCase;
}

/**
 * The archive activities over the archive (`archive`: the process store's part, archive-store.ts;
 * or `archiveDir`: its folder on this host).
 */
export function createArchiveActivities(deps: {
  archiveDir?: ArchiveLocation;
  archive?: ArchiveLocation;
  client?: Client;
}) {
  const store = archiveStore(deps.archive ?? deps.archiveDir ?? missingArchive());
  return {
    /**
     * Writes the case's records and its manifest; idempotent (a retry rewrites the same files).
     * Refuses, non-retryably (IntegrityError), when a letter the case recorded is missing or its
     * bytes no longer have the recorded sha256: the archive must not bless an altered document.
     */
    async archiveCase(input: ArchiveCaseInput): Promise<ArchiveResult> {
      const { caseId } = input;
      if (!SAFE.test(caseId))
        throw ApplicationFailure.nonRetryable(`案件编号不正确：${caseId}`, FailureType.InvalidInput);
      if (input.snapshot && !deps.client)
        throw ApplicationFailure.nonRetryable(
          '归档活动未配置 Temporal 客户端，无法读取案卷快照',
          FailureType.InvalidInput,
        );
      const state = input.state ?? (await readCaseSnapshot(deps.client!, caseId, input.snapshot!));
      const key = (name: string) => `${caseId}/${name}`;

      const listed = new Map<string, string>();
      const altered: string[] = [];
      const missing: string[] = [];
      for (const { name, sha256: recorded } of caseDocuments(state).flatMap((d) => documentFiles(d.document))) {
        if (!SAFE.test(name))
          throw ApplicationFailure.nonRetryable(`文书编号不正确：${name}`, FailureType.InvalidInput);
        const bytes = await readDurably(store, key(name));
        if (bytes === undefined) missing.push(name);
        else if (bytes !== 'corrupt' && sha256(bytes) === recorded) listed.set(name, recorded);
        else altered.push(name);
      }
      if (altered.length || missing.length) {
        throw ApplicationFailure.create({
          type: FailureType.IntegrityError,
          nonRetryable: true,
          message: `案件 ${caseId} 的文书与登记的 sha256 不符，拒绝归档：${[...altered.map((f) => `已被修改 ${f}`), ...missing.map((f) => `缺失 ${f}`)].join('；')}`,
          details: [{ caseId, altered, missing }],
        });
      }

      const records: Record<string, unknown> = {
        [CASE_FILE]: state,
        'audit-log.json': state.audit,
        'evidence-manifest.json': {
          evidence: state.evidence,
          rectificationReports: (state.rectification?.reports ?? []).map((r) => ({
            no: r.no,
            date: r.date,
            by: r.by,
            files: r.files,
          })),
        },
        'deliveries.json': deliveries(state),
      };
      for (const [name, data] of Object.entries(records)) {
        const text = `${JSON.stringify(data, null, 2)}\n`;
        await store.put(key(name), Buffer.from(text), { contentType: 'application/json' });
        listed.set(name, sha256(text));
      }

      // Last: a folder with a manifest is a complete archive.
      const names = [...listed.keys()].sort();
      const text = `${names.map((name) => `${listed.get(name)}  ${name}`).join('\n')}\n`;
      await store.put(key(MANIFEST), Buffer.from(text), { contentType: 'text/plain; charset=utf-8' });
      return { dir: whereIs(store, caseId), manifestSha256: sha256(text), files: names.length };
    },
  };
}

function missingArchive(): never {
  throw new Error('归档活动未配置归档存储（archive 或 archiveDir）');
}
