/**
 * `guidance visit status|evidence|finding|enterprise|submit|approve|return`; the rectification
 * commands are in visit-rectification.ts, the administrators' in visit-admin.ts, `report` in report.ts.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { visitWorkflowId } from '../../workflows/contracts/common';
import { CHECKLIST_ITEM_LABEL, ChecklistItemKey } from '../../workflows/shared/checklist';
import { DELIVERY_STATUS_LABEL, FindingResult, STAGE_LABEL } from '../../workflows/shared/labels';
import type { VisitCase } from '../../workflows/contracts/visit';
import { EXIT, UserError } from '../programme';
import { connectClient } from '../../config/temporal';
import { configuredArchive, readCase } from '../record';
import { visitOps } from '../visit';
import { evidenceStore, storeFiles } from './files';
import { registerVisitAdminCommands } from './visit-admin';
import { registerVisitDocumentCommands } from './visit-documents';
import { actor, out, ref, withCommon, type Common } from './visit-common';
import { registerRectificationCommands } from './visit-rectification';

/** `--item`, refused before connecting when it names no checklist item. */
function checklistItemOption(value: string): ChecklistItemKey {
  const r = ChecklistItemKey.safeParse(value);
  if (!r.success) throw new UserError(`--item 应为检查项之一：${ChecklistItemKey.options.join(' / ')}`, EXIT.badInput);
  return r.data;
}

/** `--result`, refused before connecting when it is not one of the four results. */
function findingResultOption(value: string): FindingResult {
  const r = FindingResult.safeParse(value);
  if (!r.success) throw new UserError(`--result 应为 ${FindingResult.options.join(' / ')} 之一`, EXIT.badInput);
  return r.data;
}

/** A person's view of a case. */
export function printCase(c: VisitCase): void {
  process.stdout.write(`${c.countyName} ${c.year} 年度执法指导 — ${STAGE_LABEL[c.stage]}，指导日期 ${c.date}\n`);
  if (c.sample)
    process.stdout.write(
      `抽查企业：${c.sample.enterprises.map((e) => `${e.name}（${e.id}）`).join('、')}；种子 ${c.sample.seed}\n`,
    );
  const t = new Table({ head: ['检查项', '结论', '问题', '证据'], style: { compact: true, head: [], border: [] } });
  for (const f of c.findings)
    t.push([
      CHECKLIST_ITEM_LABEL[f.item] ?? f.item,
      f.result ?? '—',
      (f.problem ?? '').slice(0, 30),
      f.evidence.join(','),
    ]);
  process.stdout.write(`${t.toString()}\n`);
  if (c.evidence.length) process.stdout.write(`证据：${c.evidence.map((e) => `${e.id} ${e.filename}`).join('；')}\n`);
  if (c.letter)
    process.stdout.write(
      `意见书：${c.letter.docNumber}，整改期限 ${c.letter.dueDate}，送达：${c.letter.delivery ? DELIVERY_STATUS_LABEL[c.letter.delivery.status] : '发送中'}\n`,
    );
}

