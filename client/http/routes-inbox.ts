/**
 * The inbox and receipts on the HTTP API:
 * - GET  /api/todo                                   — the caller's 待办, most urgent first (client/todo.ts);
 * - POST /api/years/:year/cases/:county/acknowledge  — 签收 in the county's portal, or recorded by staff;
 * - GET  /api/receipt?token=…, POST /api/receipt {token, signer} — the emailed link: no login, the
 *   signed token is the credential (too long for a path parameter); it names one receipt of one case and expires. GET only shows what is
 *   to be signed (mail scanners open links), POST with the signer's name acknowledges; the case
 *   refuses a second acknowledgement, so the link works once.
 * - POST /api/years/:year/calendar                  — the official holidays of a year (the calendar file's
 *   fields as JSON: year, source, holidays, workdays), applied to the running programme and visits
 *   (administrators; client/calendar.ts).
 * Registered by one line in server.ts; its preHandler lets /api/receipt through without a session.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkReceiptToken } from '../../activities/email/receipt-link';
import { chinaDay } from '../../workflows/shared/clock';
import { DOCUMENT_KIND_NAMES } from '../../workflows/shared/labels';
import { Code } from '../../workflows/shared/plan';
import { AcknowledgeArgs } from '../../workflows/contracts/receipts';
import { TODO_KIND_LABEL } from '../../workflows/shared/todo';
import { CalendarFileSchema, applyCalendar, snapshotFromFile } from '../calendar';
import { UserError } from '../programme';
import { todoFor } from '../todo';
import { actorOf, type UserRecord } from '../users';
import { visitOps, type VisitRef } from '../visit';
import { requireCounty, requireRole } from './auth';
import { HttpError, badRequest, unauthorized } from './errors';

export interface InboxRoutesDeps {
  client: Client;
  bureau: string;
  /** Checks receipt links; without it the link routes answer 404 (links are not signed either). */
  receiptKey?: Buffer;
  /** Today on the cases' clock (a practice year's simulated date), for a link's expiry; China's date by default. */
  today?: () => string;
}

const YearParam = z.coerce
  .number({ error: '年度不正确' })
  .int('年度不正确')
  .min(2000, '年度不正确')
  .max(2100, '年度不正确');
