/**
 * The number register (发文登记): every document number of the year, issued or voided with its
 * reason, and the voiding of a number (administrators; client/void-number.ts). A series Temporal
 * no longer keeps comes from the programme's archive (its rows marked so).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { numberRegister, SERIES_LABEL } from '../../numbers';
import { actorOf } from '../../users';
import { voidNumber, VoidNumberRequest } from '../../void-number';
import { userOf } from '../access';
import { ADMIN, NumbersResponse, ResultResponse, YearParams } from '../api-schemas';
import type { ApiContext } from '../context';

export const numbersRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { client, bureau, archive: archiveDir } = ctx;

  app.get(
    '/api/years/:year/numbers',
    { schema: { params: YearParams, response: { 200: NumbersResponse } }, config: { roles: ADMIN } },
    async (request) => {
      const rows = await numberRegister(client, request.params.year, bureau, archiveDir);
      return {
        rows,
        series: SERIES_LABEL,
        ...(rows.some((r) => r.source === 'archive') ? { source: 'archive' as const } : {}),
      };
    },
  );

  app.post(
    '/api/years/:year/numbers/void',
    {
      schema: { params: YearParams, body: VoidNumberRequest, response: { 200: ResultResponse } },
      config: { roles: ADMIN },
    },
    async (request) => ({
      result: await voidNumber(client, request.params.year, bureau, request.body, actorOf(userOf(request)), archiveDir),
    }),
  );
};
