/**
 * The practice year's pure parts: its ids never meet the real programme's, its plan sends no mail
 * to a real server, its default start lets people see the first notice go out, its clock options,
 * and the public /api/mode the dashboard's 演练模式 banner reads.
 */
import type { Client } from '@temporalio/client';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { msPerDayOf } from '../client/commands/sandbox';
import { modeStatus } from '../client/http/practice';
import { createServer } from '../client/http/server';
import { UserError } from '../client/programme';
import {
  defaultStartDate,
  firstNotice,
  NOTICE_LEAD_DAYS,
  practiceBureauCode,
  practicePlan,
  practicePublicUrl,
  practiceTaskQueue,
} from '../client/practice-plan';
import { loadUsers } from '../client/users';
import { addDays, dayNumber } from '../workflows/shared/clock';
import { Code } from '../workflows/shared/plan';
import { examplePlan } from './helpers/plans';

describe('practice ids and plan', () => {
  it('a practice bureau code is a valid code, marked, and unlike the real one', () => {
    const code = practiceBureauCode('heluo', Date.UTC(2026, 0, 1));
    expect(code).toMatch(/^heluo-practice-[a-z0-9]+$/);
    expect(Code.safeParse(code).success).toBe(true);
    const long = practiceBureauCode('a'.repeat(39));
    expect(long.length).toBeLessThanOrEqual(40);
    expect(Code.safeParse(long).success).toBe(true);
    expect(long).toContain('-practice-');
    expect(practiceTaskQueue('guidance')).toBe('guidance-practice');
  });

  it('the practice plan has no SMTP block and marks every mail subject 【演练】; the plan itself is untouched', () => {
    const plan = examplePlan((raw) => {
      raw.smtp = { host: 'mail.heluo.example.cn', port: 587 };
    });
    const p = practicePlan(plan, 'heluo-practice-x');
    expect(p.smtp).toBeUndefined();
    expect(p.bureau.code).toBe('heluo-practice-x');
    expect(p.bureau.name).toBe(plan.bureau.name);
    for (const [kind, text] of Object.entries(p.wording.mail)) {
      expect(text.subject.startsWith('【演练】'), kind).toBe(true);
      expect(text.subject).toBe(`【演练】${plan.wording.mail[kind as keyof typeof plan.wording.mail].subject}`);
    }
    expect(plan.smtp?.host).toBe('mail.heluo.example.cn');
    expect(plan.bureau.code).toBe('heluo');
  });
});

describe('where practice receipt links point', () => {
  it('the practice dashboard: where it listens (a wildcard address as loopback), or the address given', () => {
    expect(practicePublicUrl('http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
    expect(practicePublicUrl('http://0.0.0.0:8081')).toBe('http://127.0.0.1:8081');
    expect(practicePublicUrl('http://[::]:8081')).toBe('http://127.0.0.1:8081');
    expect(practicePublicUrl('http://[::1]:8081')).toBe('http://[::1]:8081');
    expect(practicePublicUrl('http://0.0.0.0:8081', 'https://yanlian.heluo.example.cn')).toBe(
      'https://yanlian.heluo.example.cn',
    );
  });
});

describe('the practice clock', () => {
  it('starts a few days before the first notice, which goes out before the first visit', () => {
    const plan = examplePlan();
    const start = defaultStartDate(plan);
    const first = firstNotice(plan, start);
    expect(dayNumber(first.noticeDate) - dayNumber(start)).toBe(NOTICE_LEAD_DAYS);
    expect(first.noticeDate < first.visitDate).toBe(true);
    expect(first.visitDate.startsWith(`${plan.year}-01`)).toBe(true);
  });

  it('a start date given later in the year is honoured; one past November is refused in Chinese', () => {
    const plan = examplePlan();
    const first = firstNotice(plan, `${plan.year}-05-06`);
    expect(first.noticeDate >= `${plan.year}-05-06`).toBe(true);
    expect(() => firstNotice(plan, `${plan.year}-12-01`)).toThrow(UserError);
    expect(() => firstNotice(plan, `${plan.year}-12-01`)).toThrow(/演练开始日期/);
  });

  it('one simulated day a minute by default; minutes or milliseconds, not both, not absurd', () => {
    expect(msPerDayOf({})).toBe(60_000);
    expect(msPerDayOf({ minutesPerDay: '0.5' })).toBe(30_000);
    expect(msPerDayOf({ msPerDay: '2000' })).toBe(2000);
    expect(() => msPerDayOf({ minutesPerDay: '1', msPerDay: '2000' })).toThrow(/只能选一个/);
    expect(() => msPerDayOf({ msPerDay: '10' })).toThrow(UserError);
    expect(() => msPerDayOf({ minutesPerDay: 'abc' })).toThrow(UserError);
  });

  it("the simulated date is the workflow clock's: start date at the epoch, one more each msPerDay", () => {
    const practice = { timeScale: { msPerDay: 2000, startDate: '2026-12-29' }, epochMs: 1_000_000 };
    expect(modeStatus(undefined)).toEqual({ practice: false });
    const at = (ms: number) => modeStatus(practice, ms);
    expect(at(1_000_000)).toMatchObject({ practice: true, label: '演练模式', today: '2026-12-29', nextDayInMs: 2000 });
    expect(at(1_001_999)).toMatchObject({ today: '2026-12-29', nextDayInMs: 1 });
    expect(at(1_006_500)).toMatchObject({ today: addDays('2026-12-29', 3), nextDayInMs: 1500 });
  });
});

describe('GET /api/mode', () => {
  const deps = (practice?: Parameters<typeof modeStatus>[0]) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mode-'));
    return {
      client: {} as Client,
      config: { namespace: 'default', bureau: 'heluo-practice-x', year: 2027, logLevel: 'silent' as const, practice },
      users: loadUsers(path.resolve(__dirname, '../examples/users.yaml')),
      evidenceDir: path.join(dir, 'evidence'),
      archiveDir: path.join(dir, 'archive'),
    };
  };

  it('answers without a login: practice mode with the simulated date, or not practice', async () => {
    const app = await createServer(
      deps({ timeScale: { msPerDay: 60_000, startDate: '2026-12-29' }, epochMs: Date.now() }),
    );
    try {
      const res = await app.inject({ method: 'GET', url: '/api/mode' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ practice: true, label: '演练模式', today: '2026-12-29' });
      expect(res.json().notice).toContain('不是真实执法指导');
      // Everything else still needs a login.
      expect((await app.inject({ method: 'GET', url: '/api/meta' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
    const real = await createServer(deps());
    try {
      expect((await real.inject({ method: 'GET', url: '/api/mode' })).json()).toEqual({ practice: false });
    } finally {
      await real.close();
    }
  });

  it('every page shows the banner component, which shows the label, the notice and 今天（模拟）', async () => {
    const src = (f: string) => readFileSync(path.resolve(__dirname, '../client/dashboard/src', f), 'utf8');
    for (const page of ['app.tsx', 'receipt/main.tsx']) expect(src(page)).toContain('<PracticeBanner />');
    expect(src('api.ts')).toContain("get<Mode>('/api/mode')");
    expect(src('practice.tsx')).toContain('今天（模拟）：{mode.today}');
  });
});
