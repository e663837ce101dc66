/**
 * Enterprise results with a result (issue 22, point 1): each check at a sampled enterprise is a
 * problem (with its opinion) or a clean result. Only problems enter the opinion letter's 存在问题,
 * the rectification and the county's report form; clean results are stated once (经现场抽查，…).
 * A result recorded before checks existed (every line a problem) reads as it did. Rendered to a real
 * PDF and read back with pdftotext.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../activities/calendar';
import { renderPdf } from '../activities/documents/render';
import { ensureDocumentTools } from '../scripts/setup-documents';
import { CHECKLIST_KEYS } from '../workflows/shared/checklist';
import { addDays } from '../workflows/shared/clock';
import { formatDocNumber } from '../workflows/shared/documents';
import { onOrNextWorkingDay, snapshotCalendar } from '../workflows/shared/schedule';
import { SAMPLING_ALGORITHM } from '../workflows/shared/sampling';
import { enterpriseChecks, type EnterpriseResult, type VisitCase } from '../workflows/contracts/visit';
import { SetEnterpriseResultArgs, type EnterpriseCheck } from '../workflows/contracts/visit-onsite';
import type { VisitContext } from '../workflows/visit/context';
import { letterProblems, opinionLetter } from '../workflows/visit/letters';
import { examplePlan } from './helpers/plans';

const plan = examplePlan();
const county = plan.counties[0]!;
const [first, second] = county.enterprises;
const calendar = snapshotCalendar([takeSnapshot(plan.year), takeSnapshot(plan.year + 1)]);
const today = onOrNextWorkingDay(`${plan.year}-04-22`, calendar);
const issued = {
  docNumber: formatDocNumber(plan.bureau.shortName, plan.year, 3),
  issueDate: today,
  dueDate: onOrNextWorkingDay(addDays(today, 30), calendar),
};
const supervisor = { id: plan.supervisors[0]!.id, role: 'supervisor' as const };
let scratch: string;

beforeAll(async () => {
  await ensureDocumentTools();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'enterprise-results-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The parts of a visit's context the letter builders read. */
function context(enterprises: EnterpriseResult[]): VisitContext {
  const state = {
    caseId: 'visit-test',
    findings: CHECKLIST_KEYS.map((item) => ({ item, result: '符合' as const, evidence: [] })),
    enterprises,
    sample: {
      algorithm: SAMPLING_ALGORITHM,
      seed: 'seed-0d6f',
      rosterSha256: 'a'.repeat(64),
      size: 2,
      enterprises: [first!, second!],
    },
  } as unknown as VisitCase;
  return {
    input: { programmeWorkflowId: 'p', plan, county, date: today },
    plan,
    county,
    caseId: 'visit-test',
    state,
    today: () => today,
    calendar: () => calendar,
  } as unknown as VisitContext;
}

/** The result as the setEnterpriseResult Update stores it. */
function stored(enterprise: string, checks: EnterpriseCheck[]): EnterpriseResult {
  const args = SetEnterpriseResultArgs.parse({ actor: supervisor, enterprise, checks });
  return {
    enterprise,
    findings: args.checks!.filter((c) => c.result === '发现问题').map((c) => c.text),
    checks: args.checks,
    by: supervisor.id,
    at: today,
  };
}

