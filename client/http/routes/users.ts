/**
 * The users file (用户文件): reloaded on change by its watcher (client/http/users-file.ts), and on
 * an administrator's request, for a file system whose changes are not announced (some network
 * mounts) and to see the verdict on a new file at once. Only with a watched users file.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ADMIN, ResultResponse } from '../api-schemas';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

export const usersRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const watcher = ctx.usersFile;
  if (!watcher) return;
  app.post(
    '/api/admin/users/reload',
    { schema: { response: { 200: ResultResponse } }, config: { roles: ADMIN } },
    async () => {
      const result = watcher.reload();
      if (!result.ok)
        throw new HttpError(
          422,
          'InvalidUsersFile',
          `用户文件有错误，未重新加载，仍使用原有用户：${result.problems.join('；')}`,
        );
      return { result };
    },
  );
};
