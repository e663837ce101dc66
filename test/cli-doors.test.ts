/**
 * The CLI doors added for parity, run as an operator runs them (`client/cli.ts` in a subprocess)
 * against the time-skipping stack: `guidance visit report` (the county's rectification report,
 * its files stored content-addressed and pinned before the Update, released when the workflow
 * refuses it), `guidance visit evidence` refusing an unknown case before storing anything, and
 * `guidance numbers void`. Each refusal: its exit code, its Chinese message, nothing changed.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocNumberActivities } from '../activities/docnumber';
import { EvidenceStore } from '../activities/evidence/store';
import { sweepPins } from '../activities/evidence/sweep';
import { numberRegister } from '../client/numbers';
import { visitOps } from '../client/visit';
import type { Actor } from '../workflows/contracts/common';
import {
  findingsFor,
  listFiles,
  pdfBytes,
  sha256,
  skipTo,
  startStack,
  tempDir,
  waitForCase,
  type Stack,
} from './http/helpers';

const ROOT = path.resolve(__dirname, '..');
const XS = 'xiangshan';
const supervisor: Actor = { id: 'sun-li', role: 'supervisor' };
const leader: Actor = { id: 'zheng-yuan', role: 'leader' };

let s: Stack;
let files: string;
const ref = () => ({ year: s.plan.year, bureau: s.plan.bureau.code, county: XS });
const caseOf = () => visitOps.get(s.env.client, ref());

/** `guidance …` as a subprocess, asynchronously (this process runs the worker meanwhile). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: s.env.address,
    TEMPORAL_NAMESPACE: s.env.namespace ?? 'default',
    GUIDANCE_DATA_DIR: path.dirname(s.dirs.archiveDir),
    GUIDANCE_ACTOR: 'operator',
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', ...args],
      { cwd: ROOT, encoding: 'utf8', env },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const common = (county = XS) => ['--year', String(s.plan.year), '--county', county, '--bureau', s.plan.bureau.code];
/** A PDF written to disk for the CLI, unique content each time. */
function pdf(name: string): string {
  const file = path.join(files, name);
  writeFileSync(file, pdfBytes(name));
  return file;
}

/** Refused, each of `rows` (run at once): exit code and message as shown; neither the case nor the evidence store changed. */
async function refused(...rows: [string[], number, RegExp][]): Promise<void> {
  // The store and its pins (`<store>.pins`): a refused report leaves neither a file nor a pin.
  const stored = () => ({ files: listFiles(s.evidenceDir), pins: listFiles(`${s.evidenceDir}.pins`) });
  const before = { case: await caseOf(), stored: stored() };
  const results = await Promise.all(rows.map(([args]) => cli(args)));
  rows.forEach(([args, code, message], i) => {
    const r = results[i]!;
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(|\.ts:\d+:\d+|node_modules/);
  });
  expect({ case: await caseOf(), stored: stored() }).toEqual(before);
}
/** `--item` for every problem of the letter, each 整改完成. */
const allDone = async () => (await caseOf()).rectification!.problems.map((_, i) => `${i + 1}=整改完成`);

beforeAll(async () => {
  s = await startStack();
  files = tempDir('guidance-cli-files-');
  // 香山县 to rectification: findings (two 不符合, so two problems), approval, the letter issued.
  await skipTo(s.env, s.dates[0]);
  const c = await waitForCase(s, XS, (x) => x.stage === 'onsite', 'onsite');
  for (const f of findingsFor()) await visitOps.setFinding(s.env.client, ref(), { actor: supervisor, ...(f as any) });
  for (const e of c.sample!.enterprises)
    await visitOps.setEnterpriseResult(s.env.client, ref(), {
      actor: supervisor,
      enterprise: e.id,
      findings: ['现场检查记录未载明隐患整改期限。'],
    });
  await visitOps.submit(s.env.client, ref(), { actor: supervisor });
  await waitForCase(s, XS, (x) => x.approval.rounds.length === 1, 'draft');
  await visitOps.approve(s.env.client, ref(), { actor: leader, comment: '同意' });
  await waitForCase(s, XS, (x) => x.stage === 'rectification', 'rectification');
});
afterAll(async () => {
  await s?.teardown();
});

