/**
 * What the API's resource plugins share (client/http/routes/*.ts), built once by server.ts: the
 * Temporal client, the configuration, the users and sessions, the evidence store, and the few
 * helpers more than one resource needs — reading a case (from Temporal or else its archive, on the
 * case's clock), the county scope of a case, people by name, links to the Temporal Web UI.
 */
import type { Client } from '@temporalio/client';
import path from 'node:path';
import { EvidenceStore } from '../../activities/evidence/store';
import type { ObjectStore } from '../../activities/storage/object-store';
import { archiveIn, archiveStore } from '../../activities/archive-store';
import type { LoginLimits, TrustProxy } from '../../config/env';
import type { Plan } from '../../workflows/shared/plan';
import type { StatsRulesInput } from '../../workflows/shared/stats';
import { EVIDENCE_MAX_BYTES } from '../../workflows/contracts/visit-onsite';
import { visitWorkflowId } from '../../workflows/contracts/common';
import type { VisitCase } from '../../workflows/contracts/visit';
import { CaseReads } from '../case-reads';
import { nameBook, type NameBook } from '../names';
import { UserError } from '../programme';
import { readCase, type CaseRecord } from '../record';
import type { UserRecord, Users } from '../users';
import type { VisitRef } from '../visit';
import { requireCounty } from './auth';
import { caseClock, onCaseClock } from './case-clock';
import { HttpError } from './errors';
import type { PracticeMode } from './practice';
import type { Pool } from 'pg';
import type { SessionTable } from './sessions';
import type { UsersFileWatcher } from './users-file';

export interface HttpConfig {
  /** Temporal namespace (for links to the Web UI). */
  namespace: string;
  /** The bureau whose programmes this server shows (`plan.bureau.code`). */
  bureau: string;
  /** The year the dashboard opens on. */
  year: number;
  /** Secret for signing session cookies (≥ 32 characters); a random one per process when absent. */
  sessionSecret?: string;
  /** Mark cookies Secure (serve behind HTTPS). */
  secureCookies?: boolean;
  /** Largest file accepted; default 20 MB (the evidence store's limit). */
  maxUploadBytes?: number;
  /** Board refresh interval in the browser, seconds; default 12. */
  refreshSeconds?: number;
  /** Fastify log level; default 'warn'. */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * Reverse proxies whose X-Forwarded-For is believed (fastify's `trustProxy`; config/env.ts
   * GUIDANCE_HTTP_TRUST_PROXY), so `request.ip`, which the login limits count by, is the client's. Default off.
   */
  trustProxy?: TrustProxy;
  /** Throttling of logins (config/env.ts `http.login`); unset fields take the defaults of login.ts. */
  login?: Partial<LoginLimits>;
  /** Set by `guidance sandbox`: the dashboard says 演练模式 and shows the simulated date. */
  practice?: PracticeMode;
}

export interface HttpDeps {
  client: Client;
  config: HttpConfig;
  users: Users;
  /** The evidence store's directory (shared with the CLI and workers), unless `evidenceObjects`. */
  evidenceDir: string;
  /**
   * The process's object store (`storeFromConfig`): the evidence under its `evidence/`, shared by
   * every dashboard and CLI of a cluster. Absent: `evidenceDir` on this host.
   */
  evidenceObjects?: ObjectStore;
  /** The letter archive (`<archiveDir>/<caseId>/<documentId>.pdf`), shared with the workers, unless `archiveObjects`. */
  archiveDir: string;
  /**
   * The process's object store (`storeFromConfig`): the archive under its `archive/`, where the
   * workers of a cluster write it. Absent: `archiveDir` on this host.
   */
  archiveObjects?: ObjectStore;
  /** Base URL of the Temporal Web UI, e.g. http://localhost:8233; absent: no links. */
  uiUrl?: string;
  /** The plan: its people and counties by name on the timeline (the users file's names otherwise). */
  plan?: Pick<Plan, 'supervisors' | 'approval' | 'admins' | 'counties'>;
  /** The plan's `statistics` thresholds, for statistics imported over HTTP; defaults when absent. */
  statsRules?: StatsRulesInput;
  /** Checks the signed receipt links in letters' emails (activities/email/receipt-link.ts); absent: links refused. */
  receiptKey?: Buffer;
  /**
   * The file `users` was loaded from: watched and reloaded on change, and reloadable by an
   * administrator. `host` is where the server listens (the example users only on loopback).
   */
  usersFile?: { path: string; counties?: readonly string[]; host: string };
  /**
   * The database every dashboard process shares (GUIDANCE_DATABASE_URL, config/database.ts):
   * sessions and login throttling live there (sessions-pg.ts, throttle-pg.ts). Absent: in this
   * process's memory, as for one dashboard. The caller opens and ends the pool.
   */
  database?: Pool;
  /**
   * How long a case page's query may take before the page gets the last answer, marked with its
   * time (client/case-reads.ts); 800 ms when absent.
   */
  caseReadBudgetMs?: number;
}

