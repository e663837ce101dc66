/**
 * The case archive (归档备查): the record of a closed or cancelled case once Temporal has let the
 * workflow go (namespace retention). A case's folder holds every PDF (already written there by the
 * renderer), the evidence manifest, the delivery records, the audit log, the whole case record
 * (`case.json`) and MANIFEST.sha256 over all of it.
 *
 * - Every file is written atomically and durably: a temp file in the same folder, fsync, rename
 *   over the final name, fsync of the folder. A crash leaves the old file or the new one, never
 *   half of one; the manifest is written last, so its presence marks a complete archive.
 * - A letter is listed with the sha256 the case recorded when it was rendered, and only when its
 *   bytes still have it: `archiveCase` refuses (IntegrityError) to bless an altered or missing PDF,
 *   and `verifyArchive` checks the PDFs against case.json as well as against the manifest.
 * - `readArchivedCase` and `listArchivedCases` give the API, the dashboard and the CLI the case
 *   when the workflow is gone; case.json must match its manifest line to be believed.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { chinaDay } from '../workflows/shared/clock';
import type { RenderResult } from '../workflows/shared/documents';
import { FailureType } from '../workflows/shared/errors';
import type { VisitCase } from '../workflows/contracts/visit';
import { archiveChunkQuery, type ArchiveSnapshotRef } from '../workflows/shared/archive-snapshot';
import { TMP_MARK, writeFileDurable } from './durable';

export { writeFileDurable } from './durable';

export const MANIFEST = 'MANIFEST.sha256';
/** The whole case record, as the workflow held it when it archived itself. */
export const CASE_FILE = 'case.json';
const SAFE = /^[A-Za-z0-9._-]+$/;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const isNotFound = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** The sha256 of a file already on disk, flushed to the disk on the way (archives written before the renderer fsynced). */
async function hashDurably(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const bytes = await handle.readFile();
    await handle.sync();
    return sha256(bytes);
  } finally {
    await handle.close();
  }
}

/** One document a case records, with where it sits in the case. */
export interface CaseDocument {
  /** A DocumentKind, or 'draft' for an approval draft. */
  kind: string;
  document: RenderResult;
  docNumber?: string;
  date?: string;
  /** Approval drafts: the round, from 1. */
  round?: number;
}

/** Every document the case records, in the order they were made. */
export function caseDocuments(c: VisitCase): CaseDocument[] {
  const out: CaseDocument[] = [];
  // The day it went out on the case's clock (its receipt's, a practice year's simulated day); before
  // receipts, the China day its mail completed (an instant's UTC day is the day before until 08:00).
  const chinaDayOf = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso.slice(0, 10) : chinaDay(Date.parse(iso)));
  const completed = c.notice?.delivery?.completedAt;
  const sent = c.receipts?.find((r) => r.kind === 'notice')?.sentAt ?? (completed ? chinaDayOf(completed) : undefined);
  if (c.notice) out.push({ kind: 'notice', document: c.notice.document, docNumber: c.notice.docNumber, date: sent });
  c.approval.rounds.forEach((r, i) =>
    out.push({ kind: 'draft', document: r.draft, round: i + 1, date: chinaDayOf(r.sentAt) }),
  );
  if (c.letter)
    out.push({ kind: 'opinion', document: c.letter.document, docNumber: c.letter.docNumber, date: c.letter.issueDate });
  const r = c.rectification;
  for (const x of [...(r?.reminders ?? []), ...(r?.escalations ?? [])])
    out.push({ kind: x.kind, document: x.document, docNumber: x.docNumber, date: x.date });
  for (const rep of r?.reports ?? []) {
    const l = rep.review?.letter;
    if (l) out.push({ kind: l.kind, document: l.document, docNumber: l.docNumber, date: l.date });
  }
  // 送达回证: one per acknowledged letter, carrying that letter's number.
  for (const rc of c.receipts ?? []) {
    if (rc.certificate)
      out.push({ kind: 'receipt', document: rc.certificate, docNumber: rc.docNumber, date: rc.acknowledged?.date });
  }
  return out;
}

/** The archive's file name of a document: `<documentId>.pdf`, as the renderer wrote it. */
export const documentFile = (d: RenderResult) => `${d.documentId}.pdf`;

/** Every delivery record of a case, in the order the letters went out. */
function deliveries(c: VisitCase): unknown[] {
  const out: unknown[] = [];
  if (c.notice?.delivery) out.push(c.notice.delivery);
  if (c.letter?.delivery) out.push(c.letter.delivery);
  for (const r of c.rectification?.reminders ?? []) if (r.delivery) out.push(r.delivery);
  for (const e of c.rectification?.escalations ?? []) if (e.delivery) out.push(e.delivery);
  for (const r of c.rectification?.reports ?? []) if (r.review?.letter?.delivery) out.push(r.review.letter.delivery);
  return out;
}

/** `sha256  name` lines → name → sha256. */
export function parseManifest(text: string): Map<string, string> {
  const listed = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) listed.set(m[2]!, m[1]!);
  }
  return listed;
}

export interface ArchiveResult {
  dir: string;
  manifestSha256: string;
  files: number;
}

