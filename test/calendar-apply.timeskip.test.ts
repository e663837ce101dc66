/**
 * The official calendar applied mid-year (time-skipping, loopback SMTP): a programme's visit that
 * has not started moves off a new holiday; a case in rectification whose due date became a holiday
 * gets the next working day — timer, ladder and record alike — and the county is emailed; what has
 * passed stays. The calendar file in the terms of the State Council notice: checked, and a property
 * that whatever it accepts becomes a snapshot holding exactly its days off.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../activities/calendar';
import { CalendarFileSchema, applyCalendar, loadCalendarFile, snapshotFromFile } from '../client/calendar';
import { startProgramme } from '../client/programme';
import { addDays } from '../workflows/shared/clock';
import { applyCalendarUpdate } from '../workflows/contracts/calendar-update';
import { scheduleQuery } from '../workflows/contracts/programme';
import { programmeWorkflowId, type Actor } from '../workflows/contracts/common';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, refusal, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from './helpers/worker';

const admin: Actor = { id: 'admin', role: 'admin' };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'calendar-'));
function calendarFile(content: unknown): string {
  const f = path.join(tmp, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, typeof content === 'string' ? content : stringify(content));
  return f;
}
/** A notice for `year` with one extra holiday over `days` (plus 元旦). */
const notice = (year: number, days: string[]) => ({
  year,
  source: `国务院办公厅关于${year}年部分节假日安排的通知（测试）`,
  holidays: [
    { name: '元旦', from: `${year}-01-01`, to: `${year}-01-01` },
    ...days.map((d) => ({ name: '测试假日', from: d, to: d })),
  ],
  workdays: [],
});

