/**
 * `guidance archive verify [CASE]`: checks archived cases against their sha256 manifests and the
 * year's archive index (a case rewritten together with its manifest no longer matches the index).
 * `guidance due-date --from YYYY-MM-DD --days N`: the rectification due date and why it moved.
 */
import type { Command } from 'commander';
import { verifyArchiveTree } from '../../activities/archive-index';
import { archiveStore } from '../../activities/archive-store';
import { configuredArchive } from '../record';
import { chinaCalendar } from '../../activities/calendar';
import { addDays, isWeekend } from '../../workflows/shared/clock';
import { IsoDate } from '../../workflows/shared/plan';
import { onOrNextWorkingDay } from '../../workflows/shared/schedule';
import { EXIT, UserError } from '../programme';

/** Due date = from + days; a last day that is a weekend or holiday moves to the next working day. */
export function dueDate(
  from: string,
  days: number,
): { dueDate: string; nominal: string; moved: boolean; reason?: string; calendarCovered: boolean } {
  const nominal = addDays(from, days);
  const due = onOrNextWorkingDay(nominal, chinaCalendar);
  const covered = chinaCalendar.covers(Number(nominal.slice(0, 4)));
  if (due === nominal) return { dueDate: due, nominal, moved: false, calendarCovered: covered };
  const weekend = isWeekend(nominal);
  const why = covered && !weekend ? '法定节假日' : weekend ? '周末' : '休息日';
  return {
    dueDate: due,
    nominal,
    moved: true,
    reason: `${nominal} 是${why}，期限顺延至下一个工作日 ${due}`,
    calendarCovered: covered,
  };
}

export function registerArchiveCommands(program: Command): void {
  program
    .command('due-date')
    .description('计算整改期限（期限最后一日为节假日的，顺延至节假日后第一个工作日）')
    .requiredOption('--from <YYYY-MM-DD>', '起算日期（意见书日期）')
    .requiredOption('--days <n>', '整改期限天数')
    .option('--json', '输出 JSON')
    .action((opts: { from: string; days: string; json?: boolean }) => {
      if (!IsoDate.safeParse(opts.from).success)
        throw new UserError(`日期不正确：${opts.from}（应为存在的日期，格式 YYYY-MM-DD）`, EXIT.badInput);
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 0 || days > 3650)
        throw new UserError(`天数不正确：${opts.days}`, EXIT.badInput);
      const r = dueDate(opts.from, days);
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        process.stdout.write(`${r.dueDate}\n`);
        if (r.reason) process.stdout.write(`${r.reason}\n`);
        if (!r.calendarCovered)
          process.stdout.write(`注意：日历数据尚未包含 ${r.nominal.slice(0, 4)} 年法定节假日，仅按周末计算\n`);
      }
    });

  program
    .command('archive')
    .description('案件归档')
    .command('verify')
    .argument('[case]', '案件编号（如 visit-2027-heluo-xiangshan）；不填则检查全部')
    .option('--dir <path>', '归档目录（默认 数据目录/archive）')
    .option('--json', '输出 JSON')
    .description('按 sha256 清单、案件登记的文书 sha256 及年度归档索引核对归档文件，列出被修改、缺失或与登记不符的文件')
    .action(async (caseId: string | undefined, opts: { dir?: string; json?: boolean }) => {
      // The configured archive (a bucket with GUIDANCE_STORAGE=s3), or a folder on this host.
      const root = opts.dir ?? configuredArchive();
      if (caseId && !/^[A-Za-z0-9._-]+$/.test(caseId)) throw new UserError(`案件编号不正确：${caseId}`, EXIT.badInput);
      if (caseId && (await archiveStore(root).list(`${caseId}/`)).length === 0)
        throw new UserError(`没有找到归档案件 ${caseId}`, EXIT.notFound);
      // Every folder against its manifest; every case a year's index names against the index too.
      const results = await verifyArchiveTree(root, caseId);
      if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else {
        for (const r of results) {
          const problems = [
            ...r.changed.map((f) => `已被修改 ${f}`),
            ...r.missing.map((f) => `缺失 ${f}`),
            ...r.notAsRecorded.map((f) => `与案件登记的 sha256 不符 ${f}`),
            ...r.notAsIndexed.map((f) => `与年度归档索引不符 ${f}`),
            ...(r.indexedMissing ?? []).map((c) => `索引所列案件的归档缺失 ${c}`),
          ];
          process.stdout.write(r.ok ? `✓ ${r.caseId}\n` : `✗ ${r.caseId}：${problems.join('；')}\n`);
          // A programme folder: its manifest's hash, to compare with the programme's own record of it.
          if (r.manifestSha256) process.stdout.write(`  年度归档索引，清单 sha256 ${r.manifestSha256}\n`);
          // Not part of the record, not a failure: a person should still know they are there.
          const stray = r.unlisted.filter((f) => !f.includes('.tmp-'));
          if (stray.length) process.stdout.write(`  未列入归档清单（不属于案件记录）：${stray.join('、')}\n`);
        }
        if (results.length === 0) process.stdout.write('没有已归档的案件\n');
      }
      if (results.some((r) => !r.ok))
        throw new UserError(
          `${results.filter((r) => !r.ok).length} 个归档的文件与清单或年度归档索引不符`,
          EXIT.refused,
          'IntegrityError',
        );
    });
}
