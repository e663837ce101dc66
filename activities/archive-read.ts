/**
 * Reading the case archive back when the workflow is gone: `verifyArchive` (every file against the
 * manifest and the PDFs against case.json), `readArchivedCase` (case.json, believed only when it
 * matches its manifest line) and `listArchivedCases`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { VisitCase } from '../workflows/contracts/visit';
import { TMP_MARK } from './durable';
import {
  ArchiveIntegrityError,
  caseDocuments,
  CASE_FILE,
  documentFile,
  isNotFound,
  MANIFEST,
  parseManifest,
  SAFE,
  sha256,
  type VerifyResult,
} from './archive-format';

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
