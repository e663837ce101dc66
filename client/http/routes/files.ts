/**
 * A case's documents and files (文书与附件): the letters' PDFs from the archive and the evidence and
 * report files from the evidence store, each found through the case (a document id or a sha256
 * looked up in it, never a path from the request) and checked against the sha256 the case recorded
 * before a byte leaves; and the uploads — evidence (现场证据) and the rectification report
 * (整改报告) — as multipart forms whose files are stored before the Update is sent.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { documentKey, keyOfPath, readObject } from '../../../activities/archive-store';
import { visitWorkflowId } from '../../../workflows/contracts/common';
import { FORMAT_MEDIA_TYPE } from '../../../workflows/shared/documents';
import { AddEvidenceArgs } from '../../../workflows/contracts/visit-onsite';
import { SubmitReportArgs } from '../../../workflows/contracts/visit-rectification';
import { actorOf } from '../../users';
import { visitOps, type VisitRef } from '../../visit';
import { userOf } from '../access';
import {
  ALL,
  CaseParams,
  DocumentParams,
  DocumentQuery,
  EvidenceResponse,
  FileParams,
  FileResponse,
  REPORTERS,
  ResultResponse,
  SUPERVISOR,
} from '../api-schemas';
import { isStaff } from '../auth';
import type { ApiContext } from '../context';
import { badRequest, HttpError, notFound } from '../errors';
import { receiveUpload, releaseFiles, type Upload } from '../uploads';
import { documentsOf, filesOf } from '../views-files';
import { summary } from './cases';

/** Files one rectification report may carry. */
export const MAX_REPORT_FILES = 10;

/** `attachment; filename=…` with the Chinese name for browsers (RFC 6266 / 5987) and an ASCII fallback. */
function disposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function sendFile(reply: FastifyReply, bytes: Buffer, type: string, filename: string) {
  reply.header('Content-Disposition', disposition(filename));
  return reply.type(type).send(bytes);
}

const EvidenceFields = AddEvidenceArgs.pick({ item: true, enterprise: true, note: true });
const ReportFields = SubmitReportArgs.pick({ items: true, note: true });

