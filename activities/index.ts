/**
 * All activities, built over injected dependencies: the worker wires the real ones, tests their own.
 */
import { createArchiveActivities } from './archive';
import { createProgrammeArchiveActivities } from './archive-programme';
import { createDocNumberActivities, type DocNumberDeps } from './docnumber';
import { createDocumentActivities, type DocumentActivityDeps } from './documents';
import { createEmailActivities, type EmailDeps } from './email';
import { createSentStatusActivities } from './email/sent-status';
import { createInboxActivities } from './inbox';
import { createProgrammeActivities, type ProgrammeDeps } from './programme';
import { createSamplingActivities } from './sampling';
import { createPlanCheckActivities } from './servable';
import { createStatsActivities } from './stats';
import { createWordingActivities } from './wording';

export interface ActivityDeps extends ProgrammeDeps {
  /** Where rendered letters go (`<archiveDir>/<caseId>/…`); the templates come with each input, from its plan. */
  documents: DocumentActivityDeps;
  /** The outbox, the durable sent-log and the worker's own SMTP settings; sender and server come with each input. */
  email: EmailDeps;
  /** A Temporal client for the document-number workflows and the inbox's visibility reads. */
  docNumbers: DocNumberDeps;
  stats?: Parameters<typeof createStatsActivities>[0];
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProgrammeActivities(deps),
    ...createSamplingActivities(),
    ...createStatsActivities(deps.stats ?? {}),
    ...createDocumentActivities(deps.documents),
    ...createEmailActivities(deps.email),
    ...createSentStatusActivities(deps.email),
    ...createPlanCheckActivities(deps.email),
    ...createWordingActivities(),
    ...createDocNumberActivities(deps.docNumbers),
    ...createInboxActivities({ client: deps.docNumbers.client }),
    ...createArchiveActivities({ archiveDir: deps.documents.archiveDir, client: deps.docNumbers.client }),
    ...createProgrammeArchiveActivities({
      archiveDir: deps.documents.archiveDir,
      client: deps.docNumbers.client,
      sentLogDir: deps.email.sentLogDir,
      ...(deps.email.sentLog ? { sentLog: deps.email.sentLog } : {}),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
