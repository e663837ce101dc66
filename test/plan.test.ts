import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PlanError, loadPlanFile, parsePlan } from '../client/plan';
import { EXAMPLE_PLAN_FILE, rawExamplePlan } from './helpers/plans';

function problemsOf(edit: (raw: Record<string, any>) => void): string[] {
  const raw = rawExamplePlan();
  edit(raw);
  try {
    parsePlan(stringify(raw), 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return (err as PlanError).problems;
  }
  throw new Error('plan was accepted');
}

describe('plan validation', () => {
  it('accepts the example plan', () => {
    const plan = loadPlanFile(EXAMPLE_PLAN_FILE);
    expect(plan.counties.length).toBeGreaterThanOrEqual(6);
    expect(plan.counties.length).toBeLessThanOrEqual(8);
    expect(plan.rectification.escalation.map((r) => r.rung)).toEqual([
      'urge',
      'supervise',
      'warning',
      'summons',
      'bulletin',
    ]);
  });

  // Each kind of invalid plan, with the path and the message a bureau's staff would read.
  const cases: [string, (raw: Record<string, any>) => void, RegExp][] = [
    [
      'invalid county email',
      (r) => (r.counties[3].emails = ['not-an-address']),
      /^counties\[3\]\.emails\[0\]: invalid email/,
    ],
    ['no county email', (r) => (r.counties[1].emails = []), /^counties\[1\]\.emails: 至少需要一个收件邮箱/],
    ['missing bureau name', (r) => delete r.bureau.name, /^bureau\.name: /],
    ['year as text', (r) => (r.year = '二〇二七'), /^year: /],
    ['year out of range', (r) => (r.year = 1999), /^year: 年度不能早于 2020/],
    ['duplicate county code', (r) => (r.counties[2].code = r.counties[0].code), /^counties\[2\]\.code: 县区代码重复/],
    [
      'county code with capitals',
      (r) => (r.counties[0].code = 'XiangShan'),
      /^counties\[0\]\.code: 代码只能由小写字母/,
    ],
    [
      'explicit date after 30 November',
      (r) => (r.counties[4].date = '2027-12-10'),
      /^counties\[4\]\.date: 指导日期 2027-12-10 晚于 2027 年 11 月 30 日/,
    ],
    [
      'explicit date in another year',
      (r) => (r.counties[4].date = '2026-05-10'),
      /^counties\[4\]\.date: 指导日期 2026-05-10 不在 2027 年度内/,
    ],
    ['date that does not exist', (r) => (r.counties[0].date = '2027-02-30'), /^counties\[0\]\.date: 不存在的日期/],
    ['sample size over 2', (r) => (r.visit.sampleSize = 3), /^visit\.sampleSize: 抽查企业数应为 1–2 家/],
    [
      'enterprise tier unknown',
      (r) => (r.counties[0].enterprises[0].tier = '特级'),
      /^counties\[0\]\.enterprises\[0\]\.tier: 企业类别只能是/,
    ],
    [
      'duplicate enterprise id',
      (r) => (r.counties[0].enterprises[1].id = r.counties[0].enterprises[0].id),
      /^counties\[0\]\.enterprises\[1\]\.id: 企业编号重复/,
    ],
    [
      'escalation not increasing',
      (r) =>
        (r.rectification.escalation = [
          { rung: 'urge', daysAfterDue: 7 },
          { rung: 'supervise', daysAfterDue: 3 },
        ]),
      /^rectification\.escalation: 督办各级的天数必须逐级递增/,
    ],
    ['no supervisors', (r) => (r.supervisors = []), /^supervisors: 至少需要一名执法指导人员/],
    [
      'bad phone',
      (r) => (r.counties[0].contact.phone = 'call me'),
      /^counties\[0\]\.contact\.phone: 电话号码格式不正确/,
    ],
    [
      'password in the plan instead of an env name',
      (r) => (r.smtp = { host: 'mail.example.cn', port: 587, passwordEnv: 'hunter2' }),
      /^smtp\.passwordEnv: 应为环境变量名/,
    ],
    ['no counties', (r) => (r.counties = []), /^counties: 至少需要一个县区/],
    [
      'empty roster',
      (r) => (r.counties[2].enterprises = []),
      /^counties\[2\]\.enterprises: 列入执法计划的企业名单为空/,
    ],
    [
      'duplicate enterprise name',
      (r) => (r.counties[1].enterprises[2].name = r.counties[1].enterprises[0].name),
      /^counties\[1\]\.enterprises\[2\]\.name: 企业名称重复/,
    ],
  ];
  it.each(cases)('refuses %s with its path', (_name, edit, expected) => {
    const problems = problemsOf(edit);
    expect(
      problems.some((p) => expected.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(() => parsePlan('year: 2027\nbureau: [unclosed\n', 'broken.yaml')).toThrow(
      /第 \d+ 行第 \d+ 列: YAML 语法错误/,
    );
  });

  it('reports every problem at once, not just the first', () => {
    const problems = problemsOf((r) => {
      r.counties[0].emails = ['x'];
      r.counties[1].date = '2027-12-31';
      r.year = 1999;
    });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  it('`guidance plan check` exits 2 and names the path', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    const file = path.join(dir, 'plan.yaml');
    const raw = rawExamplePlan();
    raw.counties[3].emails = ['bad'];
    writeFileSync(file, stringify(raw));
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['-r', 'tsx/cjs', 'client/cli.ts', 'plan', 'check', file], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = (err as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain('counties[3].emails[0]: invalid email');
    const ok = execFileSync(process.execPath, ['-r', 'tsx/cjs', 'client/cli.ts', 'plan', 'check', EXAMPLE_PLAN_FILE], {
      encoding: 'utf8',
    });
    expect(ok).toContain('计划文件正确');
  });
});
