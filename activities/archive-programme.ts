/**
 * The programme's archive (年度计划归档): the year's record once Temporal has let the programme and
 * its numbering workflows go. `<archiveDir>/<programmeWorkflowId>/` holds
 * - programme.json: the ProgrammeState (schedule with origins and notes, the audit log with every
 *   change and its reason, cancellations, statistics imports, bulletins with their deliveries,
 *   digests, incidents, bends, calendars applied);
 * - numbers.json: the number register (发文登记), each series' state with its voids (作废);
 * - index.json: the year's archive index, each case's manifest hash (activities/archive-index.ts);
 * - deliveries.json: every copy of the programme's mail (bulletins, digests, failure notices) as
 *   the sent-log recorded it: to whom, accepted or refused, when;
 * - the bulletin PDFs the renderer already wrote there, each with the sha256 the programme recorded;
 * - MANIFEST.sha256 over all of it, written last.
 *
 * The activity reads what it archives itself, by Query (the programme's `schedule`, each series'
 * `numbers`): its input is a few ids, so neither the whole state nor the register passes through
 * the programme's history, and the payload limit never binds however long the year. A Query to the
 * workflow that scheduled the activity works: the workflow answers queries between its tasks.
 * Idempotent: called at each month end and at the finish, it overwrites with the newer record.
 * The mail's records: archive-deliveries.ts.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { scheduleQuery, type ProgrammeState } from '../workflows/contracts/programme';
import {
  DOC_NUMBER_SERIES,
  docNumberWorkflowId,
  numbersQuery,
  type DocNumberState,
} from '../workflows/contracts/numbering';
import { FailureType } from '../workflows/shared/errors';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import { ArchiveIntegrityError, MANIFEST, parseManifest } from './archive-format';
import { readObject, archiveStore, folderOf, whereIs, type ArchiveLocation } from './archive-store';
import { readText } from './archive-read';
import type { ObjectStore } from './storage/object-store';
import {
  DELIVERIES_FILE,
  INDEX_FILE,
  NUMBERS_FILE,
  PROGRAMME_FILE,
  bulletinFiles,
  manifestHash,
  readIndex,
  sha256,
  type ArchiveIndex,
  type IndexedCase,
} from './archive-index';
import { readDeliveries, type ProgrammeDelivery } from './archive-deliveries';
import type { SentLogStore } from './email/sent-log';

export type { ProgrammeDelivery } from './archive-deliveries';

const SAFE = /^[A-Za-z0-9._-]+$/;

/** What the programme passes: ids only; the activity reads the record itself. */
export interface ArchiveProgrammeInput {
  /** The programme's workflow id (`guidance-<year>-<bureau>`). */
  workflowId: string;
  year: number;
  bureau: string;
}

export interface ProgrammeArchiveResult {
  /** The programme's folder: on this host for the local store, else its key prefix in the store. */
  dir: string;
  manifestSha256: string;
  files: number;
  /** Cases the year's index records. */
  cases: number;
  /** Numbers in the register (issued and voided). */
  numbers: number;
}

/** The register as archived: series → its numbering workflow's state. */
export type ArchivedNumbers = Partial<Record<(typeof DOC_NUMBER_SERIES)[number], DocNumberState>>;

/**
 * The manifest hash a visit recorded of the archive it wrote (its result, or its Query for a
 * cancelled case), `running` while it still runs, `gone` when Temporal no longer has it.
 */
