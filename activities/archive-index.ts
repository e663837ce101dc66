/**
 * The year's archive index (年度归档索引): inside the programme's archive folder, the sha256 of
 * every archived case's MANIFEST.sha256, as the visit workflow recorded it when it archived
 * itself. A case folder carries its own manifest, so whoever can write the folder can rewrite a
 * case and its manifest consistently; the index is a second place that has to be rewritten too,
 * and the programme's own manifest hash (covering the index) is in the programme's workflow
 * history and printed by `guidance archive verify` for comparison with a copy kept elsewhere.
 *
 * `verifyArchiveTree` is `archive verify`: every folder against its manifest (activities/archive.ts
 * `verifyArchive`), and every case named by a year's index against the index.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { MANIFEST, parseManifest, verifyArchive, type VerifyResult } from './archive';
import { readText } from './archive-read';
import { archiveStore, readObject, type ArchiveLocation } from './archive-store';
import type { ObjectStore } from './storage/object-store';

/** The programme's record (ProgrammeState as its `schedule` Query answered). */
export const PROGRAMME_FILE = 'programme.json';
/** The number register: each series' DocNumberState as its `numbers` Query answered. */
export const NUMBERS_FILE = 'numbers.json';
/** The year's archive index. */
export const INDEX_FILE = 'index.json';
/** Every copy of the programme's mail, as the sent-log recorded it. */
export const DELIVERIES_FILE = 'deliveries.json';

/** A bulletin's PDF in the programme's folder: the renderer's file name, never a server path. */
export function bulletinFile(b: { documentPath: string }): string | undefined {
  return fileName(b.documentPath, 'pdf');
}

const fileName = (recorded: string, format: 'pdf' | 'ofd') => {
  const name = path.basename(recorded);
  return new RegExp(`^[A-Za-z0-9._-]+\\.${format}$`).test(name) ? name : undefined;
};

/** A bulletin as the programme records it: its PDF, and its OFD when the plan asked for one. */
export interface RecordedBulletin {
  documentPath: string;
  sha256: string;
  ofd?: { path: string; sha256: string };
}

