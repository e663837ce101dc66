/**
 * The inbox (待办): what waits on the caller, most urgent first (client/todo.ts, from each case's
 * `todo` Query through Temporal visibility), each item with its kind's label so the dashboard keeps
 * no copy of the vocabulary.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TODO_KIND_LABEL } from '../../../workflows/shared/todo';
import { todoFor } from '../../todo';
import { userOf } from '../access';
import { ALL, TodoQuery, TodoResponse } from '../api-schemas';
import type { ApiContext } from '../context';

export const inboxRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  app.get(
    '/api/todo',
    { schema: { querystring: TodoQuery, response: { 200: TodoResponse } }, config: { roles: ALL } },
    async (request) => {
      const items = await todoFor(ctx.client, ctx.bureau, userOf(request), { year: request.query.year });
      return { items: items.map((i) => ({ ...i, kindLabel: TODO_KIND_LABEL[i.kind] })) };
    },
  );
};
