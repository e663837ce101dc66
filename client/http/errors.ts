/**
 * Every error the API answers with: JSON `{ error: { type, message } }`, the message in Chinese,
 * never a stack trace, a file path or a secret. Refusals of the workflows keep their type.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { EvidenceError } from '../../activities/evidence/store';
import { formatIssues } from '../../workflows/shared/plan';
import { UserError } from '../programme';

/** An answer other than 2xx, decided by a route. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const unauthorized = () => new HttpError(401, 'Unauthorized', '请先登录');
export const forbidden = (message = '无权访问') => new HttpError(403, 'Forbidden', message);
export const notFound = (message = '没有找到') => new HttpError(404, 'NotFound', message);
export const badRequest = (message: string) => new HttpError(400, 'InvalidInput', message);

/** HTTP status of a workflow refusal, by its failure type. */
const STATUS_OF_TYPE: Record<string, number> = {
  Forbidden: 403,
  InvalidState: 409,
  AlreadyExists: 409,
  InvalidInput: 400,
  NotFound: 404,
};

const STATUS_OF_EVIDENCE: Record<EvidenceError['code'], number> = {
  Empty: 400,
  TooLarge: 413,
  TypeRefused: 415,
  NotFound: 404,
  BadId: 400,
};

/** Generic Chinese messages for Fastify's own 4xx errors (their English text is not shown). */
const GENERIC: Record<number, string> = {
  400: '请求格式不正确',
  404: '没有找到',
  405: '不支持的请求方法',
  406: '不支持的请求',
  413: '上传内容过大',
  415: '不支持的内容类型',
};

function isUnavailable(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /ECONNREFUSED|TransportError|UNAVAILABLE|Failed to connect|connection refused|DEADLINE_EXCEEDED/i.test(text);
}

/** `/items/0/status` (a validation issue's path) as the plan's messages write it: `items[0].status`. */
function pathOf(instancePath: string): string {
  let out = '';
  for (const part of instancePath.split('/').filter(Boolean)) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(根)';
}

/**
 * The message of a request the route's zod schemas refused (fastify-type-provider-zod): a body's
 * issues with their paths, as `formatIssues` writes them (`date: 日期不正确`); a path or query
 * parameter's message alone, since each names its parameter (年度不正确, 县区代码不正确).
 */
function validationMessage(
  err: { validationContext?: string; validation: readonly { instancePath: string; message?: string }[] },
  style: IssueStyle,
): string {
  const named = err.validationContext === 'body';
  return err.validation
    .map((i) => {
      if (!named) return i.message ?? '';
      if (style === 'full-width')
        return i.instancePath.length > 1 ? `${i.instancePath.slice(1).split('/').join('.')}：${i.message}` : i.message;
      return `${pathOf(i.instancePath)}: ${i.message ?? ''}`;
    })
    .join('；');
}

/** A route's `config.issues` (access.ts): how its refused body's issues are written. */
export type IssueStyle = 'full-width' | undefined;

/** Status, type and message for any error. */
export function describeError(
  err: unknown,
  maxUploadMb: number,
  style?: IssueStyle,
): { status: number; type: string; message: string } {
  if (err instanceof HttpError) return { status: err.status, type: err.type, message: err.message };
  if (err instanceof UserError)
    return {
      status: STATUS_OF_TYPE[err.type ?? ''] ?? (err.exitCode === 3 ? 404 : 400),
      type: err.type ?? 'Refused',
      message: err.message,
    };
  if (err instanceof EvidenceError)
    return { status: STATUS_OF_EVIDENCE[err.code], type: err.code, message: err.message };
  if (hasZodFastifySchemaValidationErrors(err))
    return { status: 400, type: 'InvalidInput', message: validationMessage(err, style) };
  if (err instanceof ZodError) return { status: 400, type: 'InvalidInput', message: formatIssues(err).join('；') };
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, type: 'TooLarge', message: `文件过大：上限 ${maxUploadMb} MB` };
  }
  if (fe.code === 'FST_FILES_LIMIT' || fe.code === 'FST_PARTS_LIMIT' || fe.code === 'FST_FIELDS_LIMIT') {
    return { status: 413, type: 'TooLarge', message: '上传的文件或字段过多' };
  }
  if (fe.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, type: 'UnsupportedMediaType', message: '不支持的内容类型' };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, type: 'BadRequest', message: GENERIC[fe.statusCode] ?? '请求不正确' };
  }
  if (isUnavailable(err))
    return { status: 503, type: 'Unavailable', message: '暂时无法连接 Temporal 服务，请稍后再试' };
  return { status: 500, type: 'Internal', message: '服务器内部错误，已记录，请联系管理员' };
}

/** Fastify error handler: logs server faults, answers everything in the one JSON shape. */
export function errorHandler(maxUploadMb: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, type, message } = describeError(err, maxUploadMb, request.routeOptions.config.issues);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(status).type('application/json; charset=utf-8').send({ error: { type, message } });
  };
}