/** Each file of a bulletin with its recorded sha256; `name` is undefined when the recorded path is not a safe name. */
export function bulletinFiles(b: RecordedBulletin): { name: string | undefined; sha256: string }[] {
  const pdf = { name: bulletinFile(b), sha256: b.sha256 };
  return b.ofd ? [pdf, { name: fileName(b.ofd.path, 'ofd'), sha256: b.ofd.sha256 }] : [pdf];
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** One case of the index. */
export interface IndexedCase {
  /** sha256 of the case folder's MANIFEST.sha256. */
  manifestSha256: string;
  /**
   * Where the hash came from: `workflow` — the visit's own record of the archive it wrote (its
   * result or its Query), so a folder changed before the index was written is still caught;
   * `folder` — the folder's manifest as first seen when Temporal no longer had the visit (trusted
   * on first sight, never replaced by a later different one).
   */
  source: 'workflow' | 'folder';
  recordedAt: string;
}

export interface ArchiveIndex {
  programmeWorkflowId: string;
  year: number;
  bureau: string;
  updatedAt: string;
  /** caseId → its manifest's hash. */
  cases: Record<string, IndexedCase>;
}

/** The result of a case folder checked against the year's index as well as its own manifest. */
export interface TreeVerifyResult extends VerifyResult {
  /** The case's manifest differs from the hash the year's index recorded (`<programme>: recorded → actual`). */
  notAsIndexed: string[];
  /** For a programme folder: its manifest's sha256, to compare with the programme's workflow record. */
  manifestSha256?: string;
  /** For a programme folder: cases its index names whose folder is gone. */
  indexedMissing?: string[];
}

/** The sha256 of an archive object, 'corrupt' when the store finds it damaged, undefined when absent. */
async function hashOf(store: ObjectStore, key: string): Promise<string | undefined> {
  const bytes = await readObject(store, key);
  return bytes === undefined || bytes === 'corrupt' ? bytes : sha256(bytes);
}

/** The index of a programme folder (`id` in `store`), if it has one its manifest vouches for; else undefined with the reason. */
export async function readIndex(store: ObjectStore, id: string): Promise<{ index?: ArchiveIndex; problem?: string }> {
  const manifest = parseManifest((await readText(store, `${id}/${MANIFEST}`)) ?? '');
  const bytes = await readObject(store, `${id}/${INDEX_FILE}`);
  // Deleted while its manifest still lists it: as untrustworthy as a changed one.
  if (bytes === undefined) return manifest.has(INDEX_FILE) ? { problem: `缺少 ${INDEX_FILE}` } : {};
  if (bytes === 'corrupt' || manifest.get(INDEX_FILE) !== sha256(bytes))
    return { problem: `${INDEX_FILE} 与归档清单不符` };
  try {
    return { index: JSON.parse(bytes.toString('utf8')) as ArchiveIndex };
  } catch {
    return { problem: `${INDEX_FILE} 无法解析` };
  }
}

/** The sha256 of a case folder's MANIFEST.sha256, or undefined when it has none. */
export async function manifestHash(store: ObjectStore, id: string): Promise<string | undefined> {
  return hashOf(store, `${id}/${MANIFEST}`);
}

/**
 * `archive verify`: every archive folder under `root` (or only `only`) against its manifest, and
 * every case a year's index names against the index. A case rewritten together with its manifest
 * passes its own manifest and fails here.
 */
export async function verifyArchiveTree(root: ArchiveLocation, only?: string): Promise<TreeVerifyResult[]> {
  const store = archiveStore(root);
  const names = [...new Set((await store.list('')).filter((k) => k.includes('/')).map((k) => k.split('/')[0]!))].sort();
  const hasManifest = async (n: string) => (await store.head(`${n}/${MANIFEST}`).catch(() => undefined)) !== undefined;
  // The indexes of every programme folder, read first: a case of any year may be checked.
  const indexed = new Map<string, { programme: string; hash: string }>();
  const indexProblems = new Map<string, string>();
  const indexedBy = new Map<string, string[]>();
  for (const n of names) {
    const { index, problem } = await readIndex(store, n);
    if (problem) indexProblems.set(n, problem);
    if (!index) continue;
    indexedBy.set(n, Object.keys(index.cases));
    for (const [caseId, c] of Object.entries(index.cases))
      indexed.set(caseId, { programme: n, hash: c.manifestSha256 });
  }
  const out: TreeVerifyResult[] = [];
  for (const n of only ? [only] : names) {
    if (!(await hasManifest(n))) {
      // A folder the index names whose manifest is gone is reported below, under its programme.
      if (only) out.push({ ...(await verifyArchive(store, n)), notAsIndexed: [] });
      continue;
    }
    const r: TreeVerifyResult = { ...(await verifyArchive(store, n)), notAsIndexed: [] };
    const want = indexed.get(n);
    const actual = await manifestHash(store, n);
    if (want && actual && actual !== want.hash)
      r.notAsIndexed.push(
        `${MANIFEST}（${want.programme} 索引记录 ${want.hash.slice(0, 16)}…，现为 ${actual.slice(0, 16)}…）`,
      );
    // A programme folder: its bulletins as the programme recorded them (as case.json's letters are for a case).
    const programmeText = await readText(store, `${n}/${PROGRAMME_FILE}`);
    let programme: { bulletins?: RecordedBulletin[] } | undefined;
    try {
      programme = programmeText === undefined ? undefined : JSON.parse(programmeText);
    } catch {
      programme = undefined; // reported as changed against its manifest
    }
    for (const { name, sha256: recorded } of (programme?.bulletins ?? []).flatMap(bulletinFiles)) {
      if (!name || r.changed.includes(name) || r.missing.includes(name)) continue;
      const h = await hashOf(store, `${n}/${name}`);
      if (h === undefined) r.missing.push(name);
      else if (h !== recorded) r.notAsRecorded.push(name);
    }
    r.ok = r.ok && r.missing.length === 0 && r.notAsRecorded.length === 0;
    // Already named by verifyArchive as changed or missing, when its manifest lists it.
    const ownIndexProblem = indexProblems.get(n);
    if (ownIndexProblem && !r.changed.includes(INDEX_FILE) && !r.missing.includes(INDEX_FILE))
      r.changed.push(INDEX_FILE);
    if (indexedBy.has(n)) {
      r.manifestSha256 = actual;
      r.indexedMissing = [];
      for (const caseId of indexedBy.get(n)!) if (!(await hasManifest(caseId))) r.indexedMissing.push(caseId);
    }
    r.ok = r.ok && r.notAsIndexed.length === 0 && !ownIndexProblem && (r.indexedMissing?.length ?? 0) === 0;
    out.push(r);
  }
  return out;
}