describe('the calendar file (国务院通知)', () => {
  it('refuses bad files with each problem in Chinese, and a year that does not match', () => {
    const bad = calendarFile({
      year: 2027,
      source: '',
      holidays: [{ name: '春节', from: '2027-02-13', to: '2027-02-06' }],
      workdays: ['2027-02-10', '2026-12-26'],
    });
    expect(() => loadCalendarFile(bad, 2027)).toThrow(
      /请写明依据[\s\S]*放假结束日期早于开始日期[\s\S]*不是周末[\s\S]*不在 2027 年/,
    );
    expect(() => loadCalendarFile(calendarFile(notice(2027, [])), 2028)).toThrow('日历文件是 2027 年的，不是 2028 年');
    expect(() => loadCalendarFile(calendarFile('year: [\n'), 2027)).toThrow(/无法读取日历文件/);
    expect(() => loadCalendarFile(path.join(tmp, 'missing.yaml'), 2027)).toThrow(/无法读取日历文件/);
  });

  it('whatever it accepts becomes a snapshot with exactly its days off', () => {
    const day = fc.integer({ min: 0, max: 364 }).map((n) => addDays('2027-01-01', n));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(day, fc.integer({ min: 0, max: 6 })), { maxLength: 8 }),
        fc.array(day, { maxLength: 6 }),
        (hs, ws) => {
          const raw = {
            year: 2027,
            source: '测试通知',
            holidays: [
              { name: '元旦', from: '2027-01-01', to: '2027-01-01' },
              ...hs.map(([d, n]) => ({ name: '节', from: d, to: addDays(d, n) })),
            ],
            workdays: ws,
          };
          const parsed = CalendarFileSchema.safeParse(raw);
          if (!parsed.success) return;
          const snap = snapshotFromFile(parsed.data);
          const off = new Set(snap.nonWorkingDays);
          for (const h of parsed.data.holidays)
            for (let d = h.from; d <= h.to; d = addDays(d, 1)) if (d.startsWith('2027')) expect(off.has(d)).toBe(true);
          for (const w of parsed.data.workdays) expect(off.has(w)).toBe(false);
          expect(snap.nonWorkingDays.every((d) => d.startsWith('2027-'))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('knows a year the package has no holidays for even when 1 January is a weekend (2028)', () => {
    expect(takeSnapshot(2028).covered).toBe(false);
    expect(takeSnapshot(2026).covered).toBe(true);
  });

  it('`guidance plan check` names each year of the plan (and the next) the calendar does not cover', () => {
    const out = execFileSync(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', 'plan', 'check', 'examples/plan.yaml'],
      { encoding: 'utf8' },
    );
    expect(out).toContain('计划文件正确');
    for (const y of [2027, 2028]) {
      expect(out.includes(`工作日历尚无 ${y} 年的法定节假日安排`), String(y)).toBe(!takeSnapshot(y).covered);
    }
    const show = execFileSync(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', 'calendar', 'show', '--year', '2026'],
      { encoding: 'utf8' },
    );
    expect(show).toMatch(/^2026 年：已有国务院公布的节假日安排（非工作日 \d+ 天）/);
  });
});

let env: TestWorkflowEnvironment;
let sink: SmtpSink;
let worker: Worker;
let running: Promise<void>;
let queue: string;

describe('applying it to running workflows (time-skipping)', () => {
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
    sink = await startSmtpSink();
    queue = uniqueQueue('calendar');
    worker = await createTestWorker(env, queue, testActivityDeps(env, queue, testDirs(), sink.port));
    running = worker.run();
  });
  afterEach(async () => {
    worker.shutdown();
    await running;
    await sink.close();
    await env.teardown();
  });

  it('moves a due date that became a holiday, tells the county, re-plans the ladder; refusals change nothing', async () => {
    const d = new VisitDriver(env, queue);
    const { year, date } = await d.visitDate();
    const plan = d.planFor(year);
    const county = plan.counties[0]!;
    const { h, s } = await d.toRectification(plan, 0, date);
    const due = s.rectification!.dueDate;
    const cal = loadCalendarFile(calendarFile(notice(year, [due, addDays(due, 1)])), year);

    expect((await refusal(h.executeUpdate(applyCalendarUpdate, { args: [{ actor: supervisor, ...cal }] }))).type).toBe(
      'Forbidden',
    );
    expect(
      (
        await refusal(
          h.executeUpdate(applyCalendarUpdate, {
            args: [
              {
                actor: admin,
                snapshot: {
                  ...cal.snapshot,
                  year: year + 5,
                  nonWorkingDays: cal.snapshot.nonWorkingDays.map((x) => `${year + 5}${x.slice(4)}`),
                },
                source: cal.source,
              },
            ],
          }),
        )
      ).message,
    ).toContain(`不涉及 ${year + 5} 年`);
    expect((await d.state(h)).rectification!.dueDate).toBe(due);

    const applied = await h.executeUpdate(applyCalendarUpdate, { args: [{ actor: admin, ...cal }] });
    let moved = addDays(due, 2);
    while ([0, 6].includes(new Date(`${moved}T00:00:00Z`).getUTCDay())) moved = addDays(moved, 1);
    expect(applied.moves).toEqual([{ what: '整改期限', from: due, to: moved }]);
    const after = await d.waitFor(h, (x) => x.audit.some((a) => a.action === 'dueDateMovedNotice'), 'the county told');
    expect(after.rectification!.dueDate).toBe(moved);
    expect(after.calendars).toHaveLength(1);
    const subjects: string[] = [];
    for (const m of sink.messages)
      if (m.rcptTo.includes(county.emails[0]!)) subjects.push((await simpleParser(m.raw)).subject ?? '');
    expect(subjects.filter((x) => x.includes('整改期限调整'))).toHaveLength(1);

    // The ladder follows the new date: nothing is overdue on the old due date's next day.
    await d.skipTo(addDays(due, 1), 12);
    expect((await d.state(h)).rectification!.escalations).toHaveLength(0);
    await d.skipTo(addDays(moved, 2), 12);
    await d.waitFor(h, (x) => x.rectification!.escalations.length === 1, 'the first rung after the new date');
    expect((await d.state(h)).rectification!.overdue).toBe(true);

    // Applied again: nothing left to move; the due date has passed.
    const again = await h.executeUpdate(applyCalendarUpdate, { args: [{ actor: admin, ...cal }] });
    expect(again.moves).toEqual([]);
    await h.terminate('test over');
  });

  it('a programme moves a visit not yet started off a new holiday, through `applyCalendar` of the client', async () => {
    const d = new VisitDriver(env, queue);
    const year = await d.nextYear();
    const date = `${year}-06-07`; // a date well ahead, made a holiday below
    let day = date;
    while ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) day = addDays(day, 1);
    const plan = d.planFor(year, (raw) => {
      raw.counties = raw.counties.slice(0, 1);
      raw.counties[0].date = day;
    });
    await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
    const h = env.client.workflow.getHandle(programmeWorkflowId(year, plan.bureau.code));
    for (let i = 0; i < 100 && (await h.query(scheduleQuery)).entries.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const cal = loadCalendarFile(calendarFile(notice(year, [day])), year);
    const results = await applyCalendar(env.client, plan.bureau.code, admin, cal);
    expect(results.map((r) => r.workflowId)).toEqual([h.workflowId]);
    const move = results[0]!.result!.moves[0]!;
    expect(move).toMatchObject({ from: day });
    expect(move.to > day).toBe(true);
    const state = await h.query(scheduleQuery);
    expect(state.entries[0]).toMatchObject({ date: move.to, origin: 'rescheduled' });
    expect(state.audit.at(-1)!.action).toBe('applyCalendar');
    await h.terminate('test over');
  });
});