export const filesRoutes: FastifyPluginAsyncZod<ApiContext> = async (app, ctx) => {
  const { client, store, archive } = ctx;
  const caseIdOf = (ref: VisitRef) => visitWorkflowId(ref.year, ref.bureau, ref.county);
  // An upload's files are pinned in the store for its case. Refused before the Update is sent, the
  // pins are released here; after that client/visit.ts settles them by the Update's outcome, so a
  // file a case may point at is never removed (a lost reply, a concurrent identical upload).
  const prepare = async <A>(upload: Upload, build: () => A): Promise<A> => {
    try {
      return build();
    } catch (err) {
      await releaseFiles(store, upload.files);
      throw err;
    }
  };

  app.get(
    '/api/years/:year/cases/:county/documents/:documentId',
    {
      schema: { params: DocumentParams, querystring: DocumentQuery, response: { 200: FileResponse } },
      config: { roles: ALL },
    },
    async (request, reply) => {
      const user = userOf(request);
      const { documentId } = request.params;
      const { format } = request.query;
      const c = (await ctx.readCase(ctx.caseRef(user, request.params))).case;
      const d = documentsOf(c).find((x) => x.documentId === documentId && (isStaff(user) || x.county));
      if (!d) throw notFound('没有找到该文书');
      const recorded = format === 'ofd' ? d.ofd?.sha256 : d.sha256;
      if (!recorded) throw notFound('该文书没有 OFD 版式文件（计划的文书格式不含 ofd）');
      // By its key in the archive (another host's bucket in a cluster), never a path from the case.
      const key = keyOfPath(documentKey(c.caseId, d.documentId, format));
      const bytes = key === undefined ? undefined : await readObject(archive, key);
      if (bytes === undefined) throw notFound('文书文件不在归档目录中，请联系管理员');
      if (bytes === 'corrupt' || createHash('sha256').update(bytes).digest('hex') !== recorded) {
        request.log.error(
          { documentId, format, caseId: c.caseId },
          'archived document does not match its recorded sha256',
        );
        throw new HttpError(500, 'IntegrityError', '文书文件与登记的校验值不符，已停止下载，请联系管理员');
      }
      const name = `${d.docNumber ? `${d.docNumber}-` : ''}${d.title}.${format}`;
      return sendFile(reply, bytes, FORMAT_MEDIA_TYPE[format], name);
    },
  );

  app.get(
    '/api/years/:year/cases/:county/files/:sha256',
    { schema: { params: FileParams, response: { 200: FileResponse } }, config: { roles: ALL } },
    async (request, reply) => {
      const user = userOf(request);
      const { sha256 } = request.params;
      const c = (await ctx.readCase(ctx.caseRef(user, request.params))).case;
      const f = filesOf(c).find((x) => x.sha256 === sha256 && (isStaff(user) || x.county));
      if (!f) throw notFound('没有找到该文件');
      // Read whole (at most the upload limit) from the object store, which may be another host's
      // bucket, and re-hashed before a byte is sent.
      const stored = await store.read(sha256);
      if ('absent' in stored) throw notFound('文件不在证据库中，请联系管理员');
      if ('damaged' in stored)
        throw new HttpError(500, 'IntegrityError', '文件与登记的校验值不符，已停止下载，请联系管理员');
      reply.header('Content-Disposition', disposition(f.filename));
      reply.header('Content-Length', String(stored.bytes.length));
      return reply.type(f.mediaType).send(stored.bytes);
    },
  );

  // Multipart: the fields are checked by the Update's own schema once the parts are read.
  app.post(
    '/api/years/:year/cases/:county/evidence',
    { schema: { params: CaseParams, response: { 200: EvidenceResponse } }, config: { roles: SUPERVISOR } },
    async (request) => {
      const user = userOf(request);
      const ref = ctx.caseRef(user, request.params);
      await visitOps.get(client, ref); // 404 before anything is stored
      const upload = await receiveUpload(request, store, { maxFiles: 1, caseId: caseIdOf(ref) });
      const [file, args] = await prepare(upload, () => {
        const f = upload.files[0];
        if (!f) throw badRequest('请选择要上传的文件');
        const fields = EvidenceFields.parse({
          item: upload.fields.item,
          enterprise: upload.fields.enterprise || undefined,
          note: upload.fields.note || undefined,
        });
        const { sha256, size, mediaType, filename } = f;
        return [f, { actor: actorOf(user), sha256, size, mediaType, filename, ...fields }] as const;
      });
      const added = await visitOps.addEvidence(client, ref, args, { store, files: upload.files });
      // The workflow answers with the evidence's id only; the file's own fields are the upload's.
      const { filename, sha256, size, mediaType } = args;
      return { result: { ...summary(added), filename, sha256, size, mediaType }, deduplicated: file.deduplicated };
    },
  );

  /** The county's rectification report (整改报告): files plus a status per problem. */
  app.post(
    '/api/years/:year/cases/:county/report',
    { schema: { params: CaseParams, response: { 200: ResultResponse } }, config: { roles: REPORTERS } },
    async (request) => {
      const user = userOf(request);
      const ref = ctx.caseRef(user, request.params);
      await visitOps.get(client, ref);
      const upload = await receiveUpload(request, store, { maxFiles: MAX_REPORT_FILES, caseId: caseIdOf(ref) });
      const args = await prepare(upload, () => {
        if (upload.files.length === 0) throw badRequest('整改报告至少附一个文件');
        let items: unknown;
        try {
          items = JSON.parse(upload.fields.items ?? '[]');
        } catch {
          throw badRequest('整改情况（items）应为 JSON 数组');
        }
        const fields = ReportFields.parse({ items, note: upload.fields.note || undefined });
        const files = upload.files.map(({ sha256, size, mediaType, filename }) => ({
          sha256,
          size,
          mediaType,
          filename,
        }));
        return { actor: actorOf(user), files, ...fields };
      });
      const report = await visitOps.submitReport(client, ref, args, { store, files: upload.files });
      return { result: summary(report) };
    },
  );
};
