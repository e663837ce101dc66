/**
 * Visit operations shared by the CLI and the HTTP API: every human step through its validated
 * Update, reads through the Query. Refusals come back as UserError with the workflow's message.
 */
import { retryUpdate, type RetryArgs } from '../workflows/contracts/incidents';
import { acknowledgeUpdate, type AcknowledgeArgs } from '../workflows/contracts/receipts';
import { correctRosterUpdate, type CorrectRosterArgs } from '../workflows/contracts/roster';
import { correctCountyEmailsUpdate, type CorrectCountyEmailsArgs } from '../workflows/contracts/county-emails';
import { todoQuery } from '../workflows/shared/todo';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { readArchivedCase } from '../activities/archive';
import type { ArchiveLocation } from '../activities/archive-store';
import type { EvidenceStore } from '../activities/evidence/store';
import { visitWorkflowId } from '../workflows/contracts/common';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import {
  addEvidenceUpdate,
  approveUpdate,
  returnUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
  type AddEvidenceArgs,
  type DecisionArgs,
  type ReturnArgs,
  type SetEnterpriseResultArgs,
  type SetFindingArgs,
  type ActorOnlyArgs,
} from '../workflows/contracts/visit-onsite';
import {
  submitReportUpdate,
  reviewReportUpdate,
  extendDueUpdate,
  recordReinspectionUpdate,
  type RecordReinspectionArgs,
  type SubmitReportArgs,
  type ReviewReportArgs,
  type ExtendDueArgs,
} from '../workflows/contracts/visit-rectification';
import { chineseDate } from '../workflows/shared/email';
import { EXIT, UserError, getProgramme } from './programme';

export interface VisitRef {
  year: number;
  bureau: string;
  county: string;
}

function handle(client: Client, ref: VisitRef) {
  return client.workflow.getHandle(visitWorkflowId(ref.year, ref.bureau, ref.county));
}

async function translate(client: Client, err: unknown, ref: VisitRef): Promise<unknown> {
  if (err instanceof WorkflowNotFoundError) {
    // An Update to a closed workflow is refused by the server as "not found": tell the two apart.
    const closed = await handle(client, ref)
      .describe()
      .then(
        (d) => d.status.name !== 'RUNNING',
        () => false,
      );
    if (closed) return new UserError('该执法指导已经结束，不能再操作', EXIT.refused, 'InvalidState');
    return notStarted(client, ref);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
    return new UserError(err.cause.message, EXIT.refused, err.cause.type ?? undefined);
  return err;
}

/**
 * A case with no workflow, as its programme's schedule explains it: not started yet (its date, in
 * Chinese), cancelled before it started, or not in the year's plan. Still a NotFound, so readers
 * that fall back to the archive keep doing so.
 */
async function notStarted(client: Client, ref: VisitRef): Promise<UserError> {
  const schedule = await getProgramme(client, ref.year, ref.bureau).catch(() => undefined);
  const entry = schedule?.entries.find((e) => e.county === ref.county);
  const notFound = (message: string) => new UserError(message, EXIT.notFound, 'NotFound');
  if (entry?.status === 'scheduled')
    return notFound(
      `${entry.countyName} ${ref.year} 年度执法指导尚未开始：计划于${chineseDate(entry.date)}进行，开始后才能查看和办理`,
    );
  if (entry?.status === 'cancelled') return notFound(`${entry.countyName} ${ref.year} 年度执法指导已在开始前取消`);
  if (entry) return notFound(`没有找到${entry.countyName} ${ref.year} 年度执法指导的记录`);
  return notFound(`没有找到 ${ref.county} 的 ${ref.year} 年度执法指导`);
}

async function call<T>(client: Client, ref: VisitRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw await translate(client, err, ref);
  }
}

/** Files a caller stored for an Update, each held by its pin until the Update's outcome is known. */
export interface HeldFiles {
  store: EvidenceStore;
  files: readonly { sha256: string; pin: string }[];
}

/** The sha256 of every file a case points at: its evidence and its rectification reports' files. */
export function referencedFiles(c: VisitCase): Set<string> {
  return new Set([
    ...c.evidence.map((e) => e.sha256),
    ...(c.rectification?.reports ?? []).flatMap((r) => r.files.map((f) => f.sha256)),
  ]);
}

/**
 * The files a case points at, by its workflow id (for `sweepPins`): from the workflow while
 * Temporal keeps it, else from the archive written when it ended; undefined when neither answers.
 */
export async function caseFilesById(
  client: Client,
  caseId: string,
  archiveDir?: ArchiveLocation,
): Promise<Set<string> | undefined> {
  try {
    return referencedFiles(await client.workflow.getHandle(caseId).query(visitCaseQuery));
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError) || !archiveDir) return undefined;
    const archived = await readArchivedCase(archiveDir, caseId).catch(() => undefined);
    return archived && referencedFiles(archived.case);
  }
}

