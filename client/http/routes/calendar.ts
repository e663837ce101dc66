/**
 * The official calendar (法定节假日) of a year, once the State Council publishes it: the calendar
 * file's fields as JSON (year, source, holidays, workdays), applied to the running programme and
 * visits (administrators; client/calendar.ts): only dates not yet passed move, every move is logged.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { applyCalendar, CalendarFileSchema, snapshotFromFile } from '../../calendar';
import { actorOf } from '../../users';
import { userOf } from '../access';
import { ADMIN, ResultResponse, YearParams } from '../api-schemas';
import type { ApiContext } from '../context';
import { badRequest } from '../errors';

export const calendarRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  app.post(
    '/api/years/:year/calendar',
    {
      schema: { params: YearParams, body: CalendarFileSchema, response: { 200: ResultResponse } },
      config: { roles: ADMIN, issues: 'full-width' },
    },
    async (request) => {
      const { year } = request.params;
      const file = request.body;
      if (file.year !== year) throw badRequest(`日历是 ${file.year} 年的，不是 ${year} 年`);
      const snapshot = snapshotFromFile(file);
      return {
        result: await applyCalendar(ctx.client, ctx.bureau, actorOf(userOf(request)), {
          snapshot,
          source: file.source,
        }),
      };
    },
  );
};
