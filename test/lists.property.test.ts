/**
 * Bounded lists in Update arguments (workflows/shared/lists.ts): at most `max` entries as sent,
 * exact repeats kept once in first-appearance order, two different entries for the same thing
 * refused, refusals in Chinese. Checked on the helper with random lists, and on the visit's own
 * argument schemas.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { List, dedupe } from '../workflows/shared/lists';
import { tolerantly } from '../workflows/shared/tolerance';
import {
  MAX_PROBLEMS,
  RecordReinspectionArgs,
  REPORT_MAX_FILES,
  ReviewReportArgs,
  SubmitReportArgs,
} from '../workflows/contracts/visit-rectification';
import { SetEnterpriseResultArgs, SetFindingArgs } from '../workflows/contracts/visit-onsite';

const actor = { id: 'sun-li', role: 'supervisor' as const };
const messages = (r: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('a bounded, de-duplicated list', () => {
  it('accepts iff no longer than the maximum; keeps each entry once, in first-appearance order (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.constantFrom('a', 'b', 'c', '甲', '乙', ''), { maxLength: 20 }),
        (max, list) => {
          const r = List(z.string(), { max, label: '条目' }).safeParse(list);
          expect(r.success).toBe(list.length <= max);
          if (!r.success) {
            expect(r.error.issues[0]!.message).toBe(`条目不能超过 ${max} 项（收到 ${list.length} 项）`);
            return;
          }
          expect(r.data).toEqual([...new Set(list)]);
        },
      ),
    );
  });

  it('refuses two different entries with the same key, merges identical ones (fast-check)', () => {
    const entry = fc.record({ index: fc.integer({ min: 0, max: 3 }), passed: fc.boolean() });
    const schema = List(z.object({ index: z.number(), passed: z.boolean() }), {
      max: 50,
      label: '复查结果',
      key: (e) => e.index,
      conflict: (k) => `第 ${Number(k) + 1} 项重复填写且内容不同`,
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), (list) => {
        const conflicting = list.some((a) => list.some((b) => a.index === b.index && a.passed !== b.passed));
        const r = schema.safeParse(list);
        expect(r.success).toBe(!conflicting);
        if (r.success) {
          expect(r.data).toEqual(dedupe(list));
          expect(new Set(r.data.map((e) => e.index)).size).toBe(r.data.length);
        } else expect(r.error.issues[0]!.message).toMatch(/^第 \d 项重复填写且内容不同$/);
      }),
    );
  });

  it('a handler re-parsing what an earlier version accepted skips the maximum and the conflict check', () => {
    const schema = List(z.string(), { max: 2, label: '条目' });
    expect(schema.safeParse(['a', 'b', 'c']).success).toBe(false);
    expect(tolerantly(() => schema.parse(['a', 'b', 'c', 'a']))).toEqual(['a', 'b', 'c']);
  });
});

describe("the visit's Update arguments", () => {
  it("a finding's evidence: at most 50 ids of the form E1, repeats merged", () => {
    const base = { actor, item: 'plan.compile', result: '不符合', problem: '问题', opinion: '意见' };
    expect(SetFindingArgs.parse({ ...base, evidence: ['E2', 'E1', 'E2', 'E2'] }).evidence).toEqual(['E2', 'E1']);
    expect(
      messages(SetFindingArgs.safeParse({ ...base, evidence: Array.from({ length: 51 }, (_, i) => `E${i + 1}`) })),
    ).toEqual(['evidence: 证据编号不能超过 50 项（收到 51 项）']);
    expect(messages(SetFindingArgs.safeParse({ ...base, evidence: ['E1', 'x'.repeat(10_000)] }))).toEqual([
      'evidence.1: 证据编号格式应为 E1、E2 …',
    ]);
  });

  it("an enterprise's results, review reasons: bounded, repeats merged", () => {
    expect(
      SetEnterpriseResultArgs.parse({
        actor,
        enterprise: 'XIA-001',
        findings: ['未载明整改期限。', '未载明整改期限。 '],
      }).findings,
    ).toEqual(['未载明整改期限。']);
    expect(
      messages(
        SetEnterpriseResultArgs.safeParse({
          actor,
          enterprise: 'XIA-001',
          findings: Array.from({ length: 51 }, (_, i) => `第${i}条`),
        }),
      ),
    ).toEqual(['findings: 核查结果不能超过 50 项（收到 51 项）']);
    expect(messages(SetEnterpriseResultArgs.safeParse({ actor, enterprise: 'XIA-001', findings: [] }))).toEqual([
      'findings: 至少填写一条核查结果',
    ]);
    expect(
      ReviewReportArgs.parse({ actor, decision: 'return', reasons: ['未附材料。', '未附材料。'] }).reasons,
    ).toEqual(['未附材料。']);
    expect(
      messages(
        ReviewReportArgs.safeParse({
          actor,
          decision: 'return',
          reasons: Array.from({ length: 21 }, (_, i) => `理由${i}`),
        }),
      ),
    ).toEqual(['reasons: 退回理由不能超过 20 项（收到 21 项）']);
  });

  it("a report's files and items, a re-inspection's items: bounded, repeats merged, conflicts refused", () => {
    const file = (n: number, name = `报告${n}.pdf`) => ({
      sha256: n.toString(16).padEnd(64, '0'),
      size: 10,
      mediaType: 'application/pdf',
      filename: name,
    });
    const item = { index: 0, status: '整改完成' };
    const report = (files: unknown[], items: unknown[] = [item]) => SubmitReportArgs.safeParse({ actor, files, items });
    expect(report([file(1), file(1)]).data?.files).toHaveLength(1);
    expect(messages(report([file(1), file(1, '另一个名字.pdf')]))).toEqual([
      `files: 同一文件以不同文件名附了两次（sha256 1${'0'.repeat(11)}…）`,
    ]);
    expect(messages(report(Array.from({ length: REPORT_MAX_FILES + 1 }, (_, i) => file(i + 1))))).toEqual([
      `files: 整改报告附件不能超过 ${REPORT_MAX_FILES} 项（收到 ${REPORT_MAX_FILES + 1} 项）`,
    ]);
    expect(report([file(1)], [item, item]).data?.items).toEqual([item]);
    expect(messages(report([file(1)], [item, { index: 0, status: '正在整改', date: '2027-09-30' }]))).toEqual([
      'items: 第 1 项重复填写且内容不同',
    ]);
    expect(
      messages(
        report(
          [file(1)],
          Array.from({ length: MAX_PROBLEMS + 1 }, (_, index) => ({ index, status: '整改完成' })),
        ),
      ),
    ).toEqual([`items: 整改情况不能超过 ${MAX_PROBLEMS} 项（收到 ${MAX_PROBLEMS + 1} 项）`]);
    const re = (items: unknown[]) => RecordReinspectionArgs.safeParse({ actor, date: '2027-09-30', items });
    expect(
      re([
        { index: 0, passed: true },
        { index: 0, passed: true },
      ]).data?.items,
    ).toEqual([{ index: 0, passed: true }]);
    expect(
      messages(
        re([
          { index: 0, passed: true },
          { index: 0, passed: false },
        ]),
      ),
    ).toEqual(['items: 第 1 项重复填写且内容不同']);
  });
});
