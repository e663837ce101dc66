/**
 * One clock (issue 22) on the CLI dev server, with a compressed practice clock (1.5 s a simulated
 * day) and the dashboard in practice mode: a county's notice goes unsigned, and while the case
 * waits with nothing happening the overdue days on the county's and the administrator's inbox
 * (GET /api/todo) count on day by day — the case's `todo` Query had taken the case's last activity
 * for today and showed 逾期 1 天 for good. The case page's timeline and documents table read on
 * the same simulated clock, not the real date.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../client/http/server';
import { getProgramme, startProgramme } from '../client/programme';
import { defaultStartDate } from '../client/practice-plan';
import { loadUsers } from '../client/users';
import { Clock, addDays, dayNumber, fromDayNumber } from '../workflows/shared/clock';
import { scheduleQuery } from '../workflows/contracts/programme';
import { visitWorkflowId, type TimeScale } from '../workflows/contracts/common';
import type { TodoItem } from '../workflows/shared/todo';
import { visitCaseQuery, type VisitCase, type VisitInput } from '../workflows/contracts/visit';
import { USERS_FILE, login } from './http/helpers';
import { examplePlan } from './helpers/plans';
import { createDevServerEnv } from './helpers/temporal';
import { FAST_MAIL } from './helpers/visit-driver';
import { createTestWorker, uniqueQueue } from './helpers/worker';

const MS_PER_DAY = 1500;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let app: FastifyInstance | undefined;
let queue: string;

beforeAll(async () => {
  env = await createDevServerEnv();
  queue = uniqueQueue('case-clock');
  worker = await createTestWorker(env, queue);
  running = worker.run();
});
afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The China date of an instant. */
const chinaDate = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the case clock in the practice year (dev server)', () => {
  it('overdue days count on, day by day, on the county and the administrator inbox; the case page reads the simulated dates', async () => {
    // The notice ten working days before the visit and one working day to sign: the case then waits
    // quietly (no workflow task) for a week and more with its receipt overdue.
    const plan = examplePlan((raw) => {
      raw.bureau.code = `c${Math.random().toString(36).slice(2, 8)}`;
      raw.visit.noticeWorkingDays = 10;
      raw.receipts = { workingDays: 1 };
    });
    const county = plan.counties[0]!; // xiangshan
    const date = `${plan.year}-03-22`;
    const timeScale: TimeScale = { msPerDay: MS_PER_DAY, startDate: addDays(date, -16) };
    const epochMs = Date.now();
    const input: VisitInput = {
      programmeWorkflowId: 'test',
      plan: { ...plan, counties: [county] },
      county,
      date,
      mailRetry: FAST_MAIL,
      visibility: true,
      timeScale,
      timeScaleEpochMs: epochMs,
    };
    const caseId = visitWorkflowId(plan.year, plan.bureau.code, county.code);
    const h = await env.client.workflow.start('countyVisitWorkflow', {
      workflowId: caseId,
      taskQueue: queue,
      args: [input],
    });

    app = await createServer({
      client: env.client,
      config: { namespace: 'default', bureau: plan.bureau.code, year: plan.year, practice: { timeScale, epochMs } },
      users: loadUsers(USERS_FILE),
      evidenceDir: '/nonexistent-evidence',
      archiveDir: '/nonexistent-archive',
    });
    const cookies = await login(app, ['xiangshan', 'admin']);
    const get = async <T>(url: string, who: string): Promise<T> => {
      const res = await app!.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as T;
    };
    const simToday = async () => (await get<{ today: string }>('/api/mode', 'admin')).today;
    const overdueOf = async (who: string, kind: TodoItem['kind']) => {
      const items = (await get<{ items: TodoItem[] }>('/api/todo', who)).items.filter(
        (i) => i.caseId === caseId && i.kind === kind && i.ref === 'R1',
      );
      return items[0]?.daysLeft === undefined ? undefined : -items[0].daysLeft;
    };

    // Wait for the reminder: the receipt is overdue from the day after its deadline.
    let c: VisitCase;
    for (;;) {
      c = await h.query(visitCaseQuery);
      if (c.receipts?.[0]?.reminded) break;
      if (Date.now() - epochMs > 20 * MS_PER_DAY) throw new Error('no receipt reminder');
      await sleep(200);
    }
    const dueBy = c.receipts![0]!.dueBy;
    // The reminder's mail done, the case waits for the visit date with nothing to do.
    const events = async () => (await h.fetchHistory()).events?.length ?? 0;
    let historyAtReminder = await events();
    for (let settled = 0; settled < 3;) {
      await sleep(300);
      const n = await events();
      settled = n === historyAtReminder ? settled + 1 : 0;
      historyAtReminder = n;
    }

    // Four simulated days with nothing happening: each reading's overdue days are the days from
    // the deadline to the simulated date on both inboxes, and they grow.
    const seen: { county: number[]; admin: number[] } = { county: [], admin: [] };
    const until = dayNumber(await simToday()) + 4;
    while (dayNumber(await simToday()) < until) {
      const before = dayNumber(await simToday());
      const countyDays = await overdueOf('xiangshan', 'acknowledge');
      const adminDays = await overdueOf('admin', 'receiptOverdue');
      const after = dayNumber(await simToday());
      for (const [who, days] of [
        ['county', countyDays],
        ['admin', adminDays],
      ] as const) {
        expect(days, `${who} inbox`).toBeDefined();
        expect(
          [before - dayNumber(dueBy), after - dayNumber(dueBy)],
          `${who}: 逾期 ${days} 天 on ${fromDayNumber(before)}..${fromDayNumber(after)}`,
        ).toContain(days);
        if (seen[who].at(-1) !== days) seen[who].push(days!);
      }
      await sleep(MS_PER_DAY / 3);
    }
    expect(await events(), 'the case stayed quiet').toBe(historyAtReminder);
    for (const who of ['county', 'admin'] as const) {
      expect(seen[who].length, `${who}: ${seen[who].join(', ')}`).toBeGreaterThanOrEqual(4);
      seen[who].forEach((d, i) => i > 0 && expect(d).toBe(seen[who][i - 1]! + 1));
    }

    // The case page: the timeline's times and the notice's date are on the simulated clock.
    const view = await get<{
      timeline: { at: string; action: string }[];
      documents: { kind: string; date?: string }[];
    }>(`/api/years/${plan.year}/cases/${county.code}`, 'admin');
    const sent = c.receipts![0]!.sentAt;
    expect(view.documents.find((d) => d.kind === 'notice')?.date).toBe(sent);
    // The notice's audit entry is written in the task before the mail's text is filled and the
    // receipt opened (sentAt): at 1.5 s a simulated day the two may fall a day apart, never more.
    const noticeDay = dayNumber(chinaDate(view.timeline.find((e) => e.action === 'notice')!.at));
    expect(dayNumber(sent) - noticeDay).toBeGreaterThanOrEqual(0);
    expect(dayNumber(sent) - noticeDay).toBeLessThanOrEqual(1);
    expect(chinaDate(view.timeline.find((e) => e.action === 'receiptReminder')!.at)).toBe(c.receipts![0]!.reminded);
    for (const e of view.timeline)
      expect(chinaDate(e.at) >= timeScale.startDate && chinaDate(e.at) <= (await simToday())).toBe(true);
    await h.terminate('test done');
  }, 90_000);

  it("the programme's today (the board, the administrator's overdue list) is the caller's day on its clock, not its last event", async () => {
    const plan = examplePlan((raw) => {
      raw.bureau.code = `p${Math.random().toString(36).slice(2, 8)}`;
    });
    const timeScale: TimeScale = { msPerDay: MS_PER_DAY, startDate: defaultStartDate(plan) };
    const epochMs = Date.now();
    const h = await startProgramme(env.client, plan, {
      taskQueue: queue,
      timeScale,
      timeScaleEpochMs: epochMs,
      visibility: false,
    });
    const clock = Clock.compressed(timeScale, epochMs);
    try {
      await h.query(scheduleQuery);
      // Asked as of ten simulated days on, the programme answers with that day, whatever it last did.
      const later = Date.now() + 10 * MS_PER_DAY;
      expect((await h.query(scheduleQuery, { nowMs: later })).today).toBe(clock.today(later));
      // The client asks as of now: three days on, its today has moved three days.
      const first = clock.today(Date.now());
      await sleep(3 * MS_PER_DAY);
      const before = clock.today(Date.now());
      const today = (await getProgramme(env.client, plan.year, plan.bureau.code)).today;
      expect([before, clock.today(Date.now())]).toContain(today);
      expect(dayNumber(today) - dayNumber(first)).toBeGreaterThanOrEqual(3);
    } finally {
      await h.terminate('test done');
    }
  }, 60_000);
});
