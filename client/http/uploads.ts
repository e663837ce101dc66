/**
 * Multipart uploads: each file streamed to a private temp file with the size limit enforced while
 * streaming, then put into the content-addressed EvidenceStore (which sniffs the type from the
 * bytes and refuses what it does not accept). The client's file name is only a label: it is
 * reduced to a base name and never becomes a path.
 */
import type { FastifyRequest } from 'fastify';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EvidenceStore, StoredFile } from '../../activities/evidence/store';
import { badRequest } from './errors';

export interface UploadedFile extends StoredFile {
  filename: string;
  /** This request's pin on the file, held until its Update's outcome is known. */
  pin: string;
}

export interface Upload {
  files: UploadedFile[];
  fields: Record<string, string>;
}

/** A display name safe to keep: base name only, no control or path characters, at most 200 characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  return cleaned || '未命名文件';
}

/**
 * Reads a multipart request: fields, and files into the store, each pinned for the case `caseId`
 * (pins.ts). On any failure here every pin this request took is released again, so a refused
 * upload leaves nothing behind; after that the caller settles the pins by its Update's outcome.
 */
export async function receiveUpload(
  request: FastifyRequest,
  store: EvidenceStore,
  opts: { maxFiles: number; caseId: string },
): Promise<Upload> {
  if (!request.isMultipart()) throw badRequest('请以 multipart/form-data 上传文件');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'guidance-upload-'));
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') throw badRequest(`字段 ${part.fieldname} 格式不正确`);
        fields[part.fieldname] = part.value;
        continue;
      }
      if (files.length >= opts.maxFiles) throw badRequest(`一次最多上传 ${opts.maxFiles} 个文件`);
      const filename = cleanFilename(part.filename);
      const temp = path.join(tmp, String(files.length));
      // Throws RequestFileTooLargeError (413) as soon as the limit is passed; nothing is kept.
      await pipeline(part.file, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      const stored = await store.put({ path: temp }, filename, { pin: { caseId: opts.caseId } });
      files.push({ ...stored, filename });
      await fs.rm(temp, { force: true });
    }
    return { files, fields };
  } catch (err) {
    await releaseFiles(store, files);
    throw err;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Releases this request's pins, for a request refused before its Update was sent: a file goes
 * only if nothing else pins it (another upload, or a case that accepted it).
 */
export async function releaseFiles(store: EvidenceStore, files: readonly UploadedFile[]): Promise<void> {
  for (const f of files) await store.release(f.sha256, f.pin);
}