describe('guidance visit report', () => {
  it('refuses bad input before anything is stored', async () => {
    const a = pdf('a.pdf');
    await refused(
      [
        ['visit', 'report', ...common(), '--file', a, '--item', '1整改完成'],
        2,
        /^错误：--item 不正确：1整改完成（格式：序号=整改状态/,
      ],
      [
        ['visit', 'report', ...common(), '--file', a, '--item', '1=已整改'],
        2,
        /^错误：--item 1=已整改：整改状态只能是 整改完成 \/ 正在整改 \/ 无法整改/,
      ],
      [
        ['visit', 'report', ...common(), '--file', a, '--item', '0=整改完成'],
        2,
        /^错误：--item 的序号从 1 起：0=整改完成/,
      ],
      [
        ['visit', 'report', ...common(), '--file', a, '--item', '1=整改完成:已完成'],
        2,
        /^错误：--item 1=整改完成:已完成：整改完成不带附加内容/,
      ],
      [
        ['visit', 'report', ...common(), '--file', path.join(files, 'absent.pdf'), '--item', '1=整改完成'],
        2,
        /^错误：absent\.pdf：文件不存在/,
      ],
      [
        ['visit', 'report', ...common(), '--file', ...Array.from({ length: 11 }, () => a), '--item', '1=整改完成'],
        2,
        /^错误：一次最多附 10 个文件/,
      ],
      [
        ['visit', 'report', ...common('nowhere'), '--file', a, '--item', '1=整改完成'],
        3,
        /^错误：没有找到 nowhere 的 \d{4} 年度执法指导/,
      ],
      [['visit', 'report', ...common(), '--item', '1=整改完成'], 2, /^错误：缺少必填选项 --file <path\.\.\.>/],
    );
  });

  it('a report the workflow refuses releases its files: nothing is left in the store', async () => {
    const [, ...rest] = await allDone();
    await refused(
      [
        ['visit', 'report', ...common(), '--file', pdf('b.pdf'), '--item', '1=整改完成'],
        1,
        /^错误：整改报告不完整：\n第 2 项（.*）：未填写整改情况/,
      ],
      [
        ['visit', 'report', ...common(), '--file', pdf('c.pdf'), '--item', '1=正在整改', ...rest],
        1,
        /^错误：整改报告不完整：\n第 1 项：正在整改须填写预计完成日期$/m,
      ],
      [
        ['visit', 'report', ...common(), '--file', pdf('d.pdf'), '--item', '9=整改完成', '1=整改完成', ...rest],
        1,
        /^错误：整改报告不完整：\n第 9 项：意见书中没有这一项问题/,
      ],
      [
        [
          'visit',
          'report',
          ...common(),
          '--role',
          'supervisor',
          '--by',
          'nobody',
          '--file',
          pdf('e.pdf'),
          '--item',
          '1=整改完成',
          ...rest,
        ],
        1,
        /^错误：只有本计划指导组的执法指导人员可以进行此操作/,
      ],
    );
  });

  it('the county reports: files stored by sha256 and pinned for the case, the report on the case', async () => {
    const [a, b] = [pdf('整改报告.pdf'), pdf('整改照片.pdf')];
    const c = await caseOf();
    const due = c.rectification!.dueDate;
    const [, , ...rest] = await allDone();
    const r = await cli([
      'visit',
      'report',
      ...common(),
      '--file',
      a,
      b,
      '--item',
      '1=整改完成',
      `2＝正在整改：${due}`,
      ...rest,
      '--note',
      '已对照意见书逐项整改。',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^已报送第 1 次整改报告（附件 2 个），等待执法指导人员审核/);
    const report = (await caseOf()).rectification!.reports[0]!;
    expect(report).toMatchObject({ by: 'operator', role: 'county', note: '已对照意见书逐项整改。' });
    expect(report.items.slice(0, 2)).toEqual([
      { index: 0, status: '整改完成' },
      { index: 1, status: '正在整改', date: due },
    ]);
    expect(report.items).toHaveLength(c.rectification!.problems.length);
    const store = new EvidenceStore({ dir: s.evidenceDir });
    const shas = [a, b].map((f) => sha256(readFileSync(f)));
    expect(report.files.map((f) => [f.filename, f.sha256, f.mediaType])).toEqual([
      ['整改报告.pdf', shas[0], 'application/pdf'],
      ['整改照片.pdf', shas[1], 'application/pdf'],
    ]);
    for (const sha of shas) expect(await store.verify(sha)).toBe(true);
    // Every pin the command took is now the case's accepted reference: nothing left for the sweep.
    expect(await sweepPins(store, { graceMs: 0, dryRun: true, references: async () => undefined })).toMatchObject({
      checked: 0,
    });
  });

  it('a second report while the first awaits review is refused and its file released', async () => {
    await refused([
      ['visit', 'report', ...common(), '--file', pdf('f.pdf'), '--item', ...(await allDone())],
      1,
      /^错误：上一次整改报告尚在审核中，请等待审核结果/,
    ]);
  });
});

describe('guidance visit evidence', () => {
  it('an unknown case is refused before the file is stored', async () => {
    await refused([
      ['visit', 'evidence', ...common('nowhere'), '--file', pdf('g.pdf'), '--item', 'plan.compile'],
      3,
      /^错误：没有找到 nowhere 的 \d{4} 年度执法指导/,
    ]);
  });

  it('an unknown checklist item or result is refused in Chinese before anything is stored', async () => {
    await refused(
      [
        ['visit', 'evidence', ...common(), '--file', pdf('h.pdf'), '--item', 'plan.nothing'],
        2,
        /^错误：--item 应为检查项之一：plan\.compile \//,
      ],
      [['visit', 'finding', ...common(), '--item', 'nope', '--result', '符合'], 2, /^错误：--item 应为检查项之一/],
      [
        ['visit', 'finding', ...common(), '--item', 'plan.compile', '--result', '好'],
        2,
        /^错误：--result 应为 符合 \/ 基本符合 \/ 不符合 \/ 不适用 之一/,
      ],
    );
  });
});

describe('guidance numbers void', () => {
  const register = () => numberRegister(s.env.client, s.plan.year, s.plan.bureau.code);
  const voidArgs = (series: string, n: number | string, reason = '案件终止，文书未出具') => [
    'numbers',
    'void',
    '--year',
    String(s.plan.year),
    '--bureau',
    s.plan.bureau.code,
    '--series',
    series,
    '--number',
    String(n),
    '--reason',
    reason,
  ];

  it('refuses a bad series, a missing reason, a non-administrator and a number of a running case', async () => {
    const before = await register();
    const opinion = before.find((r) => r.requestId.endsWith(':opinion'))!;
    const cases: [string[], number, RegExp][] = [
      [voidArgs('letters', 1), 2, /^错误：series: 文号系列只能是 notice \/ opinion/],
      [voidArgs('opinion', 'x'), 2, /^错误：number: 序号应为正整数/],
      [voidArgs('opinion', opinion.number).slice(0, -2), 2, /^错误：缺少必填选项 --reason <text>/],
      [[...voidArgs('opinion', opinion.number), '--role', 'supervisor'], 1, /^错误：只有管理员可以作废文号/],
      [
        voidArgs('opinion', opinion.number),
        1,
        /属于仍在办理的 visit-.*：由该工作流在不再使用时自行作废（如取消执法指导），不能手工作废/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    cases.forEach(([, code, message], i) => {
      expect(results[i]!.code, results[i]!.stderr).toBe(code);
      expect(results[i]!.stderr).toMatch(message);
    });
    expect(await register()).toEqual(before);
  });

  it('voids a number its ended case drew but never put on a letter', async () => {
    const c = await caseOf();
    const urge = await createDocNumberActivities({ client: s.env.client, taskQueue: s.queue }).allocateDocNumber({
      year: s.plan.year,
      bureau: s.plan.bureau.code,
      series: 'urge',
      requestId: `${c.caseId}:urge:1`,
    });
    await s.env.client.workflow.getHandle(c.caseId).terminate('test: ended by hand');
    const r = await cli([...voidArgs('urge', urge), '--by', 'admin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `已作废催（催办通知）系列第 ${urge} 号（原用于 ${c.caseId}:urge:1）：案件终止，文书未出具（经办：admin）\n`,
    );
    expect((await register()).find((x) => x.series === 'urge' && x.number === urge)).toMatchObject({
      status: 'void',
      reason: '案件终止，文书未出具（经办：admin）',
    });
  });
});
