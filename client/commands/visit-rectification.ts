/** `guidance visit review|extend|reinspect|acknowledge`: after the letter, the rectification and its receipts (签收). */
import type { Command } from 'commander';
import { connectClient } from '../../config/temporal';
import { visitOps } from '../visit';
import { actor, out, ref, withCommon, type Common } from './visit-common';

export function registerRectificationCommands(visit: Command): void {
  withCommon(visit.command('review').description('审核县区的整改报告：验收通过或退回（须写明理由）'))
    .requiredOption('--decision <accept|return>', 'accept 验收通过；return 退回重新整改')
    .option('--reason <text...>', '退回理由（可多条）')
    .action(async (opts: Common & { decision: string; reason?: string[] }) => {
      const args = {
        actor: actor(opts, 'supervisor'),
        decision: opts.decision as 'accept' | 'return',
        reasons: opts.reason,
      };
      const report = await visitOps.reviewReport(await connectClient(), ref(opts), args);
      out(
        opts,
        report,
        `第 ${report.no} 次整改报告${report.decision === 'accept' ? '验收通过' : `已退回，重新报送期限 ${report.dueDate}`}，验收意见将编号、送达`,
      );
    });

  withCommon(visit.command('extend').description('延长整改期限（须写明理由）'))
    .requiredOption('--to <YYYY-MM-DD>', '新的整改期限（工作日）')
    .requiredOption('--reason <text>', '延期理由')
    .action(async (opts: Common & { to: string; reason: string }) => {
      const args = { actor: actor(opts, 'supervisor'), newDueDate: opts.to, reason: opts.reason };
      const r = await visitOps.extendDue(await connectClient(), ref(opts), args);
      out(opts, r, `整改期限已延至 ${r.dueDate}`);
    });

  withCommon(visit.command('reinspect').description('记录复查结果（逐项填写意见书中的问题；记录后办结归档）'))
    .requiredOption('--date <YYYY-MM-DD>', '复查日期')
    .option('--failed <n...>', '未整改到位的问题序号（从 1 起）；其余视为已整改到位')
    .option('--comment <text>', '复查说明（写在未整改到位的各项上）')
    .action(async (opts: Common & { date: string; failed?: string[]; comment?: string }) => {
      const client = await connectClient();
      const target = ref(opts);
      const c = await visitOps.get(client, target);
      const failed = new Set((opts.failed ?? []).map((n) => Number(n) - 1));
      const items = (c.rectification?.problems ?? []).map((_, index) => ({
        index,
        passed: !failed.has(index),
        ...(failed.has(index) && opts.comment ? { comment: opts.comment } : {}),
      }));
      const r = await visitOps.recordReinspection(client, target, {
        actor: actor(opts, 'supervisor'),
        date: opts.date,
        items,
      });
      out(opts, r, `复查已记录（${items.length} 项，${failed.size} 项未整改到位），案件将办结归档`);
    });

  withCommon(
    visit
      .command('acknowledge')
      .description(
        '登记县区对文书的签收（签收）：县区用户在门户或邮件链接中签收；此命令供指导组或管理员代为登记（如纸质送达回证），县区角色则为县区本身签收',
      ),
  )
    .requiredOption('--receipt <id>', '回执编号（如 R1；见 guidance visit status 或待办）')
    .requiredOption('--signer <name>', '签收人姓名')
    .action(async (opts: Common & { receipt: string; signer: string }) => {
      const who = actor(opts, 'supervisor');
      const args = {
        actor: who.role === 'county' ? { ...who, county: opts.county } : who,
        receipt: opts.receipt,
        signer: opts.signer,
        via: who.role === 'county' ? ('portal' as const) : ('staff' as const),
      };
      const r = await visitOps.acknowledge(await connectClient(), ref(opts), args);
      out(opts, r, `${r.title}${r.docNumber ? ` ${r.docNumber}` : ''} 已签收（签收人 ${r.acknowledged!.signer}）`);
    });
}