/**
 * Settles the pins of `held` after the Update that was to reference them failed, by the case as it
 * now stands: a file the case points at keeps its pin, marked accepted, whatever the error said (a
 * lost reply after the Update applied; a concurrent identical upload that won). A file it does not
 * point at is released only if the server or the workflow answered the Update (refused by the
 * validator, or no such running workflow): then it did not and will not apply. After a timeout the
 * Update may still apply, so the pin stays for `sweepPins` to decide later; likewise when the case
 * cannot be read.
 */
async function settleFailed(client: Client, ref: VisitRef, held: HeldFiles, err: unknown): Promise<void> {
  const answered = err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError;
  const c = await handle(client, ref)
    .query(visitCaseQuery)
    .catch(() => undefined);
  if (!c) return;
  const referenced = referencedFiles(c);
  for (const f of held.files) {
    if (referenced.has(f.sha256)) await held.store.accept(f.sha256, f.pin);
    else if (answered) await held.store.release(f.sha256, f.pin);
  }
}

/** An Update that makes the case reference stored files: accepted, their pins become the case's references. */
async function callHolding<T>(
  client: Client,
  ref: VisitRef,
  held: HeldFiles | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!held) return call(client, ref, fn);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // Settling can only keep a file too long, never lose one; the caller gets the Update's error.
    await settleFailed(client, ref, held, err).catch(() => undefined);
    throw await translate(client, err, ref);
  }
  for (const f of held.files) await held.store.accept(f.sha256, f.pin).catch(() => undefined);
  return result;
}

export const visitOps = {
  get: (client: Client, ref: VisitRef): Promise<VisitCase> =>
    call(client, ref, () => handle(client, ref).query(visitCaseQuery)),
  /** With `held`, the stored file's pin is settled by the outcome (see settleFailed). */
  addEvidence: (client: Client, ref: VisitRef, args: AddEvidenceArgs, held?: HeldFiles) =>
    callHolding(client, ref, held, () => handle(client, ref).executeUpdate(addEvidenceUpdate, { args: [args] })),
  setFinding: (client: Client, ref: VisitRef, args: SetFindingArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(setFindingUpdate, { args: [args] })),
  setEnterpriseResult: (client: Client, ref: VisitRef, args: SetEnterpriseResultArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(setEnterpriseResultUpdate, { args: [args] })),
  submit: (client: Client, ref: VisitRef, args: ActorOnlyArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(submitUpdate, { args: [args] })),
  approve: (client: Client, ref: VisitRef, args: DecisionArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(approveUpdate, { args: [args] })),
  return: (client: Client, ref: VisitRef, args: ReturnArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(returnUpdate, { args: [args] })),
  submitReport: (client: Client, ref: VisitRef, args: SubmitReportArgs, held?: HeldFiles) =>
    callHolding(client, ref, held, () => handle(client, ref).executeUpdate(submitReportUpdate, { args: [args] })),
  reviewReport: (client: Client, ref: VisitRef, args: ReviewReportArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(reviewReportUpdate, { args: [args] })),
  extendDue: (client: Client, ref: VisitRef, args: ExtendDueArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(extendDueUpdate, { args: [args] })),
  recordReinspection: (client: Client, ref: VisitRef, args: RecordReinspectionArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(recordReinspectionUpdate, { args: [args] })),
  /** After the cause of an incident is fixed: the failed step runs again (administrators). */
  retry: (client: Client, ref: VisitRef, args: RetryArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(retryUpdate, { args: [args] })),
  /** 更正企业名单 before the draw (administrators, supervisors); a refused draw's retry then uses it. */
  correctRoster: (client: Client, ref: VisitRef, args: CorrectRosterArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(correctRosterUpdate, { args: [args] })),
  /** 更正县区收件邮箱 (administrators, supervisors): every letter mailed afterwards goes to the corrected addresses. */
  correctCountyEmails: (client: Client, ref: VisitRef, args: CorrectCountyEmailsArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(correctCountyEmailsUpdate, { args: [args] })),
  /** 签收 of a letter: by the county in its portal or through the emailed link, or recorded for it by staff. */
  acknowledge: (client: Client, ref: VisitRef, args: AcknowledgeArgs) =>
    call(client, ref, () => handle(client, ref).executeUpdate(acknowledgeUpdate, { args: [args] })),
  /** What the case waits for, on its own clock (the inbox's per-case answer). */
  todo: (client: Client, ref: VisitRef) => call(client, ref, () => handle(client, ref).query(todoQuery)),
};
