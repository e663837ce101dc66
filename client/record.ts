/**
 * The record of a case for reading (CLI, HTTP API, dashboard): the visit workflow's own state
 * while Temporal keeps it, else its archive. Temporal lets a closed or cancelled workflow go once
 * the namespace's retention has passed; the archive the workflow wrote when it ended
 * (`<archiveDir>/<caseId>/case.json`, activities/archive.ts) is then the record. The same holds
 * for the year's programme (`<archiveDir>/<programmeWorkflowId>/programme.json`,
 * activities/archive-programme.ts), written at each month end and at its finish.
 */
import type { Client } from '@temporalio/client';
import { ArchiveIntegrityError, readArchivedCase, type ArchivedCase } from '../activities/archive';
import { readArchivedProgramme } from '../activities/archive-programme';
import type { ArchiveLocation } from '../activities/archive-store';
import type { CaseReads } from './case-reads';
import { archiveIn } from '../activities/archive-store';
import { storeFromConfig } from '../activities/storage';
import { config } from '../config/env';
import { loadTemporalConfig } from '../config/temporal';
import { type ProgrammeState } from '../workflows/contracts/programme';
import { programmeWorkflowId, visitWorkflowId } from '../workflows/contracts/common';
import type { VisitCase } from '../workflows/contracts/visit';
import { EXIT, UserError, getProgramme } from './programme';
import { visitOps, type VisitRef } from './visit';

/** A case as read: from its workflow, or from its archive once Temporal has let the workflow go. */
export interface CaseRecord {
  case: VisitCase;
  source: 'temporal' | 'archive';
  /** From the archive: the manifest's sha256 and how many files it lists. */
  archive?: { manifestSha256: string; files: number };
  /** Through `reads` when the query missed its budget: the last answer, read at this instant (ISO). */
  asOf?: string;
}

/**
 * The case from its workflow while Temporal has it (through `reads`, people's screens: the last
 * answer when the query misses its budget, client/case-reads.ts); when Temporal answers NotFound, from its
 * archive (`archiveDir`: the process store's archive, or its folder). Still NotFound when neither has it; IntegrityError (a refusal) when
 * the archive cannot vouch for the case. A closed case whose query fails otherwise (its worker
 * cannot replay it, Temporal is unreachable) is read from its archive too, the record it wrote
 * when it ended; a case without an archive (still running) gets the query's error.
 */
export async function readCase(
  client: Client,
  ref: VisitRef,
  archiveDir: ArchiveLocation | undefined,
  reads?: CaseReads<VisitCase>,
): Promise<CaseRecord> {
  try {
    if (!reads) return { case: await visitOps.get(client, ref), source: 'temporal' };
    const id = visitWorkflowId(ref.year, ref.bureau, ref.county);
    const r = await reads.read(id, () => visitOps.get(client, ref));
    return { case: r.value, source: 'temporal', ...(r.asOf ? { asOf: new Date(r.asOf).toISOString() } : {}) };
  } catch (err) {
    if (!archiveDir) throw err;
    const notFound = err instanceof UserError && err.type === 'NotFound';
    const id = visitWorkflowId(ref.year, ref.bureau, ref.county);
    const archived = notFound
      ? await readArchived(archiveDir, id)
      : await readArchived(archiveDir, id).catch(() => undefined);
    if (!archived) throw err;
    return {
      case: archived.case,
      source: 'archive',
      archive: { manifestSha256: archived.manifestSha256, files: archived.files },
    };
  }
}

/** An archived case, or undefined; an archive that cannot vouch for it is refused as IntegrityError. */
function readArchived(archiveDir: ArchiveLocation, caseId: string): Promise<ArchivedCase | undefined> {
  return refuseUnvouched(() => readArchivedCase(archiveDir, caseId));
}

/** Runs an archive read; an archive that cannot vouch for its record becomes a refusal (UserError, IntegrityError). */
export async function refuseUnvouched<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ArchiveIntegrityError) throw new UserError(err.message, EXIT.refused, err.type);
    throw err;
  }
}

/**
 * The archive the configuration names, for the CLI: the object store's `archive/` (a bucket with
 * GUIDANCE_STORAGE=s3; the data directory's `archive` folder by default, as before).
 */
export function configuredArchive(): ArchiveLocation {
  return archiveIn(storeFromConfig({ dataDir: loadTemporalConfig().dataDir, storage: config().storage }));
}

/** The programme as read: from its workflow, or from its archive once Temporal has let it go. */
export interface ProgrammeRecord {
  state: ProgrammeState;
  source: 'temporal' | 'archive';
  /** From the archive: the manifest's sha256 and how many files it lists. */
  archive?: { manifestSha256: string; files: number };
}

/**
 * The programme of `year` from its workflow while Temporal has it; when Temporal answers NotFound,
 * from its archive under `archiveDir` (the record as of its last month end or its finish). Still
 * NotFound when neither has it; IntegrityError (a refusal) when the archive cannot vouch for it.
 */
export async function readProgramme(
  client: Client,
  year: number,
  bureau: string,
  archiveDir: ArchiveLocation | undefined,
): Promise<ProgrammeRecord> {
  try {
    return { state: await getProgramme(client, year, bureau), source: 'temporal' };
  } catch (err) {
    if (!archiveDir || !(err instanceof UserError) || err.type !== 'NotFound') throw err;
    const archived = await refuseUnvouched(() => readArchivedProgramme(archiveDir, programmeWorkflowId(year, bureau)));
    if (!archived) throw err;
    return {
      state: archived.state,
      source: 'archive',
      archive: { manifestSha256: archived.manifestSha256, files: archived.files },
    };
  }
}
