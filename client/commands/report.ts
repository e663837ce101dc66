/**
 * `guidance visit report`: the county's rectification report (整改报告) from the command line, for
 * a county without the dashboard or a supervisor reporting on its behalf. The files go into the
 * evidence store pinned for the case, as an HTTP upload's do (client/http/server.ts, …/report),
 * and the pins are settled by the Update's outcome: kept when the case holds them, released when
 * the workflow refuses the report.
 */
import type { Command } from 'commander';
import { visitWorkflowId, type Actor } from '../../workflows/contracts/common';
import { ItemStatus, type SubmitReportArgs } from '../../workflows/contracts/visit-rectification';
import { connectClient } from '../../config/temporal';
import { EXIT, UserError } from '../programme';
import { visitOps } from '../visit';
import { evidenceStore, storeFiles } from './files';
import { actor, out, ref, withCommon, type Common } from './visit-common';

/** As many files as the HTTP route takes in one report. */
export const MAX_REPORT_FILES = 10;

const ITEM_FORMAT =
  '格式：序号=整改状态[:预计完成日期或理由]，如 1=整改完成、2=正在整改:2027-06-30、3=无法整改:企业已关闭';

/**
 * One `--item`: `<n>=<status>[:<extra>]`, n counted from 1 as the letter numbers its problems; the
 * extra is the expected date for 正在整改 and the reason for 无法整改 (full-width ＝ and ： too,
 * as a Chinese keyboard types them). Whether every problem is answered is the workflow's call.
 */
export function parseReportItem(text: string): SubmitReportArgs['items'][number] {
  const m = /^\s*(\d+)\s*[=＝]\s*([^:：]*?)\s*(?:[:：]\s*([\s\S]*?)\s*)?$/.exec(text);
  if (!m) throw new UserError(`--item 不正确：${text}（${ITEM_FORMAT}）`, EXIT.badInput, 'InvalidInput');
  const n = Number(m[1]);
  if (n < 1) throw new UserError(`--item 的序号从 1 起：${text}`, EXIT.badInput, 'InvalidInput');
  const status = ItemStatus.safeParse(m[2]);
  if (!status.success)
    throw new UserError(
      `--item ${text}：整改状态只能是 ${ItemStatus.options.join(' / ')}`,
      EXIT.badInput,
      'InvalidInput',
    );
  const extra = m[3] || undefined;
  const index = n - 1;
  if (status.data === '正在整改') return { index, status: status.data, ...(extra ? { date: extra } : {}) };
  if (status.data === '无法整改') return { index, status: status.data, ...(extra ? { reason: extra } : {}) };
  if (extra)
    throw new UserError(`--item ${text}：整改完成不带附加内容（${ITEM_FORMAT}）`, EXIT.badInput, 'InvalidInput');
  return { index, status: status.data };
}

/** Adds `report` to the `visit` command (registered first by registerVisitCommands). */
export function registerReportCommand(program: Command): void {
  const visit = program.commands.find((c) => c.name() === 'visit');
  if (!visit) throw new Error('registerVisitCommands must run first');
  withCommon(
    visit.command('report').description('报送整改报告（县区；执法指导人员可代报）：附件存入证据库，逐项填写整改情况'),
  )
    .requiredOption('--file <path...>', `报告文件（1–${MAX_REPORT_FILES} 个；PDF、JPEG、PNG、TIFF、Word、Excel、OFD）`)
    .requiredOption('--item <item...>', `各项整改情况（${ITEM_FORMAT}）`)
    .option('--note <text>', '说明')
    .action(async (opts: Common & { file: string[]; item: string[]; note?: string }) => {
      // Everything that can be checked without the case is checked before a file is stored.
      const items = opts.item.map(parseReportItem);
      if (opts.file.length > MAX_REPORT_FILES)
        throw new UserError(`一次最多附 ${MAX_REPORT_FILES} 个文件`, EXIT.badInput, 'InvalidInput');
      const target = ref(opts);
      const by: Actor = actor(opts, 'county');
      // A county acts for its own county only; the workflow checks it against the case.
      if (by.role === 'county') by.county = target.county;
      const client = await connectClient();
      await visitOps.get(client, target); // not found: refused before anything is stored
      const store = evidenceStore();
      const held = await storeFiles(store, opts.file, visitWorkflowId(target.year, target.bureau, target.county));
      const args: SubmitReportArgs = {
        actor: by,
        files: held.map((f) => ({ sha256: f.sha256, size: f.size, mediaType: f.mediaType, filename: f.filename })),
        items,
        ...(opts.note ? { note: opts.note } : {}),
      };
      const report = await visitOps.submitReport(client, target, args, { store, files: held });
      out(
        opts,
        report,
        `已报送第 ${report.no} 次整改报告（附件 ${args.files.length} 个${report.daysOverdue > 0 ? `，逾期 ${report.daysOverdue} 天` : ''}），等待执法指导人员审核`,
      );
    });
}
