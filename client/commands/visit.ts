/**
 * `guidance visit status|evidence|finding|enterprise|submit|approve|return|review|extend|reinspect|retry|roster|emails`
 * (and `report`, client/commands/report.ts).
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import path from 'node:path';
import { EvidenceStore } from '../../activities/evidence/store';
import { sweepPins } from '../../activities/evidence/sweep';
import { ActorSchema, Role, visitWorkflowId, type Actor } from '../../workflows/contracts/common';
import { formatIssues } from '../../workflows/shared/plan';
import { CHECKLIST_ITEM_LABEL, ChecklistItemKey } from '../../workflows/shared/checklist';
import { DELIVERY_STATUS_LABEL, FindingResult, STAGE_LABEL } from '../../workflows/shared/labels';
import type { VisitCase } from '../../workflows/contracts/visit';
import { config as envConfig } from '../../config/env';
import { loadPlanFile } from '../plan';
import { EXIT, UserError } from '../programme';
import { connectClient, loadTemporalConfig } from '../../config/temporal';
import { readCase } from '../record';
import { caseFilesById, visitOps, type VisitRef } from '../visit';
import { evidenceStore, storeFiles } from './files';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CorrectRosterArgs } from '../../workflows/contracts/roster';

/** A roster file: a list of enterprises, or a county entry (`enterprises:`) as in the plan file. */
function readRoster(file: string): unknown {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`无法读取企业名单文件 ${file}：${(err as Error).message}`, EXIT.badInput);
  }
  return Array.isArray(raw) ? raw : (raw as { enterprises?: unknown } | null)?.enterprises;
}

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

export interface Common {
  year: string;
  county: string;
  bureau?: string;
  plan: string;
  by?: string;
  role?: string;
  json?: boolean;
}

export function ref(opts: Common): VisitRef {
  const year = Number(opts.year);
  if (!Number.isInteger(year)) throw new UserError(`年度不正确：${opts.year}`, EXIT.badInput);
  return { year, county: opts.county, bureau: opts.bureau ?? loadPlanFile(opts.plan).bureau.code };
}

export function actor(opts: Common, defaultRole: Actor['role']): Actor {
  const parsed = ActorSchema.safeParse({ id: opts.by ?? envConfig().actor, role: opts.role ?? defaultRole });
  if (!parsed.success)
    throw new UserError(`--by/--role 不正确：${formatIssues(parsed.error).join('；')}`, EXIT.badInput);
  return parsed.data;
}

export function out(opts: Common, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export function withCommon(cmd: Command): Command {
  return cmd
    .requiredOption('--year <year>', '年度')
    .requiredOption('--county <code>', '县区代码')
    .option('--bureau <code>', '市局代码（默认取计划文件中的）')
    .option('--plan <file>', '计划文件', envConfig().planFile)
    .option('--by <id>', '操作人 ID')
    .option('--role <role>', `角色（${Role.options.join('/')}）`)
    .option('--json', '输出 JSON');
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
    const r = await readCase(await connectClient(), target, path.join(loadTemporalConfig().dataDir, 'archive'));
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

  visit
    .command('sweep-evidence')
    .description('核对证据库：超过宽限期仍未确认的上传（如请求超时），按执法指导记录保留或删除；被引用的文件从不删除')
    .option('--grace-hours <hours>', '只处理早于此时长的上传（小时）', '24')
    .option('--dry-run', '只报告，不做改动')
    .option('--json', '输出 JSON')
    .action(async (opts: { graceHours: string; dryRun?: boolean; json?: boolean }) => {
      const hours = Number(opts.graceHours);
      if (!Number.isFinite(hours) || hours < 1)
        throw new UserError(`--grace-hours 应不少于 1：${opts.graceHours}`, EXIT.badInput);
      const client = await connectClient();
      const dataDir = loadTemporalConfig().dataDir;
      const store = new EvidenceStore({ dir: path.join(dataDir, 'evidence') });
      const archiveDir = path.join(dataDir, 'archive');
      const report = await sweepPins(store, {
        graceMs: hours * 3_600_000,
        dryRun: opts.dryRun,
        references: (caseId) => caseFilesById(client, caseId, archiveDir),
      });
      const text = `${opts.dryRun ? '（试运行，未改动）' : ''}核对 ${report.checked} 个未确认的上传：${report.accepted} 个已被执法指导引用，${report.released} 个未被引用（删除文件 ${report.removed.length} 个），${report.unknown} 个暂无法核对（保留）`;
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
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

  withCommon(visit.command('retry').description('故障排除后重试失败的步骤（管理员）'))
    .option('--incident <id>', '故障编号（如 I1；默认当前待处理的故障）')
    .option('--note <text>', '处理说明（如“模板已修正”）')
    .action(async (opts: Common & { incident?: string; note?: string }) => {
      const args = { actor: actor(opts, 'admin'), incident: opts.incident, note: opts.note };
      const incident = await visitOps.retry(await connectClient(), ref(opts), args);
      out(opts, incident, `故障 ${incident.id} 已重试：${incident.what}`);
    });

  // A roster the draw refused (empty, an enterprise twice): the incident clears once it is corrected and retried.
  withCommon(
    visit
      .command('roster')
      .description('抽取前更正企业名单（管理员或指导组）：名单为 YAML/JSON 文件，更正后由管理员重试抽取'),
  )
    .requiredOption(
      '--file <path>',
      '企业名单文件：企业列表，或含 enterprises 的县区信息（与计划文件中 counties 的一项相同）',
    )
    .requiredOption('--reason <text>', '更正理由')
    .action(async (opts: Common & { file: string; reason: string }) => {
      const args = { actor: actor(opts, 'admin'), enterprises: readRoster(opts.file), reason: opts.reason };
      const parsed = CorrectRosterArgs.safeParse(args);
      if (!parsed.success)
        throw new UserError(
          `企业名单有误：\n${formatIssues(parsed.error)
            .map((l) => `  - ${l}`)
            .join('\n')}`,
          EXIT.badInput,
        );
      const r = await visitOps.correctRoster(await connectClient(), ref(opts), parsed.data);
      out(opts, r, `企业名单已更正（${r.enterprises} 家）；抽取故障请由管理员重试：guidance visit retry`);
    });

  // A county mailbox that refuses mail: every later letter goes to the corrected addresses.
  withCommon(visit.command('emails').description('更正县区收件邮箱（管理员或指导组）：此后的文书发往更正后的邮箱'))
    .requiredOption('--email <address...>', '收件邮箱（可多个）')
    .requiredOption('--reason <text>', '更正理由')
    .action(async (opts: Common & { email: string[]; reason: string }) => {
      const args = { actor: actor(opts, 'admin'), emails: opts.email, reason: opts.reason };
      const r = await visitOps.correctCountyEmails(await connectClient(), ref(opts), args);
      out(opts, r, `县区收件邮箱已更正为 ${r.emails.join('、')}；此后的文书发往这些邮箱`);
    });

  withCommon(visit.command('return').description('退回修改（须写明意见）'))
    .requiredOption('--comment <text>', '退回意见')
    .action(async (opts: Common & { comment: string }) => {
      const args = { actor: actor(opts, 'leader'), comment: opts.comment };
      const target = ref(opts);
      const c = await visitOps.return(await connectClient(), target, args);
      out(opts, c, '已退回修改');
    });
}
