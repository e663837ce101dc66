/**
 * One case (执法指导案件): its view (everything for the city's staff, the county's narrower view of
 * its own case) and the people's actions on it, each the same validated Update as the CLI's
 * (client/visit.ts), so the workflow's validator has the last word. Uploads (evidence, the
 * rectification report) are in routes/files.ts, signing for a letter in routes/receipts.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { STAGE_LABEL } from '../../../workflows/shared/labels';
import type { VisitUpdateResult } from '../../../workflows/contracts/visit-onsite';
import { actorOf } from '../../users';
import { visitOps } from '../../visit';
import { userOf } from '../access';
import {
  ADMIN,
  ALL,
  ApproveBody,
  CaseParams,
  CaseViewResponse,
  CountyEmailsBody,
  EnterpriseBody,
  ExtendBody,
  FindingBody,
  LEADER,
  ReinspectionBody,
  ResultResponse,
  RetryBody,
  ReturnBody,
  ReviewBody,
  RosterBody,
  SCHEDULERS,
  SubmitBody,
  SUPERVISOR,
} from '../api-schemas';
import { isStaff } from '../auth';
import { sourceOf, type ApiContext } from '../context';
import { countyView, staffView } from '../views';

/** A visit Update's short answer (VisitUpdateResult), with its stage's name for people. */
export function summary<R extends VisitUpdateResult>(r: R): R & { stageLabel: string } {
  return { ...r, stageLabel: STAGE_LABEL[r.stage] };
}

/** The schema of an action on a case: the case's path, the Update's body, the workflow's answer. */
function action<B extends z.ZodType>(body: B) {
  return { params: CaseParams, body, response: { 200: ResultResponse } };
}

export const casesRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { client } = ctx;
  /** The case of the path in the caller's county scope, and the caller as the Update's actor. */
  const acting = (request: FastifyRequest, params: { year: number; county: string }) => {
    const user = userOf(request);
    return { ref: ctx.caseRef(user, params), actor: actorOf(user) };
  };

  app.get(
    '/api/years/:year/cases/:county',
    { schema: { params: CaseParams, response: { 200: CaseViewResponse } }, config: { roles: ALL } },
    async (request) => {
      const user = userOf(request);
      const r = await ctx.readCase(ctx.caseRef(user, request.params));
      const c = r.case;
      const book = ctx.names();
      return isStaff(user)
        ? {
            ...staffView(c, { temporalUi: r.source === 'archive' ? undefined : ctx.workflowLink(c.caseId) }, book),
            ...sourceOf(r),
          }
        : { ...countyView(c, book), ...sourceOf(r) };
    },
  );

  // ---- on site (现场): findings, the enterprises' results, the draft submitted -------------------
  app.post(
    '/api/years/:year/cases/:county/findings',
    { schema: action(FindingBody), config: { roles: SUPERVISOR } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.setFinding(client, ref, { ...request.body, actor })) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/enterprises',
    { schema: action(EnterpriseBody), config: { roles: SUPERVISOR } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.setEnterpriseResult(client, ref, { ...request.body, actor })) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/submit',
    { schema: action(SubmitBody), config: { roles: SUPERVISOR } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.submit(client, ref, { actor })) };
    },
  );

  // ---- approval (审批) -------------------------------------------------------------------------
  app.post(
    '/api/years/:year/cases/:county/approve',
    { schema: action(ApproveBody), config: { roles: LEADER } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.approve(client, ref, { ...request.body, actor })) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/return',
    { schema: action(ReturnBody), config: { roles: LEADER } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.return(client, ref, { ...request.body, actor })) };
    },
  );

  // ---- rectification (整改): review, extension, re-inspection -------------------------------------
  app.post(
    '/api/years/:year/cases/:county/review',
    { schema: action(ReviewBody), config: { roles: SUPERVISOR } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.reviewReport(client, ref, { ...request.body, actor })) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/extend',
    { schema: action(ExtendBody), config: { roles: SUPERVISOR } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.extendDue(client, ref, { ...request.body, actor })) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/reinspection',
    { schema: action(ReinspectionBody), config: { roles: SUPERVISOR } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: summary(await visitOps.recordReinspection(client, ref, { ...request.body, actor })) };
    },
  );

  // ---- incidents (故障): input corrected, then the step retried ----------------------------------
  app.post(
    '/api/years/:year/cases/:county/retry',
    { schema: action(RetryBody), config: { roles: ADMIN } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: await visitOps.retry(client, ref, { ...request.body, actor }) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/roster',
    { schema: action(RosterBody), config: { roles: SCHEDULERS } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: await visitOps.correctRoster(client, ref, { ...request.body, actor }) };
    },
  );
  app.post(
    '/api/years/:year/cases/:county/emails',
    { schema: action(CountyEmailsBody), config: { roles: SCHEDULERS } },
    async (request) => {
      const { ref, actor } = acting(request, request.params);
      return { result: await visitOps.correctCountyEmails(client, ref, { ...request.body, actor }) };
    },
  );
};
