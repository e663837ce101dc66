/** `guidance visit retry|roster|emails|sweep-evidence`: clearing incidents and correcting a case's inputs. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { sweepPins } from '../../activities/evidence/sweep';
import { CorrectRosterArgs } from '../../workflows/contracts/roster';
import { formatIssues } from '../../workflows/shared/plan';
import { configuredArchive } from '../record';
import { connectClient } from '../../config/temporal';
import { EXIT, UserError } from '../programme';
import { caseFilesById, visitOps } from '../visit';
import { evidenceStore } from './files';
import { actor, out, ref, withCommon, type Common } from './visit-common';

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

export function registerVisitAdminCommands(visit: Command): void {
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
      // The evidence in the configured object store, where every dashboard and CLI put it.
      const store = evidenceStore();
      const archiveDir = configuredArchive();
      const report = await sweepPins(store, {
        graceMs: hours * 3_600_000,
        dryRun: opts.dryRun,
        references: (caseId) => caseFilesById(client, caseId, archiveDir),
      });
      const text = `${opts.dryRun ? '（试运行，未改动）' : ''}核对 ${report.checked} 个未确认的上传：${report.accepted} 个已被执法指导引用，${report.released} 个未被引用（删除文件 ${report.removed.length} 个），${report.unknown} 个暂无法核对（保留）`;
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
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
}
