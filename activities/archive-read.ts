/**
 * Reading the case archive back when the workflow is gone: `verifyArchive` (every file against the
 * manifest and the PDFs against case.json), `readArchivedCase` (case.json, believed only when it
 * matches its manifest line) and `listArchivedCases`.
 */
import type { VisitCase } from '../workflows/contracts/visit';
import { TMP_MARK } from './durable';
import {
  ArchiveIntegrityError,
  caseDocuments,
  CASE_FILE,
  documentFiles,
  MANIFEST,
  parseManifest,
  SAFE,
  sha256,
  type VerifyResult,
} from './archive-format';
import { archiveStore, folderOf, readObject, type ArchiveLocation } from './archive-store';
import type { ObjectStore } from './storage/object-store';

/** A folder name the archive can hold: safe characters, not `.`/`..`, no writer's temp mark. */
export const archivedId = (id: string) => SAFE.test(id) && !/^\.+$/.test(id) && !id.includes(TMP_MARK);

/** A text object, undefined when absent; a corrupt object (the store's own check) reads as absent text. */
export async function readText(store: ObjectStore, key: string): Promise<string | undefined> {
  const bytes = await readObject(store, key);
  return bytes === undefined || bytes === 'corrupt' ? undefined : bytes.toString('utf8');
}

/** The names directly in a folder of the archive. */
export async function folderNames(store: ObjectStore, folder: string): Promise<string[]> {
  const names = (await store.list(`${folder}/`)).map((k) => k.slice(folder.length + 1).split('/')[0]!);
  return [...new Set(names)];
}

/**
 * Checks one case folder against its manifest and the case's letters against the sha256s the
 * case recorded (case.json); names every file that changed, went missing or is not as recorded.
 * The folder: `verifyArchive(archive, caseId)`, or its path on this host (`verifyArchive(dir)`).
 */
export async function verifyArchive(at: ArchiveLocation, id?: string): Promise<VerifyResult> {
  const { store, id: caseId } = folderOf(at, id);
  const text = await readText(store, `${caseId}/${MANIFEST}`);
  if (text === undefined)
    return { caseId, ok: false, changed: [], missing: [MANIFEST], notAsRecorded: [], unlisted: [] };
  const listed = parseManifest(text);
  const actual = new Map<string, string>();
  const hashOf = async (name: string): Promise<string | undefined> => {
    if (!actual.has(name)) {
      const bytes = await readObject(store, `${caseId}/${name}`);
      // Bytes the store itself finds damaged hash to nothing any record holds.
      if (bytes !== undefined) actual.set(name, bytes === 'corrupt' ? 'corrupt' : sha256(bytes));
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
    recorded = JSON.parse((await readText(store, `${caseId}/${CASE_FILE}`)) ?? '') as VisitCase;
  } catch {
    recorded = undefined; // a missing or changed case.json is reported above
  }
  for (const { name, sha256: want } of recorded
    ? caseDocuments(recorded).flatMap((d) => documentFiles(d.document))
    : []) {
    if (!SAFE.test(name) || changed.includes(name) || missing.includes(name) || notAsRecorded.includes(name)) continue;
    const h = await hashOf(name);
    if (h === undefined) missing.push(name);
    else if (h !== want) notAsRecorded.push(name);
  }

  const present = (await folderNames(store, caseId)).filter((f) => f !== MANIFEST);
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
export async function readArchivedCase(archive: ArchiveLocation, caseId: string): Promise<ArchivedCase | undefined> {
  if (!archivedId(caseId)) return undefined;
  const store = archiveStore(archive);
  const bytes = await readObject(store, `${caseId}/${CASE_FILE}`);
  if (bytes === undefined) return undefined;
  const manifest = await readText(store, `${caseId}/${MANIFEST}`);
  if (manifest === undefined)
    throw new ArchiveIntegrityError(`案件 ${caseId} 的归档不完整（缺少 ${MANIFEST}），请联系管理员`);
  const listed = parseManifest(manifest);
  if (bytes === 'corrupt' || listed.get(CASE_FILE) !== sha256(bytes))
    throw new ArchiveIntegrityError(`案件 ${caseId} 的归档记录 ${CASE_FILE} 与归档清单不符，已停止读取，请联系管理员`);
  const c = JSON.parse(bytes.toString('utf8')) as VisitCase;
  if (c.caseId !== caseId) throw new ArchiveIntegrityError(`归档目录 ${caseId} 中的案件编号为 ${c.caseId}，与目录不符`);
  return { case: c, manifestSha256: sha256(manifest), files: listed.size };
}

/** One folder of the archive: its case, or why it cannot be believed. */
export type ArchiveEntry = { caseId: string } & (
  { archived: ArchivedCase; problem?: undefined } | { archived?: undefined; problem: string }
);

/** Every archived case in the archive (folders with a case.json), by case id. */
export async function listArchivedCases(archive: ArchiveLocation): Promise<ArchiveEntry[]> {
  const store = archiveStore(archive);
  const names = (await store.list(''))
    .filter((k) => k.endsWith(`/${CASE_FILE}`) && k.split('/').length === 2)
    .map((k) => k.split('/')[0]!);
  const out: ArchiveEntry[] = [];
  for (const caseId of names.sort()) {
    try {
      const archived = await readArchivedCase(store, caseId);
      if (archived) out.push({ caseId, archived });
    } catch (err) {
      if (!(err instanceof ArchiveIntegrityError) && !(err instanceof SyntaxError)) throw err;
      out.push({ caseId, problem: err.message });
    }
  }
  return out;
}