/** The options every resource plugin gets. */
export interface ApiContext {
  client: Client;
  config: HttpConfig;
  /** `config.bureau`. */
  bureau: string;
  users: Users;
  sessions: SessionTable;
  store: EvidenceStore;
  /** The letter archive (activities/archive-store.ts): keys `<caseId>/<file>`. */
  archive: ObjectStore;
  maxUploadBytes: number;
  maxUploadMb: number;
  /** Cookies marked Secure. */
  secure: boolean;
  deps: HttpDeps;
  usersFile?: UsersFileWatcher;
  /** The Web UI's list of workflows, for staff; undefined without a UI. */
  temporalUi?: string;
  /** The Web UI's page of one workflow; undefined without a UI. */
  workflowLink(workflowId: string): string | undefined;
  /** People and counties by name: the plan's, then the users file's (read now: it may have been reloaded). */
  names(): NameBook;
  /** Today on the cases' clock (a practice year's simulated date). */
  today(): string;
  /**
   * The case for reading, from Temporal or else its archive, its instants on the case's clock. An
   * archive that cannot vouch for the case (incomplete, case.json unlike its manifest) is a server
   * fault, as an altered PDF is.
   */
  readCase(ref: VisitRef): Promise<CaseRecord>;
  /** The people's case reads of this process (the board's rows read through them too). */
  caseReads: CaseReads<VisitCase>;
  /** A person changed the case `ref` (an Update answered): the next read waits for a current answer. */
  caseChanged(ref: VisitRef): void;
  /** The case a path names, once the caller's county scope allows it (403 for another county's). */
  caseRef(user: UserRecord, params: { year: number; county: string }): VisitRef;
}

/** Builds the context of `deps`; `sessions` is the server's session table. */
export function apiContext(deps: HttpDeps, sessions: SessionTable, usersFile?: UsersFileWatcher): ApiContext {
  const { client, config } = deps;
  const maxUploadBytes = config.maxUploadBytes ?? EVIDENCE_MAX_BYTES;
  const archive = deps.archiveObjects ? archiveIn(deps.archiveObjects) : archiveStore(path.resolve(deps.archiveDir));
  const caseReads = new CaseReads<VisitCase>({ budgetMs: deps.caseReadBudgetMs });
  const uiBase = deps.uiUrl?.replace(/\/+$/, '');
  const workflows = uiBase ? `${uiBase}/namespaces/${encodeURIComponent(config.namespace)}/workflows` : undefined;
  return {
    client,
    config,
    bureau: config.bureau,
    users: deps.users,
    sessions,
    store: new EvidenceStore({
      ...(deps.evidenceObjects ? { objects: deps.evidenceObjects } : { dir: deps.evidenceDir }),
      maxBytes: maxUploadBytes,
    }),
    archive,
    maxUploadBytes,
    maxUploadMb: Math.round((maxUploadBytes / 1024 / 1024) * 10) / 10,
    secure: Boolean(config.secureCookies),
    deps,
    usersFile,
    temporalUi: workflows,
    workflowLink: (id) => (workflows ? `${workflows}/${encodeURIComponent(id)}` : undefined),
    names: () => nameBook({ plan: deps.plan, users: deps.users.records }),
    today: () => caseClock(config.practice).today(Date.now()),
    async readCase(ref) {
      try {
        const r = await readCase(client, ref, archive, caseReads);
        return { ...r, case: onCaseClock(r.case, config.practice) };
      } catch (err) {
        if (err instanceof UserError && err.type === 'IntegrityError')
          throw new HttpError(500, 'IntegrityError', err.message);
        throw err;
      }
    },
    caseReads,
    caseChanged: (ref) => caseReads.changed(visitWorkflowId(ref.year, ref.bureau, ref.county)),
    caseRef(user, params) {
      requireCounty(user, params.county);
      return { year: params.year, bureau: config.bureau, county: params.county };
    },
  };
}

/** Marks what was read from the archive (no link to a workflow that is gone). */
export function sourceOf(r: CaseRecord) {
  return r.source === 'archive'
    ? { source: 'archive' as const, archive: r.archive }
    : { source: 'temporal' as const, ...(r.asOf ? { asOf: r.asOf } : {}) };
}
