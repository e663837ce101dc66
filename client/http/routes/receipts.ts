/**
 * Receipts (签收): every letter that asks the county to act is signed for —
 * - POST /api/years/:year/cases/:county/acknowledge: in the county's portal, or recorded by staff;
 * - GET /api/receipt?token=…, POST /api/receipt {token, signer}: the emailed link. No login: the
 *   signed token is the credential (too long for a path parameter); it names one receipt of one
 *   case and expires. GET only shows what is to be signed (mail scanners open links), POST with the
 *   signer's name acknowledges; the case refuses a second acknowledgement, so the link works once.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkReceiptToken } from '../../../activities/email/receipt-link';
import { DOCUMENT_KIND_NAMES } from '../../../workflows/shared/labels';
import { Code } from '../../../workflows/shared/plan';
import { UserError } from '../../programme';
import { actorOf } from '../../users';
import { visitOps, type VisitRef } from '../../visit';
import { userOf } from '../access';
import {
  ACKNOWLEDGERS,
  AcknowledgeBody,
  CaseParams,
  ReceiptLinkBody,
  ReceiptLinkView,
  ReceiptQuery,
  ResultResponse,
} from '../api-schemas';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

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

export const receiptsRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { client, bureau } = ctx;

  app.post(
    '/api/years/:year/cases/:county/acknowledge',
    {
      schema: { params: CaseParams, body: AcknowledgeBody, response: { 200: ResultResponse } },
      config: { roles: ACKNOWLEDGERS, issues: 'full-width' },
    },
    async (request) => {
      const user = userOf(request);
      const receipt = await visitOps.acknowledge(client, ctx.caseRef(user, request.params), {
        ...request.body,
        actor: actorOf(user),
        via: user.role === 'county' ? 'portal' : 'staff',
      });
      return { result: receipt };
    },
  );

  /** The token's receipt, or the HTTP error a person reads (the link's key first: without it no link works). */
  const fromToken = (token: string | undefined) => {
    const key = ctx.deps.receiptKey;
    if (!key) throw new HttpError(404, 'NotFound', '本系统未启用签收链接，请登录县区门户签收');
    if (!token) throw new HttpError(400, 'InvalidInput', '缺少签收链接');
    const check = checkReceiptToken(key, token, ctx.today());
    if (!check.ok && check.reason === 'expired')
      throw new HttpError(410, 'Expired', `签收链接已过期（有效期至 ${check.ref!.expires}），请登录县区门户签收`);
    const ref = check.ok ? receiptCaseRef(check.ref.caseId, bureau) : undefined;
    if (!check.ok || !ref)
      throw new HttpError(400, 'InvalidInput', '签收链接无效，请核对邮件中的链接或登录县区门户签收');
    return { ref, receiptId: check.ref.receipt, expires: check.ref.expires };
  };

  app.get(
    '/api/receipt',
    { schema: { querystring: ReceiptQuery, response: { 200: ReceiptLinkView } }, config: { roles: 'public' } },
    async (request) => {
      const { ref, receiptId, expires } = fromToken(request.query.token);
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
    },
  );

  app.post(
    '/api/receipt',
    {
      schema: { body: ReceiptLinkBody, response: { 200: ResultResponse } },
      config: { roles: 'public', issues: 'full-width' },
    },
    async (request) => {
      const { token, signer } = request.body;
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
        if (err instanceof UserError && err.type === 'InvalidState')
          throw new HttpError(409, 'AlreadyUsed', err.message);
        throw err;
      }
    },
  );
};
