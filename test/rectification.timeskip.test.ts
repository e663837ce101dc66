/**
 * Rectification (整改) on the time-skipping test server with a loopback SMTP server: a report on
 * time, late at every rung of the ladder, return and resubmission, extensions, due dates moved by
 * weekends and the October holiday, and the case archive verified.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyArchive } from '../activities/archive';
import { addDays } from '../workflows/shared/clock';
import type { Actor } from '../workflows/contracts/common';
import type { WorkingDayCalendar } from '../workflows/shared/schedule';
import { type VisitCase } from '../workflows/contracts/visit';
import {
  extendDueUpdate,
  recordReinspectionUpdate,
  reviewReportUpdate,
  submitReportUpdate,
} from '../workflows/contracts/visit-rectification';
import { startSmtpSink, type SmtpSink } from './email/helpers';
import { createTimeSkippingEnv } from './helpers/temporal';
import { VisitDriver, refusal, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from './helpers/worker';

interface Rig {
  env: TestWorkflowEnvironment;
  sink: SmtpSink;
  worker: Worker;
  running: Promise<void>;
  dirs: TestDirs;
  d: VisitDriver;
}

async function rig(calendar?: WorkingDayCalendar): Promise<Rig> {
  const env = await createTimeSkippingEnv();
  const sink = await startSmtpSink();
  const queue = uniqueQueue('rect');
  const dirs = testDirs();
  const worker = await createTestWorker(env, queue, { ...testActivityDeps(env, queue, dirs, sink.port), calendar });
  const running = worker.run();
  return { env, sink, worker, running, dirs, d: new VisitDriver(env, queue) };
}

async function teardown(r: Rig | undefined): Promise<void> {
  if (!r) return;
  r.worker.shutdown();
  await r.running;
  await r.sink.close();
  await r.env.teardown();
}

const countyActor = (code: string): Actor => ({ id: `${code}-user`, role: 'county', county: code });
const FILE = {
  sha256: createHash('sha256').update('report').digest('hex'),
  size: 4096,
  mediaType: 'application/pdf' as const,
  filename: '整改情况报告.pdf',
};

/** A complete report: every problem of the letter answered. */
function report(s: VisitCase, actor: Actor) {
  return {
    actor,
    files: [FILE],
    items: s.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
  };
}

/** Subjects of the mails that reached `address`. */
async function subjectsTo(sink: SmtpSink, address: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of sink.messages) if (m.rcptTo.includes(address)) out.push((await simpleParser(m.raw)).subject ?? '');
  return out;
}

const ESCALATION = /【(催办通知|督办函|警示函|约谈通知书)】/;

let r: Rig;

