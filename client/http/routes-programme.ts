/**
 * The programme's doors on the HTTP API (the same operations as `guidance programme …`): its
 * schedule and record (the `schedule` Query), the schedule changes `reschedule`, `addCounty` and
 * `cancelVisit`, and the statistics import `recordStatistics`, plus voiding a number of the
 * register (`voidNumber`). Roles are checked here before anything is sent; the workflows'
 * validators have the last word on the rest (the programme itself allows admin and supervisor).
 * Registered by one line in server.ts, after its preHandler has authenticated the caller.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AddCountyArgs,
  CancelVisitArgs,
  RescheduleArgs,
  type ProgrammeState,
} from '../../workflows/contracts/programme';
import { RecordStatisticsArgs } from '../../workflows/contracts/statistics';
import { type Role } from '../../workflows/contracts/common';
import type { StatsRulesInput } from '../../workflows/shared/stats';
import { addCounty, cancelVisit, getProgramme, recordStatistics, reschedule } from '../programme';
import { nameBook, readableLog, type NameBook } from '../names';
import { readProgramme } from '../record';
import { readStatistics, statisticsArgs } from '../statistics';
import { actorOf, type UserRecord } from '../users';
import { voidNumber, VoidNumberRequest } from '../void-number';
import { requireRole } from './auth';
import { badRequest, unauthorized } from './errors';
import { cleanFilename } from './uploads';

export interface ProgrammeRoutesDeps {
  client: Client;
  bureau: string;
  /** The archive: a closed case's letters before a number is voided; the programme's record once Temporal has let it go. */
  archiveDir: string;
  /** The plan's `statistics` thresholds; the defaults when absent. */
  statsRules?: StatsRulesInput;
  /** People and counties by name, for the programme's record; ids stay ids without it. */
  names?: () => NameBook;
}

/** Who may change the schedule or import statistics: as the programme workflow allows. */
export const SCHEDULERS: Role[] = ['admin', 'supervisor'];
/** Who may read the programme's schedule and log: the city's staff. */
export const STAFF: Role[] = ['admin', 'supervisor', 'leader'];

const YearParam = z.coerce
  .number({ error: '年度不正确' })
  .int('年度不正确')
  .min(2000, '年度不正确')
  .max(2100, '年度不正确');
const PeriodField = z.object({ period: RecordStatisticsArgs.shape.period });

/**
 * The programme's state for people: no server paths (bulletin PDFs), no internal progress notes;
 * its record (audit) with who acted and what happened in words (client/names.ts).
 */
export function programmeView(p: ProgrammeState, book: NameBook = nameBook({})) {
  const { progress: _progress, bulletins, audit, ...rest } = p;
  const names = nameBook({ plan: undefined, counties: p.entries });
  const known: NameBook = { people: book.people, counties: new Map([...names.counties, ...book.counties]) };
  return { ...rest, audit: readableLog(known, audit), bulletins: bulletins.map(({ documentPath: _path, ...b }) => b) };
}

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

export function registerProgrammeRoutes(app: FastifyInstance, deps: ProgrammeRoutesDeps): void {
  const { client, bureau } = deps;
  /** The caller, with one of `roles`, and the year of the path. */
  const caller = (request: FastifyRequest, roles: Role[]): { user: UserRecord; year: number } => {
    if (!request.user) throw unauthorized();
    requireRole(request.user, ...roles);
    return { user: request.user, year: YearParam.parse((request.params as { year?: string }).year) };
  };

  app.get('/api/years/:year/programme', async (request) => {
    const { year } = caller(request, STAFF);
    // Once Temporal has let the programme go: its archive, marked as a case's is.
    const r = await readProgramme(client, year, bureau, deps.archiveDir);
    return {
      ...programmeView(r.state, deps.names?.()),
      ...(r.source === 'archive'
        ? { source: r.source, archive: { files: r.archive!.files, manifestSha256: r.archive!.manifestSha256 } }
        : {}),
    };
  });

  const change = <S extends z.ZodType>(
    route: string,
    schema: S,
    run: (year: number, args: any) => Promise<unknown>,
  ) => {
    app.post(`/api/years/:year/programme/${route}`, async (request) => {
      const { user, year } = caller(request, SCHEDULERS);
      const body = schema.parse(request.body ?? {}) as Record<string, unknown>;
      return { result: await run(year, { ...body, actor: actorOf(user) }) };
    });
  };
  change('reschedule', RescheduleArgs.omit({ actor: true }), (year, args) => reschedule(client, year, bureau, args));
  change('counties', AddCountyArgs.omit({ actor: true }), (year, args) => addCounty(client, year, bureau, args));
  change('cancel', CancelVisitArgs.omit({ actor: true }), (year, args) => cancelVisit(client, year, bureau, args));

  // The table is read here (never stored: only its sha256 is recorded) and checked as
  // `guidance programme stats` checks it; drafts go to the counties of the running schedule.
  app.post('/api/years/:year/programme/statistics', async (request) => {
    const { user, year } = caller(request, SCHEDULERS);
    const upload = await receiveTable(request);
    const { period } = PeriodField.parse({ period: upload.fields.period ?? '' });
    const schedule = await getProgramme(client, year, bureau);
    const { result, sha256 } = await readStatistics({ bytes: upload.bytes, name: upload.name }, deps.statsRules);
    const fields = statisticsArgs(result, new Map(schedule.entries.map((e) => [e.countyName, e.county])), {
      period,
      sourceSha256: sha256,
    });
    const recorded = await recordStatistics(client, year, bureau, { actor: actorOf(user), ...fields });
    return { result: { ...recorded, sourceSha256: sha256, drafts: Object.keys(fields.drafts ?? {}) } };
  });

  app.post('/api/years/:year/numbers/void', async (request) => {
    const { user, year } = caller(request, ['admin']);
    const body = VoidNumberRequest.parse(request.body ?? {});
    return { result: await voidNumber(client, year, bureau, body, actorOf(user), deps.archiveDir) };
  });
}