async function letterText(ctx: VisitContext): Promise<string> {
  const { pdf } = await renderPdf('opinion', opinionLetter(ctx, 'final', issued).data, {
    templatesDir: plan.templatesDir,
  });
  const file = path.join(scratch, `${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return text.replace(/^\s*—\s*\d+\s*—\s*$/gm, '').replace(/\s+/g, '');
}

describe('enterprise results with a result', () => {
  it('a clean result is stated once and never rectified; problems carry their opinions, one sentence with punctuation', async () => {
    const ctx = context([
      stored(first!.id, [
        { result: '发现问题', text: '消防通道堵塞', opinion: '责令立即清理。' },
        { result: '发现问题', text: '应急预案未组织演练。' },
      ]),
      stored(second!.id, [{ result: '未发现问题', text: '现场未发现重大事故隐患' }]),
    ]);
    expect(letterProblems(ctx)).toEqual([`${first!.name}：消防通道堵塞`, `${first!.name}：应急预案未组织演练。`]);
    const text = await letterText(ctx);
    expect(text).toContain(
      `${first!.name}（${first!.industry}）。存在问题：消防通道堵塞；应急预案未组织演练。处理意见：责令立即清理；${plan.wording.opinion.defaultOpinion.replace(/。$/, '')}。`,
    );
    expect(text).toContain(`${second!.name}（${second!.industry}）。经现场抽查，现场未发现重大事故隐患。`);
    expect(text).not.toMatch(/存在问题：[^（]*现场未发现重大事故隐患/);
    // The draw's record stays out of the letter (issue 22, point 3).
    expect(text).not.toContain('seed-0d6f');
    expect(text).not.toMatch(/sha256/i);
  });

  it('a result recorded before checks existed reads as problems, each closed by punctuation', async () => {
    const legacy: EnterpriseResult = {
      enterprise: first!.id,
      findings: ['未建立隐患排查台账', '现场检查记录未载明整改期限。'],
      by: supervisor.id,
      at: today,
    };
    expect(enterpriseChecks(legacy).map((c) => c.result)).toEqual(['发现问题', '发现问题']);
    const ctx = context([legacy]);
    expect(letterProblems(ctx)).toEqual([
      `${first!.name}：未建立隐患排查台账`,
      `${first!.name}：现场检查记录未载明整改期限。`,
    ]);
    expect(await letterText(ctx)).toContain('存在问题：未建立隐患排查台账；现场检查记录未载明整改期限。');
  });

  it('the Update takes checks or (older clients) findings, never both or neither, and no opinion on a clean result', () => {
    const refused = (args: object) => {
      const r = SetEnterpriseResultArgs.safeParse({ actor: supervisor, enterprise: first!.id, ...args });
      return r.success ? undefined : r.error.issues.map((i) => i.message).join('；');
    };
    expect(refused({})).toMatch(/请填写核查结果/);
    expect(refused({ checks: [{ result: '发现问题', text: '甲' }], findings: ['乙'] })).toMatch(/请填写核查结果/);
    expect(refused({ checks: [] })).toMatch(/至少填写一条核查结果/);
    expect(refused({ checks: [{ result: '未发现问题', text: '未发现隐患', opinion: '整改' }] })).toMatch(
      /不需要处理意见/,
    );
    expect(refused({ checks: [{ result: 'ok', text: '甲' }] })).toMatch(/核查结论只能是 发现问题 \/ 未发现问题/);
    expect(refused({ findings: ['甲'] })).toBeUndefined();
  });

  it('whatever the mix, the rectification holds exactly the problem checks, and every clean text stays out of it (fast-check)', () => {
    const text = fc.constantFrom(
      '未发现重大事故隐患',
      '消防通道堵塞',
      '台账不全。',
      '应急预案未演练；',
      '特种作业人员无证上岗',
    );
    const check = fc.oneof(
      fc.record({
        result: fc.constant('发现问题' as const),
        text,
        opinion: fc.option(fc.constantFrom('限期整改', '立即停止作业。'), { nil: undefined }),
      }),
      fc.record({ result: fc.constant('未发现问题' as const), text: text.map((t) => `清洁：${t}`) }),
    );
    fc.assert(
      fc.property(
        fc.array(check, { minLength: 1, maxLength: 6 }),
        fc.array(check, { minLength: 1, maxLength: 6 }),
        (a, b) => {
          const strip = (c: EnterpriseCheck) => (c.opinion === undefined ? { result: c.result, text: c.text } : c);
          const [ra, rb] = [stored(first!.id, a.map(strip)), stored(second!.id, b.map(strip))];
          const problems = letterProblems(context([ra, rb]));
          // As stored: the Update drops a check given twice.
          const expected = [
            ...ra.checks!.map((c) => [first!, c] as const),
            ...rb.checks!.map((c) => [second!, c] as const),
          ]
            .filter(([, c]) => c.result === '发现问题')
            .map(([e, c]) => `${e.name}：${c.text}`);
          expect(problems).toEqual(expected.length ? expected : [plan.wording.rectification.noProblems]);
          expect(problems.some((p) => p.includes('清洁：'))).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
