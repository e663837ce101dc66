/**
 * The programme (年度计划) on the HTTP API, the same operations as `guidance programme …`: its
 * schedule and record (the `schedule` Query, or its archive once Temporal has let it go), the
 * schedule changes `reschedule`, `addCounty` and `cancelVisit`, the statistics import
 * `recordStatistics`, and the retry of a programme incident. The roles are the programme
 * workflow's own (it allows admin and supervisor to change the schedule); its validators have the
 * last word on the rest.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../../workflows/contracts/common';
import { addCounty, cancelVisit, getProgramme, recordStatistics, reschedule, retryProgramme } from '../../programme';
import { readProgramme } from '../../record';
import { readStatistics, statisticsArgs } from '../../statistics';
import { actorOf } from '../../users';
import { userOf } from '../access';
import {
  ADMIN,
  AddCountyBody,
  CancelVisitBody,
  ProgrammeResponse,
  RescheduleBody,
  ResultResponse,
  RetryBody,
  SCHEDULERS,
  STAFF,
  StatisticsFields,
  YearParams,
} from '../api-schemas';
import type { ApiContext } from '../context';
import { badRequest } from '../errors';
import { cleanFilename } from '../uploads';
import { programmeView } from '../views-programme';

/** Reads a multipart statistics upload: one file (its bytes and base name) and the `period` field. */
async function receiveTable(
  request: FastifyRequest,
): Promise<{ bytes: Buffer; name: string; fields: Record<string, string> }> {
  if (!request.isMultipart()) throw badRequest('请以 multipart/form-data 上传统计表');
  let file: { bytes: Buffer; name: string } | undefined;
  const fields: Record<string, string> = {};
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (typeof part.value !== 'string') throw badRequest(`字段 ${part.fieldname} 格式不正确`);
      fields[part.fieldname] = part.value;
      continue;
    }
    // The size limit is the server's upload limit, enforced while reading (413).
    const bytes = await part.toBuffer();
    if (file) throw badRequest('一次只能导入一个统计表文件');
    file = { bytes, name: cleanFilename(part.filename) };
  }
  if (!file || file.bytes.length === 0) throw badRequest('请选择统计表文件（CSV 或 XLSX）');
  return { ...file, fields };
}

export const programmeRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { client, bureau } = ctx;
  const actor = (request: FastifyRequest): Actor => actorOf(userOf(request));
  const change = { params: YearParams, response: { 200: ResultResponse } };

  app.get(
    '/api/years/:year/programme',
    { schema: { params: YearParams, response: { 200: ProgrammeResponse } }, config: { roles: STAFF } },
    async (request) => {
      const r = await readProgramme(client, request.params.year, bureau, ctx.archive);
      // Once Temporal has let the programme go: its archive, marked as a case's is.
      const archive = r.source === 'archive' ? r.archive : undefined;
      return {
        ...programmeView(r.state, ctx.names()),
        ...(archive
          ? { source: 'archive' as const, archive: { files: archive.files, manifestSha256: archive.manifestSha256 } }
          : {}),
      };
    },
  );

  app.post(
    '/api/years/:year/programme/reschedule',
    { schema: { ...change, body: RescheduleBody }, config: { roles: SCHEDULERS } },
    async (request) => ({
      result: await reschedule(client, request.params.year, bureau, { ...request.body, actor: actor(request) }),
    }),
  );
  app.post(
    '/api/years/:year/programme/counties',
    { schema: { ...change, body: AddCountyBody }, config: { roles: SCHEDULERS } },
    async (request) => ({
      result: await addCounty(client, request.params.year, bureau, { ...request.body, actor: actor(request) }),
    }),
  );
  app.post(
    '/api/years/:year/programme/cancel',
    { schema: { ...change, body: CancelVisitBody }, config: { roles: SCHEDULERS } },
    async (request) => ({
      result: await cancelVisit(client, request.params.year, bureau, { ...request.body, actor: actor(request) }),
    }),
  );
  // A programme incident (bulletin, digest, calendar) retried after its cause is fixed.
  app.post(
    '/api/years/:year/programme/retry',
    { schema: { ...change, body: RetryBody }, config: { roles: ADMIN } },
    async (request) => ({
      result: await retryProgramme(client, request.params.year, bureau, { ...request.body, actor: actor(request) }),
    }),
  );

  // The table is read here (never stored: only its sha256 is recorded) and checked as
  // `guidance programme stats` checks it; drafts go to the counties of the running schedule.
  // Multipart: the period is checked by its schema once the parts are read.
  app.post(
    '/api/years/:year/programme/statistics',
    { schema: change, config: { roles: SCHEDULERS } },
    async (request) => {
      const { year } = request.params;
      const upload = await receiveTable(request);
      const { period } = StatisticsFields.parse({ period: upload.fields.period ?? '' });
      const schedule = await getProgramme(client, year, bureau);
      const { result, sha256 } = await readStatistics({ bytes: upload.bytes, name: upload.name }, ctx.deps.statsRules);
      const fields = statisticsArgs(result, new Map(schedule.entries.map((e) => [e.countyName, e.county])), {
        period,
        sourceSha256: sha256,
      });
      const recorded = await recordStatistics(client, year, bureau, { actor: actor(request), ...fields });
      return { result: { ...recorded, sourceSha256: sha256, drafts: Object.keys(fields.drafts ?? {}) } };
    },
  );
};
