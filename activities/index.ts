/**
 * All activities, built over injected dependencies: the worker wires the real ones, tests their own.
 */
import { createArchiveActivities } from './archive';
import { createClockActivities, type ClockDeps } from './clock';
import { archiveIn, archiveStore } from './archive-store';
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
import { LocalDiskStore } from './storage/local';
import type { ObjectStore } from './storage/object-store';
import { withPrefix } from './storage/prefixed';
import { createWordingActivities } from './wording';

export interface ActivityDeps extends ProgrammeDeps {
  /**
   * The process's object store (`storeFromConfig(config)`, activities/storage): the letters and the
   * archive under its `archive/`, and with a bucket the outbox copies under `outbox/`, so workers
   * on several hosts share them. Absent: `documents.archiveDir` and `email.outboxDir` on this host.
   */
  store?: ObjectStore;
  /** Where rendered letters go (`<caseId>/…` in the archive) unless `store`; the templates come with each input, from its plan. */
  documents: DocumentActivityDeps;
  /** The outbox, the durable sent-log and the worker's own SMTP settings; sender and server come with each input. */
  email: EmailDeps;
  /** A Temporal client for the document-number workflows and the inbox's visibility reads. */
  docNumbers: DocNumberDeps;
  stats?: Parameters<typeof createStatsActivities>[0];
  /** Where `readClock` reads the time (tests on the time-skipping server); the wall clock by default. */
  clock?: ClockDeps;
}

export function createActivities(deps: ActivityDeps) {
  const at = deps.store ? archiveIn(deps.store) : (deps.documents.archive ?? deps.documents.archiveDir);
  if (at === undefined) throw new Error('未配置归档存储（store 或 documents.archiveDir）');
  const archive = archiveStore(at);
  // On the local store the outbox stays the folder it always was (GUIDANCE_OUTBOX_DIR).
  const outbox =
    deps.store && !(deps.store instanceof LocalDiskStore) ? withPrefix(deps.store, 'outbox') : deps.email.outbox;
  const email = { ...deps.email, archive: deps.email.archive ?? archive, ...(outbox ? { outbox } : {}) };
  return {
    ...createProgrammeActivities(deps),
    ...createSamplingActivities(),
    ...createClockActivities(deps.clock),
    ...createStatsActivities(deps.stats ?? {}),
    ...createDocumentActivities({ archive }),
    ...createEmailActivities(email),
    ...createSentStatusActivities(email),
    ...createPlanCheckActivities(email),
    ...createWordingActivities(),
    ...createDocNumberActivities(deps.docNumbers),
    ...createInboxActivities({ client: deps.docNumbers.client }),
    ...createArchiveActivities({ archive, client: deps.docNumbers.client }),
    ...createProgrammeArchiveActivities({
      archiveDir: archive,
      client: deps.docNumbers.client,
      sentLogDir: deps.email.sentLogDir,
      ...(deps.email.sentLog ? { sentLog: deps.email.sentLog } : {}),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