export interface VerifyResult {
  caseId: string;
  ok: boolean;
  changed: string[];
  missing: string[];
  /** Letters whose bytes differ from the sha256 the case recorded (case.json), though the manifest may agree with them. */
  notAsRecorded: string[];
  /** Files in the folder that the manifest does not list (not part of the record; not a failure). */
  unlisted: string[];
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

export function createArchiveActivities(deps: { archiveDir: string; client?: Client }) {
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
      const dir = path.join(deps.archiveDir, caseId);
      await fs.mkdir(dir, { recursive: true });

      const listed = new Map<string, string>();
      const altered: string[] = [];
      const missing: string[] = [];
      for (const { document } of caseDocuments(state)) {
        const name = documentFile(document);
        if (!SAFE.test(name))
          throw ApplicationFailure.nonRetryable(`文书编号不正确：${document.documentId}`, FailureType.InvalidInput);
        let actual: string;
        try {
          actual = await hashDurably(path.join(dir, name));
        } catch (err) {
          if (!isNotFound(err)) throw err;
          missing.push(name);
          continue;
        }
        if (actual === document.sha256) listed.set(name, document.sha256);
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
        await writeFileDurable(path.join(dir, name), text);
        listed.set(name, sha256(text));
      }

      // Last: a folder with a manifest is a complete archive.
      const names = [...listed.keys()].sort();
      const text = `${names.map((name) => `${listed.get(name)}  ${name}`).join('\n')}\n`;
      await writeFileDurable(path.join(dir, MANIFEST), text);
      return { dir, manifestSha256: sha256(text), files: names.length };
    },
  };
}

/**
 * Checks one case folder against its manifest and the case's letters against the sha256s the
 * case recorded (case.json); names every file that changed, went missing or is not as recorded.
 */
export async function verifyArchive(dir: string): Promise<VerifyResult> {
  const caseId = path.basename(dir);
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST), 'utf8');
  } catch {
    return { caseId, ok: false, changed: [], missing: [MANIFEST], notAsRecorded: [], unlisted: [] };
  }
  const listed = parseManifest(text);
  const actual = new Map<string, string>();
  const hashOf = async (name: string): Promise<string | undefined> => {
    if (!actual.has(name)) {
      const h = await fs.readFile(path.join(dir, name)).then(sha256, () => undefined);
      if (h) actual.set(name, h);
    }
    return actual.get(name);
  };
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [name, hash] of listed) {
    const h = await hashOf(name);
    if (h === undefined) missing.push(name);
    else if (h !== hash) changed.push(name);
  }

  // A manifest can agree with an altered PDF (written by an older engine that hashed whatever lay
  // in the folder, or rewritten by hand); the case's own record of each letter cannot be fooled so.
  const notAsRecorded: string[] = [];
  let recorded: VisitCase | undefined;
  try {
    recorded = JSON.parse(await fs.readFile(path.join(dir, CASE_FILE), 'utf8')) as VisitCase;
  } catch {
    recorded = undefined; // a missing or changed case.json is reported above
  }
  for (const { document } of recorded ? caseDocuments(recorded) : []) {
    const name = documentFile(document);
    if (!SAFE.test(name) || changed.includes(name) || missing.includes(name) || notAsRecorded.includes(name)) continue;
    const h = await hashOf(name);
    if (h === undefined) missing.push(name);
    else if (h !== document.sha256) notAsRecorded.push(name);
  }

  const present = (await fs.readdir(dir)).filter((f) => f !== MANIFEST);
  const unlisted = present.filter((f) => !listed.has(f));
  return {
    caseId,
    ok: changed.length === 0 && missing.length === 0 && notAsRecorded.length === 0,
    changed,
    missing,
    notAsRecorded,
    unlisted,
  };
}

/** The archive cannot vouch for a case it holds: incomplete, or case.json differs from its manifest line. */
export class ArchiveIntegrityError extends Error {
  override name = 'ArchiveIntegrityError';
  readonly type = FailureType.IntegrityError;
}

/** A case read back from its archive folder. */
export interface ArchivedCase {
  case: VisitCase;
  manifestSha256: string;
  /** Files the manifest lists. */
  files: number;
}

/**
 * The case record of `caseId` from its archive folder; undefined when the case was never archived
 * (no case.json). Throws ArchiveIntegrityError when the folder has no manifest yet or case.json
 * no longer matches its manifest line.
 */
export async function readArchivedCase(archiveDir: string, caseId: string): Promise<ArchivedCase | undefined> {
  if (!SAFE.test(caseId) || caseId.includes(TMP_MARK)) return undefined;
  const dir = path.join(archiveDir, caseId);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path.join(dir, CASE_FILE));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  let manifest: string;
  try {
    manifest = await fs.readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (err) {
    if (isNotFound(err))
      throw new ArchiveIntegrityError(`案件 ${caseId} 的归档不完整（缺少 ${MANIFEST}），请联系管理员`);
    throw err;
  }
  const listed = parseManifest(manifest);
  if (listed.get(CASE_FILE) !== sha256(bytes))
    throw new ArchiveIntegrityError(`案件 ${caseId} 的归档记录 ${CASE_FILE} 与归档清单不符，已停止读取，请联系管理员`);
  const c = JSON.parse(bytes.toString('utf8')) as VisitCase;
  if (c.caseId !== caseId) throw new ArchiveIntegrityError(`归档目录 ${caseId} 中的案件编号为 ${c.caseId}，与目录不符`);
  return { case: c, manifestSha256: sha256(manifest), files: listed.size };
}

/** One folder of the archive: its case, or why it cannot be believed. */
export type ArchiveEntry = { caseId: string } & (
  { archived: ArchivedCase; problem?: undefined } | { archived?: undefined; problem: string }
);

/** Every archived case under `archiveDir` (folders with a case.json), by case id. */
export async function listArchivedCases(archiveDir: string): Promise<ArchiveEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(archiveDir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const out: ArchiveEntry[] = [];
  for (const caseId of names.sort()) {
    try {
      const archived = await readArchivedCase(archiveDir, caseId);
      if (archived) out.push({ caseId, archived });
    } catch (err) {
      if (!(err instanceof ArchiveIntegrityError) && !(err instanceof SyntaxError)) throw err;
      out.push({ caseId, problem: err.message });
    }
  }
  return out;
}