async function recordedManifest(
  client: Client,
  caseId: string,
): Promise<{ hash?: string; running?: boolean; gone?: boolean }> {
  const h = client.workflow.getHandle(caseId);
  let status: string;
  try {
    status = (await h.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { gone: true };
    throw err;
  }
  if (status === 'RUNNING') return { running: true };
  const hashOf = (c: VisitCase | undefined) => c?.rectification?.archive?.manifestSha256 ?? c?.archive?.manifestSha256;
  // By Query, for completed and cancelled cases alike (a cancelled case has no result). Not
  // `result()`: a test environment's client lets the clock skip ahead while it waits on a result,
  // which timed this activity out and retried it for ever on the time-skipping server.
  const hash = hashOf(await h.query(visitCaseQuery).catch(() => undefined));
  return { hash };
}

/**
 * The year's index, from the previous one and the programme's ended visits: the visit's own record
 * of its manifest wins; a hash recorded before is never replaced by a folder's different one.
 */
async function buildIndex(
  client: Client,
  store: ObjectStore,
  state: ProgrammeState,
  workflowId: string,
  previous: ArchiveIndex | undefined,
): Promise<ArchiveIndex> {
  const now = new Date().toISOString();
  const cases: Record<string, IndexedCase> = { ...previous?.cases };
  for (const e of state.entries) {
    const caseId = e.visitWorkflowId;
    if (e.status === 'scheduled' || !SAFE.test(caseId) || cases[caseId]?.source === 'workflow') continue;
    const recorded = await recordedManifest(client, caseId);
    if (recorded.hash) {
      cases[caseId] = { manifestSha256: recorded.hash, source: 'workflow', recordedAt: now };
      continue;
    }
    if (cases[caseId] || recorded.running) continue;
    const onDisk = await manifestHash(store, caseId);
    if (onDisk) cases[caseId] = { manifestSha256: onDisk, source: 'folder', recordedAt: now };
  }
  return { programmeWorkflowId: workflowId, year: state.year, bureau: state.bureau, updatedAt: now, cases };
}

/** Each series' register from its numbering workflow; a series never used has none. */
async function readNumbers(client: Client, year: number, bureau: string): Promise<ArchivedNumbers> {
  const out: ArchivedNumbers = {};
  for (const series of DOC_NUMBER_SERIES) {
    try {
      out[series] = await client.workflow.getHandle(docNumberWorkflowId(year, bureau, series)).query(numbersQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return out;
}

/**
 * The bulletin files (PDF, and OFD when made) of the programme's folder, each with the sha256 the programme recorded when it
 * was rendered. Refuses (IntegrityError, not retried) when one is missing or altered: the archive
 * must not bless an altered document, as for a case's letters.
 */
async function bulletinHashes(
  store: ObjectStore,
  state: ProgrammeState,
  workflowId: string,
): Promise<Map<string, string>> {
  const listed = new Map<string, string>();
  const problems: string[] = [];
  for (const b of state.bulletins) {
    for (const f of bulletinFiles(b)) {
      const bytes = f.name ? await readObject(store, `${workflowId}/${f.name}`) : undefined;
      const actual = bytes === undefined ? undefined : bytes === 'corrupt' ? 'corrupt' : sha256(bytes);
      if (f.name && actual === f.sha256) listed.set(f.name, f.sha256);
      else problems.push(`${b.docNumber}（${f.name ?? b.month}）${actual ? '已被修改' : '缺失'}`);
    }
  }
  if (problems.length) {
    throw ApplicationFailure.create({
      type: FailureType.IntegrityError,
      nonRetryable: true,
      message: `计划 ${workflowId} 的通报文件与登记的 sha256 不符，拒绝归档：${problems.join('；')}`,
    });
  }
  return listed;
}

/** The records of a programme's archive. */
export interface ProgrammeRecords {
  state: ProgrammeState;
  numbers: ArchivedNumbers;
  index: ArchiveIndex;
  deliveries: ProgrammeDelivery[];
}

/**
 * Writes the records whole (locally: temp, fsync, rename, fsync of the folder), then the manifest
 * over them and `pdfs` (name → sha256, already in the folder): a folder with a manifest is a
 * complete archive; a crash leaves the previous one whole. The folder: `{ archive, id }`, or its
 * path on this host.
 */
export async function writeProgrammeArchive(
  folder: string | { archive: ArchiveLocation; id: string },
  records: ProgrammeRecords,
  pdfs = new Map<string, string>(),
): Promise<{ manifestSha256: string; files: number }> {
  const { store, id } = typeof folder === 'string' ? folderOf(folder) : folderOf(folder.archive, folder.id);
  const listed = new Map(pdfs);
  const files = [
    [PROGRAMME_FILE, records.state],
    [NUMBERS_FILE, records.numbers],
    [INDEX_FILE, records.index],
    [DELIVERIES_FILE, records.deliveries],
  ] as const;
  for (const [name, data] of files) {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    await store.put(`${id}/${name}`, Buffer.from(text), { contentType: 'application/json' });
    listed.set(name, sha256(text));
  }
  const names = [...listed.keys()].sort();
  const text = `${names.map((name) => `${listed.get(name)}  ${name}`).join('\n')}\n`;
  await store.put(`${id}/${MANIFEST}`, Buffer.from(text), { contentType: 'text/plain; charset=utf-8' });
  return { manifestSha256: sha256(text), files: names.length };
}

export function createProgrammeArchiveActivities(deps: {
  /** The archive (archive-store.ts): the process store's part, or its folder on this host. */
  archiveDir: ArchiveLocation;
  client: Client;
  sentLogDir?: string;
  /** The shared sent-log (sent-log-pg.ts); when given, `sentLogDir` is not read. */
  sentLog?: SentLogStore;
}) {
  const store = archiveStore(deps.archiveDir);
  return {
    /** Writes the programme's record, register and index, then its manifest; idempotent. */
    async archiveProgramme({ workflowId, year, bureau }: ArchiveProgrammeInput): Promise<ProgrammeArchiveResult> {
      if (!SAFE.test(workflowId))
        throw ApplicationFailure.nonRetryable(`计划工作流编号不正确：${workflowId}`, FailureType.InvalidInput);
      const state = await deps.client.workflow.getHandle(workflowId).query(scheduleQuery);
      if (state.year !== year || state.bureau !== bureau) {
        throw ApplicationFailure.nonRetryable(
          `工作流 ${workflowId} 是 ${state.bureau} ${state.year} 年度的计划，不是 ${bureau} ${year} 年度的`,
          FailureType.InvalidInput,
        );
      }
      const numbers = await readNumbers(deps.client, year, bureau);
      // An index its manifest no longer vouches for is not rebuilt silently: that would bless the
      // case folders as they now are. A person looks, and moves the folder aside to rebuild it.
      const { index: previous, problem } = await readIndex(store, workflowId);
      if (problem) {
        throw ApplicationFailure.create({
          type: FailureType.IntegrityError,
          nonRetryable: true,
          message: `计划 ${workflowId} 的年度归档索引不可信（${problem}），请用 guidance archive verify 核对；确认后将该归档目录移走，再重试即按 Temporal 的记录重建`,
        });
      }
      const index = await buildIndex(deps.client, store, state, workflowId, previous);

      const pdfs = await bulletinHashes(store, state, workflowId);
      const deliveries = await readDeliveries(deps.sentLog ?? deps.sentLogDir, workflowId);
      const written = await writeProgrammeArchive(
        { archive: store, id: workflowId },
        { state, numbers, index, deliveries },
        pdfs,
      );
      const count = Object.values(numbers).reduce((n, s) => n + s.next - 1, 0);
      return { dir: whereIs(store, workflowId), ...written, cases: Object.keys(index.cases).length, numbers: count };
    },
  };
}

/** A programme read back from its archive folder. */
export interface ArchivedProgramme {
  state: ProgrammeState;
  numbers: ArchivedNumbers;
  manifestSha256: string;
  files: number;
}

/**
 * The programme `workflowId` from its archive folder; undefined when it was never archived.
 * Throws ArchiveIntegrityError when the folder has no manifest or a record differs from its line.
 */
export async function readArchivedProgramme(
  archive: ArchiveLocation,
  workflowId: string,
): Promise<ArchivedProgramme | undefined> {
  if (!SAFE.test(workflowId) || /^\.+$/.test(workflowId)) return undefined;
  const store = archiveStore(archive);
  const programme = await readObject(store, `${workflowId}/${PROGRAMME_FILE}`);
  if (programme === undefined) return undefined;
  const manifest = await readText(store, `${workflowId}/${MANIFEST}`);
  if (manifest === undefined)
    throw new ArchiveIntegrityError(`计划 ${workflowId} 的归档不完整（缺少 ${MANIFEST}），请联系管理员`);
  const listed = parseManifest(manifest);
  const numbers = await readObject(store, `${workflowId}/${NUMBERS_FILE}`);
  for (const [name, bytes] of [
    [PROGRAMME_FILE, programme],
    [NUMBERS_FILE, numbers],
  ] as const) {
    if (!bytes || bytes === 'corrupt' || listed.get(name) !== sha256(bytes))
      throw new ArchiveIntegrityError(`计划 ${workflowId} 的归档记录 ${name} 与归档清单不符，已停止读取，请联系管理员`);
  }
  return {
    state: JSON.parse((programme as Buffer).toString('utf8')) as ProgrammeState,
    numbers: JSON.parse((numbers as Buffer).toString('utf8')) as ArchivedNumbers,
    manifestSha256: sha256(manifest),
    files: listed.size,
  };
}
