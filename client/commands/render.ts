/**
 * `guidance render KIND --data FILE.json --out FILE.pdf [--format ofd]`: preview any document from
 * data, as PDF or OFD, with the same templates, fonts and layout the worker uses. Without
 * `--format`, an `--out` ending in `.ofd` means OFD.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import { DocumentKind, FileFormat } from '../../workflows/shared/documents';
import { DOCUMENT_KIND_NAMES } from '../../workflows/shared/labels';
import { DocumentError } from '../../activities/documents/errors';
import { fontNotes } from '../../activities/documents/fonts';
import { OfdFontMissing } from '../../activities/documents/ofd';
import { renderFiles } from '../../activities/documents/render';

interface RenderOptions {
  data: string;
  out: string;
  templates?: string;
  format?: string;
}

/** Adds the `render` command to the guidance CLI. */
export function registerRenderCommand(program: Command): void {
  program
    .command('render')
    .description('根据数据生成任一文书的 PDF 预览')
    .argument('<kind>', `文书种类：${DocumentKind.options.map((k) => `${k}（${DOCUMENT_KIND_NAMES[k]}）`).join('、')}`)
    .requiredOption('--data <file>', '文书数据（JSON 文件），格式见 examples/documents/<kind>.json')
    .requiredOption('--out <file>', '输出的文件（PDF 或 OFD）')
    .option('--format <format>', '输出格式：pdf 或 ofd（默认按 --out 的扩展名，其余为 pdf）')
    .option('--templates <dir>', '自定义模板目录（其中的模板覆盖内置模板）')
    .action(async (kindArg: string, opts: RenderOptions, cmd: Command) => {
      const kind = DocumentKind.safeParse(kindArg);
      if (!kind.success) cmd.error(`错误：未知的文书种类：${kindArg}（可用：${DocumentKind.options.join('、')}）`);
      const format = FileFormat.safeParse(opts.format ?? (/\.ofd$/i.test(opts.out) ? 'ofd' : 'pdf'));
      if (!format.success) cmd.error(`错误：--format 应为 pdf 或 ofd，收到：${opts.format}`);
      let data: unknown;
      try {
        data = JSON.parse(fs.readFileSync(opts.data, 'utf8'));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        cmd.error(
          `错误：无法读取数据文件 ${opts.data}：${code === 'ENOENT' ? '文件不存在' : code ? `无法打开（${code}）` : 'JSON 格式不正确'}`,
        );
      }
      try {
        const files = await renderFiles(kind.data, data, { templatesDir: opts.templates, formats: [format.data] });
        const bytes = files[format.data]!;
        fs.writeFileSync(opts.out, bytes);
        for (const note of fontNotes()) process.stderr.write(`注意：${note}\n`);
        const sha = createHash('sha256').update(bytes).digest('hex');
        process.stdout.write(
          `已生成 ${opts.out}：${DOCUMENT_KIND_NAMES[kind.data]}（${format.data.toUpperCase()}），${files.pages} 页，${(bytes.length / 1024).toFixed(1)} KB，sha256 ${sha}\n`,
        );
      } catch (e) {
        if (e instanceof DocumentError || e instanceof OfdFontMissing) cmd.error(`错误：${e.message}`);
        throw e;
      }
    });
}
