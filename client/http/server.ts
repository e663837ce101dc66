/**
 * The HTTP API and web dashboard (Fastify). Every route authenticates the caller, checks the role
 * and the county scope, validates its input with the shared zod schemas, and then calls the same
 * operations as the CLI (client/programme.ts, client/visit.ts), so the workflows' validators have
 * the last word. Downloads are found through the workflow state, never from a path in the request.
 * A closed or cancelled case that Temporal no longer keeps (namespace retention) is read from its
 * archive (`<archiveDir>/<caseId>/case.json`): the board, the case, its documents and files stay.
 */
import { SERIES_LABEL, numberRegister } from '../numbers';
import { RetryArgs } from '../../workflows/contracts/incidents';
import { CorrectRosterArgs } from '../../workflows/contracts/roster';
import { CorrectCountyEmailsArgs } from '../../workflows/contracts/county-emails';
import type { StatsRulesInput } from '../../workflows/shared/stats';
import type { Plan } from '../../workflows/shared/plan';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { EvidenceStore } from '../../activities/evidence/store';
import { CHECKLIST } from '../../workflows/shared/checklist';
import { visitWorkflowId, type Role } from '../../workflows/contracts/common';
import { FindingResult, RUNG_LABEL, STAGE_LABEL } from '../../workflows/shared/labels';
import {
  DecisionArgs,
  EVIDENCE_MAX_BYTES,
  ReturnArgs,
  SetEnterpriseResultBody,
  SetFindingArgs,
  AddEvidenceArgs,
  type VisitUpdateResult,
} from '../../workflows/contracts/visit-onsite';
import {
  ExtendDueArgs,
  ItemStatus,
  RecordReinspectionArgs,
  ReviewReportArgs,
  SubmitReportArgs,
} from '../../workflows/contracts/visit-rectification';
import { actorOf, type UserRecord, type Users } from '../users';
import { UserError, retryProgramme } from '../programme';
import { nameBook } from '../names';
import { readCase, type CaseRecord } from '../record';
import { visitOps, type VisitRef } from '../visit';
import type { LoginLimits, TrustProxy } from '../../config/env';
import { authenticate, isStaff, requireCounty, requireRole } from './auth';
import { badRequest, errorHandler, forbidden, HttpError, notFound, unauthorized } from './errors';
import { publicUser, registerLogin } from './login';
import { SessionStore } from './sessions';
import { receiveUpload, releaseFiles, type Upload } from './uploads';
import { UsersFileWatcher } from './users-file';
import { buildBoard, countyView, documentsOf, filesOf, overdueRows, staffView } from './views';
import { registerProgrammeRoutes } from './routes-programme';
import { caseClock, onCaseClock } from './case-clock';
import { registerInboxRoutes } from './routes-inbox';
import { registerModeRoute, type PracticeMode } from './practice';

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
  /** The evidence store's directory (shared with the CLI and workers). */
  evidenceDir: string;
  /** The letter archive (`<archiveDir>/<caseId>/<documentId>.pdf`), shared with the workers. */
  archiveDir: string;
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
}

const YearParam = z.coerce
  .number({ error: '年度不正确' })
  .int('年度不正确')
  .min(2000, '年度不正确')
  .max(2100, '年度不正确');
const CountyParam = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, '县区代码不正确');
const DocumentIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, '文书编号不正确');
const ShaParam = z.string().regex(/^[0-9a-f]{64}$/, '文件编号应为 64 位十六进制 sha256');

const MAX_REPORT_FILES = 10;

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  return schema.parse(value ?? {});
}

/** `attachment; filename=…` with the Chinese name for browsers (RFC 6266 / 5987) and an ASCII fallback. */
function disposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** A hop count as the function fastify itself makes of one (its types take no number). */
function fastifyTrustProxy(
  t: TrustProxy | undefined,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_address, hop) => hop < t;
  return t ?? false;
}