export function registerVisitCommands(program: Command): void {
  const visit = program.command('visit').description('县区执法指导：证据、检查结论、提交、审批');

  // A case Temporal no longer keeps (past the namespace's retention) is read from its archive.
  withCommon(
    visit.command('status').description('查看一次执法指导的状态（工作流已不在 Temporal 中的，读取归档）'),
  ).action(async (opts: Common) => {
    const target = ref(opts);
    const r = await readCase(await connectClient(), target, configuredArchive());
    if (opts.json) out(opts, r.source === 'archive' ? { ...r.case, source: r.source, archive: r.archive } : r.case, '');
    else {
      printCase(r.case);
      if (r.archive)
        process.stdout.write(
          `（来自归档：Temporal 已不保留该工作流；归档清单 sha256 ${r.archive.manifestSha256.slice(0, 16)}…，${r.archive.files} 个文件）\n`,
        );
    }
  });

  withCommon(visit.command('evidence').description('添加证据材料（文件存入证据库，记录其 sha256）'))
    .requiredOption('--file <path>', '文件')
    .requiredOption('--item <key>', '检查项（如 plan.compile）')
    .option('--enterprise <id>', '抽查企业编号')
    .option('--note <text>', '说明')
    .action(async (opts: Common & { file: string; item: string; enterprise?: string; note?: string }) => {
      const r = ref(opts);
      const by = actor(opts, 'supervisor');
      const item = checklistItemOption(opts.item); // refused before anything is stored
      const client = await connectClient();
      await visitOps.get(client, r); // not found: refused before anything is stored
      const store = evidenceStore();
      // Pinned for this case until the Update's outcome is known (activities/evidence/pins.ts).
      const stored = (await storeFiles(store, [opts.file], visitWorkflowId(r.year, r.bureau, r.county)))[0]!;
      // Refused: the pin is released and the file removed if nothing else holds it; a timeout or a
      // lost reply keeps it, since the case may point at it (client/visit.ts).
      const rec = await visitOps.addEvidence(
        client,
        r,
        {
          actor: by,
          sha256: stored.sha256,
          size: stored.size,
          mediaType: stored.mediaType,
          filename: stored.filename,
          item,
          enterprise: opts.enterprise,
          note: opts.note,
        },
        { store, files: [stored] },
      );
      out(
        opts,
        { ...rec, filename: stored.filename, sha256: stored.sha256 },
        `已登记证据 ${rec.id}：${stored.filename}（sha256 ${stored.sha256}）`,
      );
    });

  withCommon(visit.command('finding').description('填写一个检查项的结论'))
    .requiredOption('--item <key>', '检查项')
    .requiredOption('--result <result>', FindingResult.options.join(' / '))
    .option('--problem <text>', '存在问题')
    .option('--opinion <text>', '处理意见')
    .option('--evidence <ids>', '证据编号，逗号分隔（如 E1,E2）')
    .action(
      async (
        opts: Common & { item: string; result: string; problem?: string; opinion?: string; evidence?: string },
      ) => {
        const target = ref(opts);
        const by = actor(opts, 'supervisor');
        const done = await visitOps.setFinding(await connectClient(), target, {
          actor: by,
          item: checklistItemOption(opts.item),
          result: findingResultOption(opts.result),
          problem: opts.problem,
          opinion: opts.opinion,
          evidence: opts.evidence
            ? opts.evidence
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [],
        });
        out(opts, done, `已记录：${opts.item} ${opts.result}`);
      },
    );

  withCommon(visit.command('enterprise').description('填写抽查企业的核查结果：发现的问题（附处理意见）或未发现问题'))
    .requiredOption('--enterprise <id>', '企业编号')
    .option('--problem <text...>', '发现的问题或隐患（可多条）')
    .option('--opinion <text>', '处理意见（针对 --problem 的问题）')
    .option('--clean <text...>', '未发现问题的核查结果（可多条），如：未发现重大事故隐患')
    .option('--finding <text...>', '同 --problem（旧写法）')
    .action(
      async (
        opts: Common & {
          enterprise: string;
          problem?: string[];
          opinion?: string;
          clean?: string[];
          finding?: string[];
        },
      ) => {
        const checks = [
          ...[...(opts.problem ?? []), ...(opts.finding ?? [])].map((text) => ({
            result: '发现问题' as const,
            text,
            ...(opts.opinion ? { opinion: opts.opinion } : {}),
          })),
          ...(opts.clean ?? []).map((text) => ({ result: '未发现问题' as const, text })),
        ];
        const args = { actor: actor(opts, 'supervisor'), enterprise: opts.enterprise, checks };
        const target = ref(opts);
        const r = await visitOps.setEnterpriseResult(await connectClient(), target, args);
        out(opts, r, `已记录抽查企业 ${args.enterprise} 的核查结果`);
      },
    );

  withCommon(visit.command('submit').description('结束现场指导，提交审批')).action(async (opts: Common) => {
    const args = { actor: actor(opts, 'supervisor') };
    const target = ref(opts);
    const c = await visitOps.submit(await connectClient(), target, args);
    out(opts, c, '已提交审批');
  });

  withCommon(visit.command('approve').description('审批通过（分管局领导）'))
    .option('--comment <text>', '审批意见')
    .action(async (opts: Common & { comment?: string }) => {
      const args = { actor: actor(opts, 'leader'), comment: opts.comment };
      const target = ref(opts);
      const c = await visitOps.approve(await connectClient(), target, args);
      out(opts, c, '已审批通过，意见书将编号、送达');
    });

  withCommon(visit.command('return').description('退回修改（须写明意见）'))
    .requiredOption('--comment <text>', '退回意见')
    .action(async (opts: Common & { comment: string }) => {
      const args = { actor: actor(opts, 'leader'), comment: opts.comment };
      const target = ref(opts);
      const c = await visitOps.return(await connectClient(), target, args);
      out(opts, c, '已退回修改');
    });

  registerRectificationCommands(visit);
  registerVisitAdminCommands(visit);
  registerVisitDocumentCommands(visit);
}
