/**
 * The year at a glance: the programme board (every county's month, stage, due date, rung and
 * overdue flag), the overdue list, and the list of cases (a county's own, or every county's for
 * staff). From the workflows, or their archive once Temporal has let them go (views-board.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { STAGE_LABEL } from '../../../workflows/shared/labels';
import { userOf } from '../access';
import { ALL, BoardResponse, CasesResponse, OverdueResponse, STAFF, YearParams } from '../api-schemas';
import type { ApiContext } from '../context';
import { buildBoard, overdueRows } from '../views-board';

export const boardRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { client, bureau, archive: archiveDir } = ctx;

  app.get(
    '/api/years/:year/board',
    { schema: { params: YearParams, response: { 200: BoardResponse } }, config: { roles: STAFF } },
    async (request) => {
      const board = await buildBoard(client, request.params.year, bureau, archiveDir, ctx.caseReads);
      return {
        ...board,
        rows: board.rows.map((r) => ({
          ...r,
          temporalUi: r.source === 'archive' ? undefined : ctx.workflowLink(r.visitWorkflowId),
        })),
      };
    },
  );

  app.get(
    '/api/years/:year/overdue',
    { schema: { params: YearParams, response: { 200: OverdueResponse } }, config: { roles: STAFF } },
    async (request) => {
      const { year } = request.params;
      const board = await buildBoard(client, year, bureau, archiveDir, ctx.caseReads);
      return { year, today: board.today, rows: overdueRows(board) };
    },
  );

  /** A county's own cases (the county's start page); staff get every county's. */
  app.get(
    '/api/years/:year/cases',
    { schema: { params: YearParams, response: { 200: CasesResponse } }, config: { roles: ALL } },
    async (request) => {
      const user = userOf(request);
      const { year } = request.params;
      if (user.role !== 'county') {
        const board = await buildBoard(client, year, bureau, archiveDir, ctx.caseReads);
        return { rows: board.rows };
      }
      // The users file gives every county user its county (client/users.ts).
      const r = await ctx.readCase({ year, bureau, county: user.county ?? '' });
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
    },
  );
};