/** Builds the Fastify app (not listening). */
export async function createServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { client, config, users } = deps;
  const maxUploadBytes = config.maxUploadBytes ?? EVIDENCE_MAX_BYTES;
  const maxUploadMb = Math.round((maxUploadBytes / 1024 / 1024) * 10) / 10;
  const secure = Boolean(config.secureCookies);
  const store = new EvidenceStore({ dir: deps.evidenceDir, maxBytes: maxUploadBytes });
  const archiveDir = path.resolve(deps.archiveDir);
  const uiBase = deps.uiUrl?.replace(/\/+$/, '');
  const workflowLink = (workflowId: string) =>
    uiBase
      ? `${uiBase}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`
      : undefined;

  const app = Fastify({
    logger: { level: config.logLevel ?? 'warn' },
    // JSON bodies are small; files go through multipart with their own limit.
    bodyLimit: 256 * 1024,
    trustProxy: fastifyTrustProxy(config.trustProxy),
  });
  app.setErrorHandler(errorHandler(maxUploadMb));
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send({ error: { type: 'NotFound', message: '没有找到' } }),
  );

  await app.register(cookie, { secret: config.sessionSecret ?? randomBytes(32).toString('hex') });
  await app.register(multipart, {
    limits: {
      fileSize: maxUploadBytes,
      files: MAX_REPORT_FILES,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: 40,
      headerPairs: 100,
    },
    throwFileSizeLimit: true,
  });
  await app.register(fastifyStatic, {
    root: path.join(__dirname, 'public'),
    prefix: '/',
    index: ['index.html'],
    dotfiles: 'deny',
    cacheControl: false,
  });

  // A user removed from the users file or given a new password loses their sessions at once.
  const sessions = new SessionStore();
  const stopRevoking = users.onChange(() => sessions.revokeStale(users));
  const usersFile = deps.usersFile
    ? new UsersFileWatcher({
        file: deps.usersFile.path,
        users,
        counties: deps.usersFile.counties,
        host: deps.usersFile.host,
        log: app.log,
      }).watch()
    : undefined;
  app.addHook('onClose', async () => {
    stopRevoking();
    usersFile?.close();
  });

  app.decorateRequest('user', null);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  // Every /api route but login needs a user. A request from another site's page is refused even
  // before SameSite=Strict would keep the cookie from it.
  app.addHook('preHandler', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const origin = request.headers.origin;
      if (origin !== undefined) {
        let host: string | undefined;
        try {
          host = new URL(origin).host;
        } catch {
          host = undefined;
        }
        if (host !== request.headers.host) throw forbidden('跨站请求被拒绝');
      }
    }
    if (request.url === '/api/login' || request.url.startsWith('/api/login?')) return;
    // The emailed receipt link carries its own credential (a signed token): routes-inbox.ts.
    if (request.url === '/api/receipt' || request.url.startsWith('/api/receipt?')) return;
    // Practice mode or not: shown on the login page too.
    if (request.method === 'GET' && (request.url === '/api/mode' || request.url.startsWith('/api/mode?'))) return;
    request.user = authenticate(request, users, sessions);
  });

  await registerLogin(app, { users, sessions, secure, limits: config.login, usersFile });

  const userOf = (request: FastifyRequest): UserRecord => {
    if (!request.user) throw unauthorized();
    return request.user;
  };

  /**
   * The case for reading, from Temporal or else its archive. An archive that cannot vouch for the
   * case (incomplete, case.json unlike its manifest) is a server fault, as an altered PDF is.
   */
  const readCaseOf = async (ref: VisitRef): Promise<CaseRecord> => {
    try {
      // Its recorded instants on the case's clock (a practice year's simulated days): case-clock.ts.
      const r = await readCase(client, ref, archiveDir);
      return { ...r, case: onCaseClock(r.case, config.practice) };
    } catch (err) {
      if (err instanceof UserError && err.type === 'IntegrityError')
        throw new HttpError(500, 'IntegrityError', err.message);
      throw err;
    }
  };
  /** Marks what was read from the archive (no link to a workflow that is gone). */
  const fromArchive = (r: CaseRecord) =>
    r.source === 'archive' ? { source: 'archive' as const, archive: r.archive } : { source: 'temporal' as const };

  /** Checks role and county scope, then resolves the case reference. */
  const caseRef = (request: FastifyRequest, ...roles: Role[]): { user: UserRecord; ref: VisitRef } => {
    const user = userOf(request);
    requireRole(user, ...roles);
    const params = request.params as { year?: string; county?: string };
    const county = parse(CountyParam, params.county);
    requireCounty(user, county);
    return { user, ref: { year: parse(YearParam, params.year), bureau: config.bureau, county } };
  };

  registerModeRoute(app, config.practice);

  // ---- session ----------------------------------------------------------------------------------
  app.get('/api/me', async (request) => {
    const user = userOf(request);
    return {
      user: publicUser(user),
      bureau: config.bureau,
      year: config.year,
      refreshSeconds: config.refreshSeconds ?? 12,
      maxUploadMb,
      temporalUi:
        isStaff(user) && uiBase ? `${uiBase}/namespaces/${encodeURIComponent(config.namespace)}/workflows` : undefined,
    };
  });
  /** The vocabulary the dashboard needs (checklist, stages, rungs, finding results, item statuses), from the shared modules. */
  app.get('/api/meta', async () => ({
    checklist: CHECKLIST.map((s) => ({ title: s.title, items: s.items.map((i) => ({ key: i.key, label: i.title })) })),
    stages: STAGE_LABEL,
    rungs: RUNG_LABEL,
    itemStatuses: ItemStatus.options,
    findingResults: FindingResult.options,
  }));

  // ---- board, overdue list --------------------------------------------------------------------
  app.get('/api/years/:year/board', async (request) => {
    const user = userOf(request);
    requireRole(user, 'admin', 'supervisor', 'leader');
    const year = parse(YearParam, (request.params as { year: string }).year);
    const board = await buildBoard(client, year, config.bureau, archiveDir);
    return {
      ...board,
      rows: board.rows.map((r) => ({
        ...r,
        temporalUi: r.source === 'archive' ? undefined : workflowLink(r.visitWorkflowId),
      })),
    };
  });
  // The number register (发文登记): every number of the year, issued or voided with its reason.
  app.get('/api/years/:year/numbers', async (request) => {
    requireRole(userOf(request), 'admin');
    const year = parse(YearParam, (request.params as { year: string }).year);
    // A series Temporal no longer keeps comes from the programme's archive (its rows marked so).
    const rows = await numberRegister(client, year, config.bureau, archiveDir);
    return {
      rows,
      series: SERIES_LABEL,
      ...(rows.some((r) => r.source === 'archive') ? { source: 'archive' as const } : {}),
    };
  });
  // A programme incident (bulletin, digest, calendar) retried after its cause is fixed.
  app.post('/api/years/:year/programme/retry', async (request) => {
    const user = userOf(request);
    requireRole(user, 'admin');
    const year = parse(YearParam, (request.params as { year: string }).year);
    const body = parse(RetryArgs.omit({ actor: true }), request.body ?? {});
    return { result: await retryProgramme(client, year, config.bureau, { ...body, actor: actorOf(user) }) };
  });
  app.get('/api/years/:year/overdue', async (request) => {
    const user = userOf(request);
    requireRole(user, 'admin', 'supervisor', 'leader');
    const year = parse(YearParam, (request.params as { year: string }).year);
    const board = await buildBoard(client, year, config.bureau, archiveDir);
    return { year, today: board.today, rows: overdueRows(board) };
  });
  /** A county's own cases (the county's start page); staff get every county's. */
  app.get('/api/years/:year/cases', async (request) => {
    const user = userOf(request);
    const year = parse(YearParam, (request.params as { year: string }).year);
    if (user.role !== 'county') {
      const board = await buildBoard(client, year, config.bureau, archiveDir);
      return { rows: board.rows };
    }
    const r = await readCaseOf({ year, bureau: config.bureau, county: user.county! });
    const c = r.case;
    return {
      rows: [
        {
          county: c.county,
          countyName: c.countyName,
          date: c.date,
          stage: c.stage,
          stageLabel: STAGE_LABEL[c.stage],
          ...(r.source === 'archive' ? { source: r.source } : {}),
        },
      ],
    };
  });

  // ---- one case ---------------------------------------------------------------------------------
  app.get('/api/years/:year/cases/:county', async (request) => {
    const { user, ref } = caseRef(request, 'admin', 'supervisor', 'leader', 'county');
    const r = await readCaseOf(ref);
    const c = r.case;
    // People by name: the plan's, then the users file's (read now: the file may have been reloaded).
    const book = nameBook({ plan: deps.plan, users: users.records });
    return isStaff(user)
      ? {
          ...staffView(c, { temporalUi: r.source === 'archive' ? undefined : workflowLink(c.caseId) }, book),
          ...fromArchive(r),
        }
      : { ...countyView(c, book), ...fromArchive(r) };
  });

  app.get('/api/years/:year/cases/:county/documents/:documentId', async (request, reply) => {
    const { user, ref } = caseRef(request, 'admin', 'supervisor', 'leader', 'county');
    const documentId = parse(DocumentIdParam, (request.params as { documentId: string }).documentId);
    const c = (await readCaseOf(ref)).case;
    const d = documentsOf(c).find((x) => x.documentId === documentId && (isStaff(user) || x.county));
    if (!d) throw notFound('没有找到该文书');
    const file = path.resolve(archiveDir, c.caseId, `${d.documentId}.pdf`);
    if (path.relative(archiveDir, file).startsWith('..')) throw notFound('没有找到该文书');
    const bytes = await fs.readFile(file).catch(() => {
      throw notFound('文书文件不在归档目录中，请联系管理员');
    });
    if (createHash('sha256').update(bytes).digest('hex') !== d.sha256) {
      request.log.error({ documentId, caseId: c.caseId }, 'archived document does not match its recorded sha256');
      throw new HttpError(500, 'IntegrityError', '文书文件与登记的校验值不符，已停止下载，请联系管理员');
    }
    return sendFile(reply, bytes, 'application/pdf', `${d.docNumber ? `${d.docNumber}-` : ''}${d.title}.pdf`);
  });

  app.get('/api/years/:year/cases/:county/files/:sha256', async (request, reply) => {
    const { user, ref } = caseRef(request, 'admin', 'supervisor', 'leader', 'county');
    const sha256 = parse(ShaParam, (request.params as { sha256: string }).sha256);
    const c = (await readCaseOf(ref)).case;
    const f = filesOf(c).find((x) => x.sha256 === sha256 && (isStaff(user) || x.county));
    if (!f) throw notFound('没有找到该文件');
    if (!(await store.has(sha256))) throw notFound('文件不在证据库中，请联系管理员');
    if (!(await store.verify(sha256)))
      throw new HttpError(500, 'IntegrityError', '文件与登记的校验值不符，已停止下载，请联系管理员');
    reply.header('Content-Disposition', disposition(f.filename));
    reply.header('Content-Length', String(f.size));
    return reply.type(f.mediaType).send(createReadStream(store.pathOf(sha256)));
  });

  // ---- visit actions (the same validated Updates as the CLI) ---------------------------------
  // An upload's files are pinned in the store for its case. Refused before the Update is sent, the
  // pins are released here; after that client/visit.ts settles them by the Update's outcome, so a
  // file a case may point at is never removed (a lost reply, a concurrent identical upload).
  const prepare = async <A>(upload: Upload, build: () => A): Promise<A> => {
    try {
      return build();
    } catch (err) {
      await releaseFiles(store, upload.files);
      throw err;
    }
  };
  const caseIdOf = (ref: VisitRef) => visitWorkflowId(ref.year, ref.bureau, ref.county);

  const EvidenceFields = AddEvidenceArgs.pick({ item: true, enterprise: true, note: true });
  app.post('/api/years/:year/cases/:county/evidence', async (request) => {
    const { user, ref } = caseRef(request, 'supervisor');
    await visitOps.get(client, ref); // 404 before anything is stored
    const upload = await receiveUpload(request, store, { maxFiles: 1, caseId: caseIdOf(ref) });
    const [file, args] = await prepare(upload, () => {
      const f = upload.files[0];
      if (!f) throw badRequest('请选择要上传的文件');
      const fields = parse(EvidenceFields, {
        item: upload.fields.item,
        enterprise: upload.fields.enterprise || undefined,
        note: upload.fields.note || undefined,
      });
      return [
        f,
        {
          actor: actorOf(user),
          sha256: f.sha256,
          size: f.size,
          mediaType: f.mediaType,
          filename: f.filename,
          ...fields,
        },
      ] as const;
    });
    const added = await visitOps.addEvidence(client, ref, args, { store, files: upload.files });
    // The workflow answers with the evidence's id only; the file's own fields are the upload's.
    return {
      result: {
        ...summary(added),
        filename: args.filename,
        sha256: args.sha256,
        size: args.size,
        mediaType: args.mediaType,
      },
      deduplicated: file.deduplicated,
    };
  });

  const action = <S extends z.ZodType, R>(
    route: string,
    roles: Role[],
    schema: S,
    run: (ref: VisitRef, args: any) => Promise<R>,
  ) => {
    app.post(`/api/years/:year/cases/:county/${route}`, async (request) => {
      const { user, ref } = caseRef(request, ...roles);
      const body = parse(schema, request.body) as Record<string, unknown>;
      const result = await run(ref, { ...body, actor: actorOf(user) });
      return { result };
    });
  };
  action('findings', ['supervisor'], SetFindingArgs.omit({ actor: true }), (ref, args) =>
    visitOps.setFinding(client, ref, args).then(summary),
  );
  action('enterprises', ['supervisor'], SetEnterpriseResultBody, (ref, args) =>
    visitOps.setEnterpriseResult(client, ref, args).then(summary),
  );
  action('submit', ['supervisor'], z.object({}), (ref, args) => visitOps.submit(client, ref, args).then(summary));
  action('approve', ['leader'], DecisionArgs.omit({ actor: true }), (ref, args) =>
    visitOps.approve(client, ref, args).then(summary),
  );
  action('return', ['leader'], ReturnArgs.omit({ actor: true }), (ref, args) =>
    visitOps.return(client, ref, args).then(summary),
  );
  action('review', ['supervisor'], ReviewReportArgs.omit({ actor: true }), (ref, args) =>
    visitOps.reviewReport(client, ref, args).then(summary),
  );
  action('extend', ['supervisor'], ExtendDueArgs.omit({ actor: true }), (ref, args) =>
    visitOps.extendDue(client, ref, args).then(summary),
  );
  action('retry', ['admin'], RetryArgs.omit({ actor: true }), (ref, args) => visitOps.retry(client, ref, args));
  action('roster', ['admin', 'supervisor'], CorrectRosterArgs.omit({ actor: true }), (ref, args) =>
    visitOps.correctRoster(client, ref, args),
  );
  action('emails', ['admin', 'supervisor'], CorrectCountyEmailsArgs.omit({ actor: true }), (ref, args) =>
    visitOps.correctCountyEmails(client, ref, args),
  );
  action('reinspection', ['supervisor'], RecordReinspectionArgs.omit({ actor: true }), (ref, args) =>
    visitOps.recordReinspection(client, ref, args).then(summary),
  );

  registerProgrammeRoutes(app, {
    client,
    bureau: config.bureau,
    archiveDir,
    statsRules: deps.statsRules,
    names: () => nameBook({ plan: deps.plan, users: users.records }),
  });
  registerInboxRoutes(app, {
    client,
    bureau: config.bureau,
    receiptKey: deps.receiptKey,
    today: () => caseClock(config.practice).today(Date.now()),
  });

  /** The county's rectification report (整改报告): files plus a status per problem. */
  const ReportFields = SubmitReportArgs.pick({ items: true, note: true });
  app.post('/api/years/:year/cases/:county/report', async (request) => {
    const { user, ref } = caseRef(request, 'county', 'supervisor');
    await visitOps.get(client, ref);
    const upload = await receiveUpload(request, store, { maxFiles: MAX_REPORT_FILES, caseId: caseIdOf(ref) });
    const args = await prepare(upload, () => {
      if (upload.files.length === 0) throw badRequest('整改报告至少附一个文件');
      let items: unknown;
      try {
        items = JSON.parse(upload.fields.items ?? '[]');
      } catch {
        throw badRequest('整改情况（items）应为 JSON 数组');
      }
      const fields = parse(ReportFields, { items, note: upload.fields.note || undefined });
      const files = upload.files.map((f) => ({
        sha256: f.sha256,
        size: f.size,
        mediaType: f.mediaType,
        filename: f.filename,
      }));
      return { actor: actorOf(user), files, ...fields };
    });
    const report = await visitOps.submitReport(client, ref, args, { store, files: upload.files });
    return { result: summary(report) };
  });

  return app;
}

/** A visit Update's short answer (VisitUpdateResult), with its stage's name for people. */
function summary<R extends VisitUpdateResult>(r: R): R & { stageLabel: string } {
  return { ...r, stageLabel: STAGE_LABEL[r.stage] };
}

function sendFile(reply: FastifyReply, bytes: Buffer, type: string, filename: string) {
  reply.header('Content-Disposition', disposition(filename));
  return reply.type(type).send(bytes);
}

/** Builds the app and listens (127.0.0.1 unless told otherwise); `url` is where it answers. */
export async function startHttpServer(
  deps: HttpDeps,
  listen: { host?: string; port?: number } = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createServer(deps);
  const host = listen.host ?? '127.0.0.1';
  await app.listen({ host, port: listen.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
