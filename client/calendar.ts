/**
 * The official calendar for `guidance calendar apply`: a small file in the terms of the State
 * Council's yearly notice (国务院办公厅关于××年部分节假日安排的通知) — each holiday's name and
 * days off, and the weekend days worked instead (调休上班) — or the upgraded `chinese-days` package.
 * Either becomes the year's CalendarSnapshot, sent by the applyCalendar Update to the running
 * programme of that year and to every running visit whose calendar holds that year (the visits of
 * that year's programme and of the year before, whose due dates can reach into it).
 *
 * ```yaml
 * year: 2027
 * source: 国务院办公厅关于2027年部分节假日安排的通知
 * holidays:
 *   - { name: 元旦, from: 2027-01-01, to: 2027-01-03 }
 *   - { name: 春节, from: 2027-02-06, to: 2027-02-13 }
 * workdays: [2027-02-14, 2027-02-20]
 * ```
 */
import type { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { takeSnapshot } from '../activities/calendar';
import { addDays, daysBetween, isWeekend } from '../workflows/shared/clock';
import { ApplyCalendarArgs, applyCalendarUpdate, type CalendarApplied } from '../workflows/contracts/calendar-update';
import { scheduleQuery } from '../workflows/contracts/programme';
import { programmeWorkflowId, type Actor } from '../workflows/contracts/common';
import { IsoDate, formatIssues } from '../workflows/shared/plan';
import type { CalendarSnapshot } from '../workflows/shared/schedule';
import { EXIT, UserError } from './programme';

const Holiday = z
  .object({ name: z.string().trim().min(1, '节日名称不能为空').max(20, '节日名称过长'), from: IsoDate, to: IsoDate })
  .strict()
  .refine((h) => h.from <= h.to, { message: '放假结束日期早于开始日期', path: ['to'] })
  .refine((h) => daysBetween(h.from, h.to) <= 14, {
    message: '一个节日放假不超过 15 天',
    path: ['to'],
  });

export const CalendarFileSchema = z
  .object({
    year: z
      .number({ error: '年度应为数字，例如 2027' })
      .int('年度应为整数')
      .min(2000, '年度不正确')
      .max(2100, '年度不正确'),
    source: z
      .string({ error: '请写明依据（通知名称与文号）' })
      .trim()
      .min(2, '请写明依据（通知名称与文号）')
      .max(200, '依据不超过 200 字'),
    holidays: z.array(Holiday).min(1, '至少一个节日'),
    workdays: z.array(IsoDate).default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const inYear = (d: string) => Number(d.slice(0, 4)) === f.year;
    f.holidays.forEach((h, i) => {
      // A holiday may start on the last days of the year before (元旦 2027 may begin 2026-12-31).
      if (!inYear(h.to) && !inYear(h.from))
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `${h.name} 不在 ${f.year} 年` });
    });
    const off = new Set(f.holidays.flatMap((h) => days(h.from, h.to)));
    f.workdays.forEach((d, i) => {
      if (!inYear(d))
        ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `调休上班日 ${d} 不在 ${f.year} 年` });
      else if (off.has(d))
        ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${d} 既是放假日又是上班日` });
      else if (!isWeekend(d))
        ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `调休上班日 ${d} 不是周末` });
    });
  });
export type CalendarFile = z.infer<typeof CalendarFileSchema>;

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The year's snapshot from the notice's terms: weekends and holidays off, the adjusted weekends worked. */
export function snapshotFromFile(f: CalendarFile): CalendarSnapshot {
  const off = new Set(f.holidays.flatMap((h) => days(h.from, h.to)));
  const work = new Set(f.workdays);
  const nonWorkingDays = days(`${f.year}-01-01`, `${f.year}-12-31`).filter((d) => {
    const weekend = isWeekend(d);
    return off.has(d) || (weekend && !work.has(d));
  });
  return { year: f.year, covered: true, nonWorkingDays };
}

/** Reads and checks a calendar file; every problem on its own line, in Chinese (exit 2). */
export function loadCalendarFile(file: string, year: number): { snapshot: CalendarSnapshot; source: string } {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`无法读取日历文件 ${file}：${err instanceof Error ? err.message : String(err)}`, EXIT.badInput);
  }
  const r = CalendarFileSchema.safeParse(raw);
  if (!r.success)
    throw new UserError(
      `日历文件 ${file} 有错误：\n${formatIssues(r.error)
        .map((l) => `  - ${l}`)
        .join('\n')}`,
      EXIT.badInput,
    );
  if (r.data.year !== year) throw new UserError(`日历文件是 ${r.data.year} 年的，不是 ${year} 年`, EXIT.badInput);
  return { snapshot: snapshotFromFile(r.data), source: r.data.source };
}

/** The year's snapshot from the installed `chinese-days`, refused while it has no data for the year. */
export function snapshotFromPackage(year: number): { snapshot: CalendarSnapshot; source: string } {
  const snapshot = takeSnapshot(year);
  if (!snapshot.covered)
    throw new UserError(
      `已安装的 chinese-days 还没有 ${year} 年的节假日安排：请升级该软件包，或用 --file 提供国务院通知的日期`,
      EXIT.badInput,
    );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (require('chinese-days/package.json') as { version: string }).version;
  return { snapshot, source: `chinese-days ${version}` };
}

export interface AppliedTo {
  workflowId: string;
  result?: CalendarApplied;
  /** Why this workflow did not take it (closed, refused). */
  error?: string;
}

/**
 * Sends the calendar to the year's programme and to every running visit of that programme and of
 * the year before. One workflow's refusal does not stop the others; each outcome is reported.
 */
export async function applyCalendar(
  client: Client,
  bureau: string,
  actor: Actor,
  cal: { snapshot: CalendarSnapshot; source: string },
): Promise<AppliedTo[]> {
  const args = ApplyCalendarArgs.parse({ actor, snapshot: cal.snapshot, source: cal.source });
  const year = cal.snapshot.year;
  const out: AppliedTo[] = [];
  const send = async (workflowId: string) => {
    try {
      out.push({
        workflowId,
        result: await client.workflow.getHandle(workflowId).executeUpdate(applyCalendarUpdate, { args: [args] }),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause;
      out.push({ workflowId, error: cause?.message ?? (err instanceof Error ? err.message : String(err)) });
    }
  };
  for (const y of [year - 1, year]) {
    const id = programmeWorkflowId(y, bureau);
    const programme = await client.workflow
      .getHandle(id)
      .query(scheduleQuery)
      .catch(() => undefined);
    if (!programme) continue;
    if (y === year && !programme.finished) await send(id);
    for (const e of programme.entries) if (e.status === 'started' && e.visitWorkflowId) await send(e.visitWorkflowId);
  }
  if (out.length === 0)
    throw new UserError(`没有找到 ${year - 1}、${year} 年度正在进行的执法指导计划或案件`, EXIT.notFound, 'NotFound');
  return out;
}
