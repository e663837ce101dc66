/**
 * The record of a case for reading (CLI, HTTP API, dashboard): the visit workflow's own state
 * while Temporal keeps it, else its archive. Temporal lets a closed or cancelled workflow go once
 * the namespace's retention has passed; the archive the workflow wrote when it ended
 * (`<archiveDir>/<caseId>/case.json`, activities/archive.ts) is then the record.
 */
import type { Client } from '@temporalio/client';
import { ArchiveIntegrityError, readArchivedCase, type ArchivedCase } from '../activities/archive';
import { visitWorkflowId } from '../workflows/shared/definitions';
import type { VisitCase } from '../workflows/shared/visit';
import { EXIT, UserError } from './programme';
import { visitOps, type VisitRef } from './visit';

/** A case as read: from its workflow, or from its archive once Temporal has let the workflow go. */
export interface CaseRecord {
  case: VisitCase;
  source: 'temporal' | 'archive';
  /** From the archive: the manifest's sha256 and how many files it lists. */
  archive?: { manifestSha256: string; files: number };
}

/**
 * The case from its workflow while Temporal has it; when Temporal answers NotFound, from its
 * archive under `archiveDir`. Still NotFound when neither has it; IntegrityError (a refusal) when
 * the archive cannot vouch for the case.
 */
export async function readCase(client: Client, ref: VisitRef, archiveDir: string | undefined): Promise<CaseRecord> {
  try {
    return { case: await visitOps.get(client, ref), source: 'temporal' };
  } catch (err) {
    if (!archiveDir || !(err instanceof UserError) || err.type !== 'NotFound') throw err;
    const archived = await readArchived(archiveDir, visitWorkflowId(ref.year, ref.bureau, ref.county));
    if (!archived) throw err;
    return { case: archived.case, source: 'archive', archive: { manifestSha256: archived.manifestSha256, files: archived.files } };
  }
}

/** An archived case, or undefined; an archive that cannot vouch for it is refused as IntegrityError. */
async function readArchived(archiveDir: string, caseId: string): Promise<ArchivedCase | undefined> {
  try {
    return await readArchivedCase(archiveDir, caseId);
  } catch (err) {
    if (err instanceof ArchiveIntegrityError) throw new UserError(err.message, EXIT.refused, err.type);
    throw err;
  }
}
