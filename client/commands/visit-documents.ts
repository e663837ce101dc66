/**
 * `guidance visit documents`: a case's documents, each in the formats it was made in, and one of
 * them written to a file (`--id … --format pdf|ofd --out FILE`). Found through the case's record
 * (a document id looked up in it, never a path) and checked against the sha256 the case recorded
 * before a byte is written, as the HTTP download is (client/http/routes/files.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { archiveStore, documentKey, readObject } from '../../activities/archive-store';
import { connectClient } from '../../config/temporal';
import { FileFormat } from '../../workflows/shared/documents';
import { documentsOf } from '../http/views-files';
import { EXIT, UserError } from '../programme';
import { configuredArchive, readCase } from '../record';
import { out, ref, withCommon, type Common } from './visit-common';

interface DocumentsOptions extends Common {
  id?: string;
  format: string;
  out?: string;
}

export function registerVisitDocumentCommands(visit: Command): void {
  withCommon(visit.command('documents').description('列出案件的文书（PDF、OFD），或下载其中一件'))
    .option('--id <documentId>', '要下载的文书编号（见列表）')
    .option('--format <format>', '下载的格式：pdf 或 ofd', 'pdf')
    .option('--out <file>', '下载到的文件')
    .action(async (opts: DocumentsOptions) => {
      const format = FileFormat.safeParse(opts.format);
      if (!format.success) throw new UserError(`--format 应为 pdf 或 ofd，收到：${opts.format}`, EXIT.badInput);
      if (opts.id !== undefined && !opts.out) throw new UserError('下载文书须给出 --out <文件>', EXIT.badInput);
      const archive = configuredArchive();
      const { case: c } = await readCase(await connectClient(), ref(opts), archive);
      const docs = documentsOf(c);
      if (opts.id === undefined) {
        const t = new Table({
          head: ['文书', '文号', '日期', '格式', '编号'],
          style: { compact: true, head: [], border: [] },
        });
        for (const d of docs)
          t.push([d.title, d.docNumber ?? '', d.date ?? '', d.ofd ? 'PDF、OFD' : 'PDF', d.documentId]);
        out(opts, docs, docs.length ? t.toString() : '暂无文书');
        return;
      }
      const d = docs.find((x) => x.documentId === opts.id);
      if (!d) throw new UserError(`案件 ${c.caseId} 没有文书 ${opts.id}`, EXIT.notFound);
      const recorded = format.data === 'ofd' ? d.ofd?.sha256 : d.sha256;
      if (!recorded)
        throw new UserError(`文书 ${d.documentId} 没有 OFD 版式文件（计划的文书格式不含 ofd）`, EXIT.notFound);
      const bytes = await readObject(archiveStore(archive), documentKey(c.caseId, d.documentId, format.data));
      if (bytes === undefined) throw new UserError(`文书文件不在归档中：${d.documentId}.${format.data}`, EXIT.notFound);
      if (bytes === 'corrupt' || createHash('sha256').update(bytes).digest('hex') !== recorded)
        throw new UserError(
          `文书文件 ${d.documentId}.${format.data} 与案件登记的 sha256 不符，未写出，请联系管理员`,
          EXIT.refused,
          'IntegrityError',
        );
      fs.writeFileSync(opts.out!, bytes);
      out(
        opts,
        { documentId: d.documentId, format: format.data, file: opts.out, sha256: recorded, bytes: bytes.length },
        `已写出 ${opts.out}：${d.title}${d.docNumber ? ` ${d.docNumber}` : ''}（${format.data.toUpperCase()}，${(bytes.length / 1024).toFixed(1)} KB，sha256 ${recorded}）`,
      );
    });
}
