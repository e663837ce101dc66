import { DUE_DATE_MOVED_FALLBACK, RECEIPT_REMINDER_FALLBACK, TODO_DIGEST_FALLBACK } from '../workflows/shared/wording';
/**
 * The bureau's wording: the plan loader's three-layer merge (built-in < templatesDir/wording.yaml
 * < the plan's `wording:`), mail texts compiled at load with their path in the error, and the
 * `fillText` activity (paragraphs, the date helper, a template error that is never retried).
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES_DIR } from '../activities/documents/templates';
import { createWordingActivities, type FillTextInput, type FilledText } from '../activities/wording';
import { PlanError, loadPlanFile, mergeWording, parsePlan } from '../client/plan';
import { FailureType } from '../workflows/shared/errors';
import { failureOf } from './helpers/failure';
import { EXAMPLE_PLAN_FILE, rawExamplePlan } from './helpers/plans';

const { fillText } = createWordingActivities();
const env = new MockActivityEnvironment();
const run = (input: FillTextInput) => env.run(fillText, input) as Promise<FilledText>;

describe('fillText', () => {
  it('splits the body into paragraphs at blank lines, an {{#each}} item per paragraph, each trimmed, empty ones dropped', async () => {
    const filled = await run({
      template: {
        subject: '【周交办】{{week}} 待整改问题 {{openProblems}} 项',
        body: '指导组：\n\n{{#each open}}\n  {{countyName}}：{{docNumber}}{{#if overdue}}，已逾期 {{daysOverdue}} 天{{/if}}\n\n{{/each}}\n\n\n本周无其他事项。\n',
      },
      data: {
        week: '2027年第20周',
        openProblems: 3,
        open: [
          { countyName: '香山县', docNumber: '河洛应急指导〔2027〕3号', overdue: true, daysOverdue: 4 },
          { countyName: '清河县', docNumber: '河洛应急指导〔2027〕5号', overdue: false },
        ],
      },
    });
    expect(filled).toEqual({
      subject: '【周交办】2027年第20周 待整改问题 3 项',
      paragraphs: [
        '指导组：',
        '香山县：河洛应急指导〔2027〕3号，已逾期 4 天',
        '清河县：河洛应急指导〔2027〕5号',
        '本周无其他事项。',
      ],
    });
  });

  it('formats dates with {{date}} and keeps the subject on one line; nothing is HTML-escaped', async () => {
    const filled = await run({
      template: {
        subject: '关于{{county}}\n的通知  \n {{date visitDate}}',
        body: '{{county}}：\n\n定于 {{date visitDate}} 开展执法指导。',
      },
      data: { county: '香山县应急管理局 & <安监>', visitDate: '2027-03-05' },
    });
    expect(filled.subject).toBe('关于香山县应急管理局 & <安监> 的通知 2027年3月5日');
    expect(filled.paragraphs).toEqual(['香山县应急管理局 & <安监>：', '定于 2027年3月5日 开展执法指导。']);
  });

  it('a syntax error is a non-retryable TemplateError', async () => {
    const f = await failureOf(
      run({ template: { subject: '{{#if accepted}}通过', body: '正文' }, data: { accepted: true } }),
    );
    expect(f.type).toBe(FailureType.TemplateError);
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('主题');
  });

  it('an unknown helper or a date that is not one is a non-retryable TemplateError too', async () => {
    const unknown = await failureOf(
      run({ template: { subject: '主题', body: '{{upper county}}' }, data: { county: 'x' } }),
    );
    expect(unknown.type).toBe(FailureType.TemplateError);
    expect(unknown.message).toContain('正文');
    const badDate = await failureOf(
      run({ template: { subject: '{{date dueDate}}', body: '正文' }, data: { dueDate: '下周' } }),
    );
    expect(badDate.type).toBe(FailureType.TemplateError);
    expect(badDate.nonRetryable).toBe(true);
  });

  it('every built-in mail text fills with the data its letter gives', async () => {
    const plan = loadPlanFile(EXAMPLE_PLAN_FILE);
    const data = {
      county: '香山县应急管理局',
      countyName: '香山县',
      docNumber: '河洛应急指导〔2027〕3号',
      opinionNumber: '河洛应急指导〔2027〕3号',
      visitDate: '2027-03-15',
      dueDate: '2027-04-14',
      resubmitBy: '2027-05-01',
      daysLeft: 7,
      daysOverdue: 3,
      kindName: '督办函',
      accepted: false,
      reminder: true,
      approver: '郑远',
      periodLabel: '2027年1—6月',
      week: '2027年第20周',
      openProblems: 1,
      open: [
        {
          countyName: '香山县',
          docNumber: '河洛应急指导〔2027〕3号',
          dueDate: '2027-04-14',
          overdue: true,
          daysOverdue: 3,
          rungName: '督办',
          problems: '台账不全',
        },
      ],
      // receipt reminder, due-date notice, personal digest
      title: '执法指导通知',
      sentAt: '2027-03-08',
      from: '2027-04-14',
      to: '2027-04-15',
      source: '国务院办公厅关于2027年部分节假日安排的通知',
      asOf: '2027-03-17',
      name: '孙立',
      count: 2,
      items: [{ title: '签收 执法指导通知', due: '2027-03-11', days: '逾期 6 天' }, { title: '审核第 1 次整改报告' }],
    };
    for (const [kind, template] of Object.entries(plan.wording.mail)) {
      const filled = await run({ template, data });
      expect(filled.subject, kind).not.toMatch(/\n|{{/);
      expect(filled.paragraphs.length, kind).toBeGreaterThan(0);
    }
    expect((await run({ template: plan.wording.mail.notice, data })).subject).toBe(
      '【执法指导通知】河洛应急指导〔2027〕3号 关于对香山县应急管理局开展安全生产执法指导的通知',
    );
    expect((await run({ template: plan.wording.mail.acceptance, data })).paragraphs[1]).toContain(
      '请于 2027年5月1日 前重新报送',
    );
    const digest = await run({ template: plan.wording.mail.todoDigest, data });
    expect(digest.subject).toBe('【待办提醒】2027年3月17日 您有 2 项待办');
    expect(digest.paragraphs).toEqual(
      expect.arrayContaining(['签收 执法指导通知（期限 2027-03-11，逾期 6 天）', '审核第 1 次整改报告']),
    );
    expect((await run({ template: plan.wording.mail.dueDateMoved, data })).paragraphs[1]).toContain(
      '由 2027年4月14日 调整为 2027年4月15日',
    );
  });
});

describe('the plan loader merges the wording', () => {
  function planDir(): string {
    return mkdtempSync(path.join(os.tmpdir(), 'wording-'));
  }

  /** A plan file in a fresh directory with a copy of the built-in templates as its templatesDir. */
  function writePlan(edit: (raw: Record<string, any>) => void, ownWording?: unknown): string {
    const dir = planDir();
    cpSync(BUILTIN_TEMPLATES_DIR, path.join(dir, 'tpl'), { recursive: true });
    if (ownWording === undefined) {
      // The copy brought the built-in wording.yaml along; a bureau without its own has none.
      writeFileSync(path.join(dir, 'tpl', 'wording.yaml'), '# 本局沿用默认文字\n');
    } else {
      writeFileSync(
        path.join(dir, 'tpl', 'wording.yaml'),
        typeof ownWording === 'string' ? ownWording : stringify(ownWording),
      );
    }
    const raw = rawExamplePlan();
    raw.templatesDir = 'tpl';
    edit(raw);
    const file = path.join(dir, 'plan.yaml');
    writeFileSync(file, stringify(raw));
    return file;
  }

  it('a plan without wording of its own gets the built-in templates/wording.yaml', () => {
    const plan = loadPlanFile(EXAMPLE_PLAN_FILE);
    expect(plan.wording.notice.time).toBe('上午9:00');
    expect(plan.wording.mail.notice.subject).toContain('【执法指导通知】');
    expect(plan.wording.warning.consequences).toHaveLength(3);
  });

  it("built-in < templatesDir/wording.yaml < the plan's wording: objects merge, arrays replace", () => {
    const file = writePlan(
      (r) => {
        r.wording = { notice: { time: '下午2:30' }, warning: { consequences: ['约谈你局主要负责人。'] } };
      },
      {
        notice: { time: '上午8:30' },
        summons: { room: '第三会议室' },
        mail: { notice: { subject: '【云岭通知】{{docNumber}}' } },
      },
    );
    const plan = loadPlanFile(file);
    expect(plan.templatesDir).toBe(path.join(path.dirname(file), 'tpl'));
    expect(plan.wording.notice.time).toBe('下午2:30'); // the plan file wins
    expect(plan.wording.summons.room).toBe('第三会议室'); // the bureau's file
    expect(plan.wording.summons.time).toBe('下午3:00'); // the built-in, beside it
    expect(plan.wording.mail.notice).toEqual({
      subject: '【云岭通知】{{docNumber}}',
      body: expect.stringContaining('{{county}}：'),
    });
    expect(plan.wording.warning.consequences).toEqual(['约谈你局主要负责人。']); // replaced, not appended
    expect(plan.wording.supervise.requirements).toHaveLength(2);
  });

  it('mergeWording: objects key by key, everything else replaced', () => {
    expect(mergeWording({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: 'y' })).toEqual({
      a: { b: 1, c: [3] },
      d: 'x',
      e: 'y',
    });
    expect(mergeWording({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('a mail text with a syntax error is a plan error with its path', () => {
    const file = writePlan((r) => {
      r.wording = { mail: { opinion: { subject: '【意见书】{{#if docNumber}}{{docNumber}}' } } };
    });
    expect(() => loadPlanFile(file)).toThrow(PlanError);
    expect(() => loadPlanFile(file)).toThrow(/wording\.mail\.opinion\.subject: 模板语法错误/);
  });

  it('an unknown helper in the bureau file is a plan error with its path', () => {
    const file = writePlan(() => {}, { mail: { digest: { body: '{{upper week}}' } } });
    expect(() => loadPlanFile(file)).toThrow(/wording\.mail\.digest\.body: 模板语法错误/);
  });

  it('an empty entry, a broken or non-mapping wording.yaml are plan errors', () => {
    expect(() => parsePlan(stringify({ ...rawExamplePlan(), wording: { notice: { time: '' } } }), 'p.yaml')).toThrow(
      /wording\.notice\.time: 不能为空/,
    );
    expect(() => loadPlanFile(writePlan(() => {}, 'notice: [unclosed\n'))).toThrow(
      /templatesDir\/wording\.yaml.*第 \d+ 行第 \d+ 列: YAML 语法错误/,
    );
    expect(() => loadPlanFile(writePlan(() => {}, '- 一\n- 二\n'))).toThrow(
      /templatesDir\/wording\.yaml.*应为键值映射/,
    );
  });

  it('the fallback texts for plans recorded before them are the built-in wording itself', () => {
    const mail = loadPlanFile(EXAMPLE_PLAN_FILE).wording.mail;
    expect(RECEIPT_REMINDER_FALLBACK).toEqual(mail.receiptReminder);
    expect(DUE_DATE_MOVED_FALLBACK).toEqual(mail.dueDateMoved);
    expect(TODO_DIGEST_FALLBACK).toEqual(mail.todoDigest);
  });
});