const CountyParam = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, '县区代码不正确');
const TokenParam = z.string().min(1, '缺少签收链接').max(4000, '签收链接无效');

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw badRequest(
      r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}：${i.message}` : i.message)).join('；'),
    );
  return r.data;
}

/** Today in China (UTC+8), the date a link's expiry is read against. */
const chinaToday = () => chinaDay(Date.now());

/**
 * `visit-<year>-<bureau>-<county>` back to its parts, for a case named by a token. Both codes may
 * hold hyphens (plan.ts `Code`), so the id is not split on them: the server knows its bureau, and
 * what follows `visit-<year>-<bureau>-` must be a whole county code.
 */
export function receiptCaseRef(caseId: string, bureau: string): VisitRef | undefined {
  const m = /^visit-(\d{4})-/.exec(caseId);
  if (!m || !caseId.startsWith(`${m[0]}${bureau}-`)) return undefined;
  const county = caseId.slice(m[0].length + bureau.length + 1);
  if (!Code.safeParse(county).success) return undefined;
  return { year: Number(m[1]), bureau, county };
}

export function registerInboxRoutes(app: FastifyInstance, deps: InboxRoutesDeps): void {
  const { client, bureau } = deps;
  const userOf = (request: FastifyRequest): UserRecord => {
    if (!request.user) throw unauthorized();
    return request.user;
  };

  app.get('/api/todo', async (request) => {
    const user = userOf(request);
    const q = request.query as { year?: string };
    const year = q.year === undefined ? undefined : parse(YearParam, q.year);
    // Each item with its kind's label, so the dashboard keeps no copy of the vocabulary.
    return {
      items: (await todoFor(client, bureau, user, { year })).map((i) => ({ ...i, kindLabel: TODO_KIND_LABEL[i.kind] })),
    };
  });

  const AckBody = AcknowledgeArgs.pick({ receipt: true, signer: true });
  app.post('/api/years/:year/cases/:county/acknowledge', async (request) => {
    const user = userOf(request);
    requireRole(user, 'county', 'supervisor', 'admin');
    const params = request.params as { year?: string; county?: string };
    const ref: VisitRef = { year: parse(YearParam, params.year), bureau, county: parse(CountyParam, params.county) };
    requireCounty(user, ref.county);
    const body = parse(AckBody, request.body);
    const receipt = await visitOps.acknowledge(client, ref, {
      ...body,
      actor: actorOf(user),
      via: user.role === 'county' ? 'portal' : 'staff',
    });
    return { result: receipt };
  });

  app.post('/api/years/:year/calendar', async (request) => {
    const user = userOf(request);
    requireRole(user, 'admin');
    const year = parse(YearParam, (request.params as { year?: string }).year);
    const file = parse(CalendarFileSchema, request.body);
    if (file.year !== year) throw badRequest(`日历是 ${file.year} 年的，不是 ${year} 年`);
    return {
      result: await applyCalendar(client, bureau, actorOf(user), {
        snapshot: snapshotFromFile(file),
        source: file.source,
      }),
    };
  });

  /** The token's receipt, or the HTTP error a person reads. */
  const fromToken = (token: string) => {
    if (!deps.receiptKey) throw new HttpError(404, 'NotFound', '本系统未启用签收链接，请登录县区门户签收');
    const check = checkReceiptToken(deps.receiptKey, parse(TokenParam, token), (deps.today ?? chinaToday)());
    if (!check.ok && check.reason === 'expired')
      throw new HttpError(410, 'Expired', `签收链接已过期（有效期至 ${check.ref!.expires}），请登录县区门户签收`);
    const ref = check.ok ? receiptCaseRef(check.ref.caseId, bureau) : undefined;
    if (!check.ok || !ref)
      throw new HttpError(400, 'InvalidInput', '签收链接无效，请核对邮件中的链接或登录县区门户签收');
    return { ref, receiptId: check.ref.receipt, expires: check.ref.expires };
  };

  app.get('/api/receipt', async (request) => {
    const { ref, receiptId, expires } = fromToken(String((request.query as { token?: string }).token ?? ''));
    const c = await visitOps.get(client, ref);
    const r = (c.receipts ?? []).find((x) => x.id === receiptId);
    if (!r) throw new HttpError(404, 'NotFound', '没有找到该签收事项');
    return {
      caseId: c.caseId,
      county: c.countyName,
      receipt: r.id,
      title: r.title || DOCUMENT_KIND_NAMES[r.kind],
      docNumber: r.docNumber,
      sentAt: r.sentAt,
      // The case's own 签收期限, the date the mail asked for; the link may stay valid longer.
      dueBy: r.dueBy,
      expires,
      acknowledged: r.acknowledged
        ? { signer: r.acknowledged.signer, date: r.acknowledged.date, via: r.acknowledged.via }
        : undefined,
    };
  });

  const LinkBody = AcknowledgeArgs.pick({ signer: true }).extend({ token: z.string({ error: '缺少签收链接' }) });
  app.post('/api/receipt', async (request) => {
    const { token, signer } = parse(LinkBody, request.body);
    const { ref, receiptId } = fromToken(token);
    try {
      const receipt = await visitOps.acknowledge(client, ref, {
        actor: { id: `link:${ref.county}`, role: 'county', county: ref.county },
        receipt: receiptId,
        signer,
        via: 'link',
      });
      return {
        result: {
          receipt: receipt.id,
          title: receipt.title,
          docNumber: receipt.docNumber,
          acknowledged: receipt.acknowledged,
        },
      };
    } catch (err) {
      // A second use of the link: the case says when it was signed and by whom.
      if (err instanceof UserError && err.type === 'InvalidState') throw new HttpError(409, 'AlreadyUsed', err.message);
      throw err;
    }
  });
}