describe('rectification (time-skipping, loopback SMTP)', () => {
  // A test server of its own per test: after one case closed, later clock skips on the same Java
  // test server were seen to stall; separate servers keep the tests independent.
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(async () => {
    await teardown(r);
  });

  it('a report on time: reminders only, no escalation document at all; accepted, closed and archived', async () => {
    const { year, date } = await r.d.visitDate();
    const plan = r.d.planFor(year);
    const county = plan.counties[0]!;
    const { h, s } = await r.d.toRectification(plan, 0, date);
    const due = s.rectification!.dueDate;
    expect(due).toBe(s.letter!.dueDate);

    await r.d.skipTo(addDays(due, -3));
    await r.d.waitFor(h, (x) => x.rectification!.reminders.length === 1, 'the 7-day reminder');
    const rep = await h.executeUpdate(submitReportUpdate, {
      args: [report(await r.d.state(h), countyActor(county.code))],
    });
    expect(rep).toMatchObject({ no: 1, daysOverdue: 0, stage: 'rectification' });
    // The answer is a short receipt; the report itself is read from the case.
    expect(Object.keys(rep).sort()).toEqual(['at', 'caseId', 'daysOverdue', 'no', 'stage']);
    expect((await r.d.state(h)).rectification!.reports[0]!.late).toBe(false);
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    await r.d.waitForStage(h, 'closed');
    const closed = (await h.result()) as VisitCase;
    expect(closed.stage).toBe('closed');
    await r.d.skipTo(addDays(due, 40));

    const after = await r.d.state(h);
    expect(after.rectification!.escalations).toHaveLength(0);
    expect(after.rectification!.reminders.map((x) => x.daysBefore)).toEqual([7]);
    const subjects = await subjectsTo(r.sink, county.emails[0]!);
    expect(subjects.filter((x) => ESCALATION.test(x))).toEqual([]);
    expect(subjects.filter((x) => x.includes('整改到期提醒'))).toHaveLength(1);
    expect(subjects.filter((x) => x.includes('验收通过'))).toHaveLength(1);

    // The archive: every PDF, the records and a manifest that verifies.
    const dir = closed.rectification!.archive!.dir;
    const files = await fs.readdir(dir);
    expect(files).toEqual(
      expect.arrayContaining([
        'MANIFEST.sha256',
        'case.json',
        'audit-log.json',
        'evidence-manifest.json',
        'deliveries.json',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.pdf')).length).toBeGreaterThanOrEqual(4); // notice, draft, letter, reminder, acceptance
    expect(await verifyArchive(dir)).toMatchObject({ ok: true, changed: [], missing: [] });

    // `guidance archive verify` names a changed file and a missing one, and exits 1.
    const pdf = files.find((f) => f.includes('-opinion-final'))!;
    await fs.appendFile(path.join(dir, pdf), 'tampered');
    await fs.rm(path.join(dir, 'audit-log.json'));
    expect(await verifyArchive(dir)).toMatchObject({ ok: false, changed: [pdf], missing: ['audit-log.json'] });
    let out = '';
    let status = 0;
    try {
      execFileSync(
        process.execPath,
        ['-r', 'tsx/cjs', 'client/cli.ts', 'archive', 'verify', path.basename(dir), '--dir', path.dirname(dir)],
        { encoding: 'utf8', stdio: 'pipe' },
      );
    } catch (err) {
      status = (err as { status: number }).status;
      out = (err as { stdout: string }).stdout;
    }
    expect(status).toBe(1);
    expect(out).toContain(`已被修改 ${pdf}`);
    expect(out).toContain('缺失 audit-log.json');
  });

  it('late at each rung: exactly the expected documents and emails, and the ladder stops when the report arrives', async () => {
    const { year, date } = await r.d.visitDate(1);
    const plan = r.d.planFor(year);
    const ladder = plan.rectification.escalation; // urge +1, supervise +7, warning +14, summons +21, bulletin +30
    const cases = await r.d.allToRectification(
      plan,
      ladder.map((_, i) => i),
      date,
    );
    const due = cases[0]!.s.rectification!.dueDate;
    expect(cases.every((c) => c.s.rectification!.dueDate === due)).toBe(true);

    // County k reports just after rung k has fired.
    for (let k = 0; k < ladder.length; k++) {
      await r.d.skipTo(addDays(due, ladder[k]!.daysAfterDue));
      for (let j = k; j < ladder.length; j++) {
        await r.d.waitFor(cases[j]!.h, (x) => x.rectification!.rungIndex === k, `county ${j} at rung ${k}`);
      }
      const { h } = cases[k]!;
      const rep = await h.executeUpdate(submitReportUpdate, {
        args: [report(await r.d.state(h), countyActor(plan.counties[k]!.code))],
      });
      expect(rep.daysOverdue).toBe(ladder[k]!.daysAfterDue);
      expect((await r.d.state(h)).rectification!.reports[0]!.late).toBe(true);
    }
    await r.d.skipTo(addDays(due, 60));

    const names = ['催办通知', '督办函', '警示函', '约谈通知书'];
    for (let k = 0; k < ladder.length; k++) {
      const s = await r.d.state(cases[k]!.h);
      const rect = s.rectification!;
      const expectedDocs = names.slice(0, Math.min(k + 1, 4));
      expect(
        rect.escalations.map((e) => e.kind),
        `county ${k}`,
      ).toEqual(['urge', 'supervise', 'warning', 'summons'].slice(0, expectedDocs.length));
      expect(rect.rungIndex).toBe(k);
      expect(rect.listedInBulletin).toBe(k === 4);
      expect(rect.deductions.reduce((a, b) => a + b.points, 0)).toBe(k === 4 ? 2 : 0);
      const subjects = (await subjectsTo(r.sink, plan.counties[k]!.emails[0]!)).filter((x) => ESCALATION.test(x));
      expect(
        subjects.map((x) => ESCALATION.exec(x)![1]),
        `county ${k}`,
      ).toEqual(expectedDocs);
      // 督办函 and later go to the leader in Cc.
      const leaderMails = (await subjectsTo(r.sink, plan.approval.approver.email!)).filter(
        (x) => ESCALATION.test(x) && x.includes(s.letter!.docNumber),
      );
      expect(leaderMails).toHaveLength(Math.max(0, expectedDocs.length - 1));
    }
    // Each escalation letter is a real, numbered document.
    const summons = (await r.d.state(cases[3]!.h)).rectification!.escalations[3]!;
    const text = execFileSync('pdftotext', [summons.document.path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain(summons.docNumber);
    expect(text).toContain('约谈');
  });

  it('return and resubmission: a new due date, the ladder resumes from the rung where it stood', async () => {
    const { year, date } = await r.d.visitDate(2);
    const plan = r.d.planFor(year);
    const { h, s } = await r.d.toRectification(plan, 5, date);
    const due = s.rectification!.dueDate;
    await r.d.skipTo(addDays(due, 2)); // the 催办 has gone out
    await r.d.waitFor(h, (x) => x.rectification!.rungIndex === 0, 'urge');
    await h.executeUpdate(submitReportUpdate, { args: [report(await r.d.state(h), supervisor)] });
    expect(
      (await refusal(h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'return' }] })))
        .message,
    ).toMatch(/必须写明理由/);
    await h.executeUpdate(reviewReportUpdate, {
      args: [{ actor: supervisor, decision: 'return', reasons: ['案卷归档问题未附整改后的案卷材料。'] }],
    });
    const returned = await r.d.waitFor(
      h,
      (x) => Boolean(x.rectification!.reports[0]!.review?.letter),
      'the return letter',
    );
    const newDue = returned.rectification!.dueDate;
    expect(newDue > due).toBe(true);
    expect(returned.rectification!.reports[0]!.review!.letter!.delivery!.status).toBe('delivered');

    // Past the new due date: the next rung is the 督办函, not a second 催办.
    await r.d.skipTo(addDays(newDue, 2));
    const s2 = await r.d.waitFor(h, (x) => x.rectification!.rungIndex === 1, 'supervise after the return');
    expect(s2.rectification!.escalations.map((e) => e.kind)).toEqual(['urge', 'supervise']);
    await h.executeUpdate(submitReportUpdate, { args: [report(s2, supervisor)] });
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    const closed = await r.d.waitForStage(h, 'closed');
    expect(closed.rectification!.reports.map((x) => x.review!.decision)).toEqual(['return', 'accept']);
  });

  it("re-inspection (复查) after acceptance when the plan asks for it: only the letter's problems, then closed", async () => {
    const { year, date } = await r.d.visitDate(5);
    const plan = r.d.planFor(year, (raw) => (raw.rectification.reinspection = true));
    const { h, s } = await r.d.toRectification(plan, 2, date);
    await h.executeUpdate(submitReportUpdate, { args: [report(s, supervisor)] });
    await h.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
    const waiting = await r.d.waitForStage(h, 'reinspection');
    const problems = waiting.rectification!.problems;
    expect(
      (
        await refusal(
          h.executeUpdate(recordReinspectionUpdate, {
            args: [{ actor: supervisor, date, items: [{ index: 0, passed: true }] }],
          }),
        )
      ).message,
    ).toMatch(/复查只查意见书中的问题，须逐项填写/);
    expect(
      (
        await refusal(
          h.executeUpdate(recordReinspectionUpdate, {
            args: [
              {
                actor: supervisor,
                date,
                items: [...problems.map((_, index) => ({ index, passed: true })), { index: 99, passed: true }],
              },
            ],
          }),
        )
      ).message,
    ).toMatch(/意见书中没有这些问题/);
    expect(await r.d.state(h)).toEqual(waiting);
    await h.executeUpdate(recordReinspectionUpdate, {
      args: [
        {
          actor: supervisor,
          date,
          items: problems.map((_, index) => ({
            index,
            passed: index !== 0,
            comment: index === 0 ? '计划调整尚未报县政府批准' : undefined,
          })),
        },
      ],
    });
    const closed = await r.d.waitForStage(h, 'closed');
    expect(closed.rectification!.reinspection!.items.filter((i) => !i.passed)).toHaveLength(1);
    expect(closed.rectification!.archive).toBeDefined();
    expect(closed.audit.map((a) => a.action)).toContain('reinspection');
  });

  it('extension before the due date: no escalation until the new date passes', async () => {
    const { year, date } = await r.d.visitDate(3);
    const plan = r.d.planFor(year);
    const { h, s } = await r.d.toRectification(plan, 0, date);
    const due = s.rectification!.dueDate;
    await r.d.skipTo(addDays(due, -2));
    let newDue = addDays(due, 14);
    while ([0, 6].includes(new Date(`${newDue}T00:00:00Z`).getUTCDay())) newDue = addDays(newDue, 1);
    expect(
      (
        await refusal(
          h.executeUpdate(extendDueUpdate, { args: [{ actor: supervisor, newDueDate: newDue, reason: '' }] }),
        )
      ).message,
    ).toMatch(/延期必须写明理由/);
    expect(
      (
        await refusal(
          h.executeUpdate(extendDueUpdate, {
            args: [{ actor: countyActor(plan.counties[0]!.code), newDueDate: newDue, reason: '县区申请' }],
          }),
        )
      ).type,
    ).toBe('Forbidden');
    // A day that does not exist (the 31st of a 30-day month after the due date) is refused with the
    // reason, and the case is left as it was: before, the regex let it through to the letters.
    const month = [4, 6, 9, 11].find((m) => `${due.slice(0, 4)}-${String(m).padStart(2, '0')}-31` > due)!;
    const impossible = `${due.slice(0, 4)}-${String(month).padStart(2, '0')}-31`;
    const before = await r.d.state(h);
    expect(
      await refusal(
        h.executeUpdate(extendDueUpdate, {
          args: [{ actor: supervisor, newDueDate: impossible, reason: '县区申请延期' }],
        }),
      ),
    ).toEqual({ type: 'InvalidInput', message: `newDueDate: 不存在的日期：${impossible}` });
    const after = await r.d.state(h);
    expect(after.rectification).toEqual(before.rectification);
    expect(after.audit).toEqual(before.audit);
    const extended = await h.executeUpdate(extendDueUpdate, {
      args: [{ actor: supervisor, newDueDate: newDue, reason: '县政府机构调整，申请延期' }],
    });
    // A short answer (回执), not the rectification record: the case is read by query.
    expect(extended).toEqual({ caseId: s.caseId, stage: 'rectification', at: expect.any(String), dueDate: newDue });
    await r.d.skipTo(addDays(due, 5));
    expect((await r.d.state(h)).rectification!.escalations).toHaveLength(0);
    await r.d.skipTo(addDays(newDue, 1));
    const s2 = await r.d.waitFor(h, (x) => x.rectification!.rungIndex === 0, 'urge after the new date');
    expect(s2.rectification!.escalations[0]!.daysOverdue).toBe(1);
    expect(s2.rectification!.extensions).toEqual([expect.objectContaining({ from: due, to: newDue })]);
  });

  it('extension after the due date: the ladder goes on from its rung, relative to the new date', async () => {
    const { year, date } = await r.d.visitDate(4);
    const plan = r.d.planFor(year);
    const { h, s } = await r.d.toRectification(plan, 1, date);
    const due = s.rectification!.dueDate;
    await r.d.skipTo(addDays(due, 3));
    await r.d.waitFor(h, (x) => x.rectification!.rungIndex === 0, 'urge');
    let newDue = addDays(due, 10);
    while ([0, 6].includes(new Date(`${newDue}T00:00:00Z`).getUTCDay())) newDue = addDays(newDue, 1);
    await h.executeUpdate(extendDueUpdate, {
      args: [{ actor: supervisor, newDueDate: newDue, reason: '县区已说明客观原因' }],
    });
    await r.d.skipTo(addDays(due, 8)); // the old +7 督办 date passes: nothing, the date moved
    expect((await r.d.state(h)).rectification!.escalations).toHaveLength(1);
    await r.d.skipTo(addDays(newDue, 1));
    const s2 = await r.d.waitFor(h, (x) => x.rectification!.rungIndex === 1, 'supervise after the new date');
    expect(s2.rectification!.escalations.map((e) => e.kind)).toEqual(['urge', 'supervise']);
  });
});

describe('due dates on the calendar (time-skipping, injected holiday table)', () => {
  // A stand-in for the year's published table (the real one comes from chinese-days once the State
  // Council publishes it): National Day 1–8 October, with Sunday 26 September and Saturday
  // 9 October as adjusted working days (调休上班), shaped like the real 2026 arrangement.
  let cal: Rig | undefined;
  afterAll(async () => {
    await teardown(cal);
  });

  it('moves the due date past weekends and the October holiday onto its adjusted working Saturday, timer and letter alike', async () => {
    let year = 0;
    const holiday: WorkingDayCalendar = {
      isWorkingDay(d) {
        const md = d.slice(5);
        if (Number(d.slice(0, 4)) === year && md >= '10-01' && md <= '10-08') return false;
        if (Number(d.slice(0, 4)) === year && (md === '09-26' || md === '10-09')) return true;
        const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
        return wd !== 0 && wd !== 6;
      },
      covers: (y) => y === year,
    };
    cal = await rig(holiday);
    year = await cal.d.nextYear();
    const plan = cal.d.planFor(year);
    // A letter on 3 September: +30 days is 3 October, inside the holiday.
    const autumn = `${year}-09-03`;
    const spring = `${year}-03-12`;
    const firstWorking = (d: string) => {
      let x = d;
      while (!holiday.isWorkingDay(x)) x = addDays(x, 1);
      return x;
    };
    // One after the other: the test server has one clock.
    const visits = [];
    for (const [i, date] of [firstWorking(spring), firstWorking(autumn)].entries())
      visits.push(await cal.d.toRectification(plan, i, date));
    for (const { s } of visits) {
      const nominal = addDays(s.letter!.issueDate, 30);
      expect(s.rectification!.dueDate).toBe(firstWorking(nominal));
      // The date printed in the letter is the timer's date.
      const text = execFileSync('pdftotext', [s.letter!.document.path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
      const [y, m, d] = s.rectification!.dueDate.split('-').map(Number);
      expect(text).toContain(`${y}年${m}月${d}日前报告我局`);
    }
    const autumnCase = visits[1]!;
    if (autumnCase.s.letter!.issueDate === `${year}-09-03`)
      expect(autumnCase.s.rectification!.dueDate).toBe(`${year}-10-09`);
    const due = autumnCase.s.rectification!.dueDate;
    // Nothing escalates on the due date itself; the 催办 goes out the day after.
    await cal.d.skipTo(due, 20);
    expect((await cal.d.state(autumnCase.h)).rectification!.escalations).toHaveLength(0);
    await cal.d.skipTo(addDays(due, 1));
    await cal.d.waitFor(autumnCase.h, (x) => x.rectification!.rungIndex === 0, 'urge the day after the moved due date');
  });
});
