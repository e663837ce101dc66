/**
 * The bad-input catalogue: one table of wrong inputs across every door into the engine — the plan
 * file, the `guidance` CLI, the HTTP API, the programme's and the visit's Updates, statistics files
 * and bureau templates. Each row names the input, the Chinese text a person is shown (a RegExp) and
 * the state that must be the same before and after the refusal: the workflow's Query, the evidence
 * store, the files around the plan, the CLI's output directory.
 *
 * Shared fixtures, built once: one time-skipping test server, one worker on its own task queue, one
 * programme (visibility off, every county on an explicit November date so nothing starts during the
 * run), one visit in its on-site stage and one HTTP server over them. Nothing is mocked.
 *
 * Over 300 lines because it is the one catalogue of bad input across CLI and HTTP, every row
 * against the same stack; split, a door could miss its row.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatsActivities } from '../activities/stats';
import { BUILTIN_TEMPLATES_DIR } from '../activities/documents/templates';
import { createServer } from '../client/http/server';
import { PlanError, loadPlanFile } from '../client/plan';
import { startProgramme } from '../client/programme';
import { loadUsers } from '../client/users';
import { addCountyUpdate, cancelVisitUpdate, rescheduleUpdate, scheduleQuery } from '../workflows/contracts/programme';
import { type Actor } from '../workflows/contracts/common';
import type { Plan } from '../workflows/shared/plan';
import { visitCaseQuery } from '../workflows/contracts/visit';
import {
  addEvidenceUpdate,
  approveUpdate,
  returnUpdate,
  setEnterpriseResultUpdate,
  setFindingUpdate,
  submitUpdate,
} from '../workflows/contracts/visit-onsite';
import { extendDueUpdate, submitReportUpdate } from '../workflows/contracts/visit-rectification';
import { USERS_FILE, multipart, pdfBytes } from './http/helpers';
import { receiptToken } from '../activities/email/receipt-link';
import { acknowledgeUpdate } from '../workflows/contracts/receipts';
import { applyCalendarUpdate } from '../workflows/contracts/calendar-update';
import { EXAMPLE_PLAN_FILE, rawExamplePlan } from './helpers/plans';
import { planIds, unreadable } from './helpers/readable';
import { createTimeSkippingEnv } from './helpers/temporal';
import { FAST_MAIL, VisitDriver, leader, supervisor } from './helpers/visit-driver';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue, type TestDirs } from './helpers/worker';
import { editCsv, xuchangCsvText } from './stats/helpers';

const ROOT = path.resolve(__dirname, '..');
const XS = 'xiangshan';
const QH = 'qinghe';
/** 临川区: on the programme's schedule, its visit not started. */
const LC = 'linchuan';

// ---------------------------------------------------------------------------------------------
// Shared fixtures

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let queue: string;
let dirs: TestDirs;
/** Root of every temp directory this file makes (removed in afterAll). */
let scratch: string;
let evidenceDir: string;
let plan: Plan;
let year: number;
let visitDate: string;
let programme: WorkflowHandle;
let visit: WorkflowHandle;
/** A second case (清河县) whose notice was acknowledged through its link in beforeAll: the reused link. */
let linkVisit: WorkflowHandle;
let usedToken: string;
const RECEIPT_KEY = randomBytes(32);
let app: FastifyInstance;
const cookies: Record<string, string> = {};

/** A fresh directory under the scratch root. */
function freshDir(name: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every entry under a directory (directories too), files with their sha256: proof nothing was written. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      const rel = path.relative(dir, p);
      if (statSync(p).isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(p);
      } else {
        out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
      }
    }
  };
  walk(dir);
  return out;
}

/** The files (not directories) under a directory, with their sha256. */
function storedFiles(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tree(dir)).filter(([k]) => !k.endsWith('/')));
}

const caseState = () => visit.query(visitCaseQuery);
const scheduleState = () => programme.query(scheduleQuery);

/** The first `n` weekdays on or after 16 November of the plan's year (no public holidays then). */
function novemberWeekdays(y: number, n: number): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(y, 10, 16));
  while (out.length < n) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** A Saturday in July of the plan's year (no holiday is ever moved onto a July weekend). */
function julySaturday(y: number): string {
  const d = new Date(Date.UTC(y, 6, 10));
  while (d.getUTCDay() !== 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'guidance-catalogue-'));
  env = await createTimeSkippingEnv();
  queue = uniqueQueue('catalogue');
  dirs = testDirs();
  evidenceDir = freshDir('evidence');
  worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
  running = worker.run();

  const d = new VisitDriver(env, queue);
  ({ year, date: visitDate } = await d.visitDate());
  plan = d.planFor(year, (raw) => {
    const dates = novemberWeekdays(year, raw.counties.length);
    raw.counties.forEach((c: { date?: string }, i: number) => (c.date = dates[i]));
  });
  visit = await d.start(plan, 0, visitDate);
  linkVisit = await d.start(plan, 1, visitDate);
  programme = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false, mailRetry: FAST_MAIL });
  await d.skipTo(visitDate);
  await d.waitForStage(visit, 'onsite');
  // The programme has placed its counties (every one still waiting for November).
  const s = await scheduleState();
  expect(s.entries.map((e) => e.status)).toEqual(plan.counties.map(() => 'scheduled'));

  const users = loadUsers(
    USERS_FILE,
    plan.counties.map((c) => c.code),
  );
  app = await createServer({
    client: env.client,
    config: { namespace: env.namespace ?? 'default', bureau: plan.bureau.code, year, logLevel: 'silent' },
    users,
    evidenceDir,
    archiveDir: dirs.archiveDir,
    receiptKey: RECEIPT_KEY,
  });
  // 清河县's notice, acknowledged once through its emailed link.
  await d.waitFor(linkVisit, (c) => (c.receipts ?? []).length > 0, 'the notice of 清河县');
  const r1 = (await linkVisit.query(visitCaseQuery)).receipts![0]!;
  usedToken = receiptToken(RECEIPT_KEY, { caseId: linkVisit.workflowId, receipt: r1.id, expires: r1.linkExpires });
  const first = await app.inject({
    method: 'POST',
    url: '/api/receipt',
    payload: { token: usedToken, signer: '王五' },
  });
  expect(first.statusCode, first.body).toBe(200);
  for (const id of ['sun-li', 'zheng-yuan', 'xiangshan']) {
    const res = await app.inject({ method: 'POST', url: '/api/login', payload: { id, password: `heluo-${id}` } });
    expect(res.statusCode, res.body).toBe(200);
    cookies[id] = String(res.headers['set-cookie']).split(';')[0]!;
  }
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The table

interface Row {
  /** What is wrong with the input. */
  name: string;
  /** Feeds the bad input in and returns what the person is shown. */
  act: () => Promise<string>;
  /** The Chinese text the person must see. */
  expected: RegExp;
  /** The state that must not change. */
  state: () => Promise<unknown> | unknown;
  /** The message lists the values the input may take (document kinds, roles): the words a person types, shown as typed. */
  choices?: true;
}

/**
 * The row's input is refused with its message and nothing changes. With `readable`, the message
 * names people and counties and says statuses in words (issue 22, point 5): no person id or county
 * code of the plan, no workflow id, no English status word. Plan, template and statistics files are
 * quoted back by their keys, so those doors are not held to it.
 */
async function refusedWithoutChange(row: Row, readable = false): Promise<void> {
  const before = await row.state();
  const shown = await row.act();
  expect(shown).toMatch(row.expected);
  expect(shown).toMatch(/[\u4e00-\u9fff]/);
  // Without the exit code, status and failure type, and the field paths (county.emails[0]: …), which name the input's keys.
  const words = shown
    .replace(/^(?:exit \d+\n|\d{3} \w+ )/, '')
    .replace(/^(\s*(?:- )?)(?:[A-Za-z][\w.[\]-]*: )+/gm, '$1');
  if (readable && !row.choices) expect(unreadable(words, planIds(plan))).toEqual([]);
  // No stack trace, no source location.
  expect(shown).not.toMatch(/\n\s+at .*\(|\.ts:\d+:\d+|node_modules/);
  expect(await row.state()).toEqual(before);
}

const table = (rows: Row[]) => rows.map((r) => [r.name, r] as const);

// ---- plan -----------------------------------------------------------------------------------

const exampleText = () => readFileSync(EXAMPLE_PLAN_FILE, 'utf8');
const edited = (edit: (raw: Record<string, any>) => void) => () => {
  const raw = rawExamplePlan();
  edit(raw);
  return stringify(raw);
};

/** A plan file written once per row, in its own directory, and what loading it says. */
const planFiles = new Map<string, string>();
function planFile(name: string, text: () => string, extra?: (dir: string) => void): string {
  let file = planFiles.get(name);
  if (!file) {
    const dir = freshDir(`plan-${planFiles.size}`);
    file = path.join(dir, 'plan.yaml');
    extra?.(dir);
    writeFileSync(file, text());
    planFiles.set(name, file);
  }
  return file;
}
function planError(file: string): string {
  try {
    loadPlanFile(file);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanError);
    return (err as PlanError).message;
  }
  throw new Error('plan was accepted');
}
const planRow = (name: string, text: () => string, expected: RegExp): Row => ({
  name,
  expected,
  act: async () => planError(planFile(name, text)),
  state: () => tree(path.dirname(planFile(name, text))),
});

const planRows: Row[] = [
  planRow(
    'a key given twice',
    () => `${exampleText()}\nyear: 2028\n`,
    /第 \d+ 行第 \d+ 列: YAML 语法错误（DUPLICATE_KEY）/,
  ),
  planRow(
    'an unclosed flow mapping',
    () => 'year: 2027\nbureau: { code: heluo, name: 河洛市应急管理局\n',
    /第 \d+ 行第 \d+ 列: YAML 语法错误/,
  ),
  planRow(
    'a postcode of five digits',
    edited((r) => (r.bureau.postcode = '47100')),
    /bureau\.postcode: 邮政编码应为 6 位数字/,
  ),
  planRow(
    'the bureau sender address',
    edited((r) => (r.bureau.email = 'zhidao-at-heluo')),
    /bureau\.email: .*邮箱地址格式不正确/,
  ),
  planRow(
    'a negative sampling weight',
    edited((r) => (r.counties[0].enterprises[0].weight = -1)),
    /counties\[0\]\.enterprises\[0\]\.weight: 抽取权重必须为正数/,
  ),
  planRow(
    'the approver also listed as a supervisor',
    edited((r) => (r.approval.approver.id = 'sun-li')),
    /supervisors: 人员 ID 重复：sun-li/,
  ),
  planRow(
    'a visit date written with slashes',
    edited((r) => (r.counties[2].date = '2027/03/15')),
    /counties\[2\]\.date: 日期格式应为 YYYY-MM-DD/,
  ),
  planRow(
    'a zero approval period',
    edited((r) => (r.approval.periodDays = 0)),
    /approval\.periodDays: .*[\u4e00-\u9fff]/,
  ),
  planRow(
    'an SMTP port out of range',
    edited((r) => (r.smtp = { host: 'mail.example.cn', port: 70000 })),
    /smtp\.port: .*[\u4e00-\u9fff]/,
  ),
  planRow(
    'an unknown escalation rung',
    edited((r) => (r.rectification.escalation = [{ rung: 'shame', daysAfterDue: 3 }])),
    /rectification\.escalation\[0\]\.rung: .*[\u4e00-\u9fff]/,
  ),
  {
    name: 'a plan file that does not exist',
    expected: /计划文件 .*nope\.yaml 有 1 处错误：\n {2}- 文件不存在/,
    act: async () => planError(path.join(freshDir('plan-missing'), 'nope.yaml')),
    state: () => tree(path.join(scratch, 'plan-missing')),
  },
];

// ---- templates (checked when the plan is loaded) ----------------------------------------------

const builtin = (kind: string) => readFileSync(path.join(BUILTIN_TEMPLATES_DIR, `${kind}.hbs`), 'utf8');
/** A plan naming `tpl/` as its template directory, holding `files`. */
function templateRow(name: string, files: Record<string, () => string>, expected: RegExp): Row {
  const text = edited((r) => (r.templatesDir = 'tpl'));
  const make = () =>
    planFile(name, text, (dir) => {
      for (const [f, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, 'tpl', f)), { recursive: true });
        writeFileSync(path.join(dir, 'tpl', f), content());
      }
    });
  return { name, expected, act: async () => planError(make()), state: () => tree(path.dirname(make())) };
}

const templateRows: Row[] = [
  templateRow(
    'opinion.hbs naming a variable its data lacks',
    { 'opinion.hbs': () => builtin('opinion').replace('<title>', '<p>指导地点：{{visit.place}}</p>\n<title>') },
    /templatesDir: 文书模板检查未通过（1 处）：\n.*opinion\.hbs 第 \d+ 行：变量 visit\.place 在数据中不存在/,
  ),
  templateRow(
    'urge.hbs calling an unknown helper',
    { 'urge.hbs': () => builtin('urge').replace('{{daysOverdue}}', '{{upper daysOverdue}}') },
    /templatesDir: 文书模板检查未通过[\s\S]*urge\.hbs[\s\S]*upper/,
  ),
  templateRow(
    'warning.hbs with an unclosed block',
    { 'warning.hbs': () => `{{#if county}}\n${builtin('warning')}` },
    /templatesDir: 模板 .*warning\.hbs 语法错误/,
  ),
  templateRow(
    'a partial naming a misspelt field',
    { 'partials/contact.hbs': () => '<p>联系人：{{bureau.contact.nmae}}</p>' },
    /templatesDir: 文书模板检查未通过[\s\S]*contact\.hbs[\s\S]*bureau\.contact\.nmae/,
  ),
];

// ---- statistics files ---------------------------------------------------------------------------

let statsDir: string | undefined;
const statsFiles = (): string => (statsDir ??= freshDir('stats'));
/** Imports `file` (written under the stats directory first) through the activity; the failure's text. */
function statsRow(
  name: string,
  file: string,
  content: (() => string | Uint8Array) | undefined,
  expected: RegExp,
  request = file,
): Row {
  const ensure = () => {
    const p = path.join(statsFiles(), file);
    if (content) {
      try {
        statSync(p);
      } catch {
        writeFileSync(p, content());
      }
    }
  };
  return {
    name,
    expected,
    state: () => {
      ensure();
      return tree(statsFiles());
    },
    act: async () => {
      const { importStatistics } = createStatsActivities({ baseDir: statsFiles() });
      try {
        await importStatistics({ path: request });
      } catch (err) {
        expect(err).toBeInstanceOf(ApplicationFailure);
        const f = err as ApplicationFailure;
        return `${f.type}: ${f.message}`;
      }
      throw new Error('the file was imported');
    },
  };
}

const statsRows: Row[] = [
  statsRow(
    'a word where a number belongs',
    'word.csv',
    () => editCsv(xuchangCsvText(), { C6: 'abc' }),
    /^UnreadableFile: .*\n.*第6行（魏都区）C列「检查生产经营单位\(家次\)」：「abc」不是数字/,
  ),
  statsRow(
    'broken CSV quoting',
    'quote.csv',
    () => '单位,检查家次\r\n"甲县,1\r\n',
    /^UnreadableFile: [\s\S]*第2行 A列：引号没有闭合/,
  ),
  statsRow(
    'a misplaced thousands separator',
    'sep.csv',
    () => editCsv(xuchangCsvText(), { M8: '1,0' }),
    /第8行（鄢陵县）M列「行政处罚\/罚款\(万元\)」：「1,0」的千分位分隔符位置不对/,
  ),
  statsRow(
    'an old .xls workbook',
    'old.xls',
    () => new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
    /^UnreadableFile: .*Excel 97-2003（.xls）.*另存为/,
  ),
  statsRow(
    'a damaged .xlsx',
    'bad.xlsx',
    () => new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]),
    /^UnreadableFile: bad\.xlsx：Excel 工作簿已损坏/,
  ),
  statsRow(
    'a file that is not there',
    'absent.csv',
    undefined,
    /^UnreadableFile: 无法读取统计表文件 absent\.csv：文件不存在/,
  ),
  statsRow(
    'a path leading out of the upload directory',
    'outside.csv',
    undefined,
    /^InvalidInput: 统计表路径不在允许的目录内：\.\.\/secret\.csv/,
    '../secret.csv',
  ),
];

// ---- CLI (a subprocess, as an operator runs it) ----------------------------------------------

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** `guidance …` as a subprocess, asynchronously: the worker in this process must keep running meanwhile. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'tsx/cjs', 'client/cli.ts', ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, GUIDANCE_DATA_DIR: path.join(scratch, 'cli-data'), ...extraEnv },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
let cliOut: string | undefined;
const cliDir = (): string => (cliOut ??= freshDir('cli'));
const temporalEnv = () => ({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' });
/** What the operator sees: the exit code and stderr, without the usage text commander appends. */
const shown = (r: CliResult) => `exit ${r.code}\n${r.stderr.split('\nUsage:')[0]!.trim()}`;
/** Files the CLI might write, and the data directory it was given. */
const cliFiles = () => ({ out: tree(cliDir()), data: tree(path.join(scratch, 'cli-data')) });
/** An input file of a CLI row (all written up front, so only the CLI's own writes count). */
const inputFile = (name: string) => path.join(cliDir(), name);

/** Every CLI row's input files, written before any CLI row runs (the rows run concurrently). */
const cliInputs: Record<string, () => string> = {};
function writeCliInputs(): void {
  for (const [file, content] of Object.entries(cliInputs)) writeFileSync(inputFile(file), content());
}

function cliRow(
  name: string,
  args: () => string[],
  expected: RegExp,
  opts: {
    temporal?: boolean;
    state?: () => Promise<unknown>;
    inputs?: Record<string, () => string>;
    choices?: true;
  } = {},
): Row {
  Object.assign(cliInputs, opts.inputs);
  return {
    name,
    expected,
    ...(opts.choices ? { choices: true as const } : {}),
    act: async () => shown(await cli(args(), opts.temporal ? temporalEnv() : {})),
    state: async () => ({ files: cliFiles(), workflow: opts.state ? await opts.state() : undefined }),
  };
}

const example = (kind: string) => path.join(ROOT, 'examples', 'documents', `${kind}.json`);
const cliRows: Row[] = [
  cliRow(
    'render: an unknown kind',
    () => ['render', 'letter', '--data', example('opinion'), '--out', path.join(cliDir(), 'a.pdf')],
    /^exit 2\n错误：未知的文书种类：letter（可用：notice、opinion/,
    { choices: true },
  ),
  cliRow(
    'render: a data file that is not there',
    () => ['render', 'opinion', '--data', path.join(cliDir(), 'nope.json'), '--out', path.join(cliDir(), 'b.pdf')],
    /^exit 2\n错误：无法读取数据文件 .*nope\.json：/,
  ),
  cliRow(
    'render: data that is not JSON',
    () => ['render', 'opinion', '--data', inputFile('broken.json'), '--out', path.join(cliDir(), 'c.pdf')],
    /^exit 2\n错误：无法读取数据文件 .*broken\.json：/,
    {
      inputs: { 'broken.json': () => '{"title": ' },
    },
  ),
  cliRow(
    'render: opinion data without its due date',
    () => ['render', 'opinion', '--data', inputFile('no-due.json'), '--out', path.join(cliDir(), 'd.pdf')],
    /^exit 2\n错误：文书数据不符合模板 templates\/opinion\.hbs 的要求：dueDate: /,
    {
      inputs: {
        'no-due.json': () => {
          const { dueDate: _omit, ...data } = JSON.parse(readFileSync(example('opinion'), 'utf8')) as Record<
            string,
            unknown
          >;
          return JSON.stringify(data);
        },
      },
    },
  ),
  cliRow(
    'plan check: a county date on a Saturday',
    () => ['plan', 'check', inputFile('saturday-plan.yaml')],
    /^exit 2\n错误：计划文件无法排期（1 处）：\ncounties\[1\]\.date: 清河县的指导日期 2027-05-01 是休息日或法定节假日，请改为工作日/,
    {
      inputs: { 'saturday-plan.yaml': edited((r) => (r.counties[1].date = '2027-05-01')) },
    },
  ),
  cliRow(
    'programme start: a county date on a Saturday',
    () => ['programme', 'start', '--plan', inputFile('saturday-plan.yaml')],
    /^exit 2\n错误：计划无法排期，未启动：\ncounties\[1\]\.date: .*是休息日或法定节假日/,
    { temporal: true },
  ),
  cliRow(
    'due-date: a date that does not exist',
    () => ['due-date', '--from', '2027-02-30', '--days', '30'],
    /^exit 2\n错误：日期不正确：2027-02-30/,
  ),
  cliRow(
    'due-date: days that are not a number',
    () => ['due-date', '--from', '2027-03-01', '--days', '三十'],
    /^exit 2\n错误：天数不正确：三十/,
  ),
  cliRow(
    'stats check: a file that is not there',
    () => ['stats', 'check', path.join(cliDir(), 'missing.csv')],
    /^exit 2\n错误：无法读取 .*missing\.csv：文件不存在/,
  ),
  cliRow(
    'stats check: a garbled cell',
    () => ['stats', 'check', inputFile('garbled.csv')],
    /^exit 2\n错误：统计表中有无法识别的内容/,
    {
      inputs: { 'garbled.csv': () => editCsv(xuchangCsvText(), { K14: '五' }) },
    },
  ),
  cliRow(
    'archive verify: a case id climbing out of the archive',
    () => ['archive', 'verify', '../x'],
    /^exit 2\n错误：案件编号不正确：\.\.\/x/,
  ),
  cliRow(
    'plan check: a county without an email',
    () => ['plan', 'check', inputFile('plan.yaml')],
    /^exit 2\n计划文件 .*plan\.yaml 有 1 处错误：\n {2}- counties\[1\]\.emails: 至少需要一个收件邮箱$/,
    {
      inputs: { 'plan.yaml': edited((r) => (r.counties[1].emails = [])) },
    },
  ),
  cliRow(
    'programme status: a year that is not a number',
    () => ['programme', 'status', '--year', 'abc', '--bureau', plan.bureau.code],
    /^exit 2\n错误：年度不正确：abc/,
    { temporal: true, state: scheduleState },
  ),
  cliRow(
    'programme reschedule: an unknown role',
    () => [
      'programme',
      'reschedule',
      '--year',
      String(year),
      '--county',
      QH,
      '--date',
      novemberWeekdays(year, 9)[8]!,
      '--reason',
      '县政府安排',
      '--bureau',
      plan.bureau.code,
      '--by',
      'sun-li',
      '--role',
      'boss',
    ],
    /^exit 2\n错误：--by\/--role 不正确：role: /,
    { temporal: true, state: scheduleState, choices: true },
  ),
  cliRow(
    'visit finding: a result that is not one of the four',
    () => [
      'visit',
      'finding',
      '--year',
      String(year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
      '--item',
      'plan.compile',
      '--result',
      '很好',
      '--by',
      'sun-li',
    ],
    // Refused as bad input before connecting (exit 2), in the CLI's own words for the option.
    /^exit 2\n错误：--result 应为 符合 \/ 基本符合 \/ 不符合 \/ 不适用 之一/,
    { temporal: true, state: caseState },
  ),
  cliRow(
    'visit approve: approving while the visit is on site',
    () => [
      'visit',
      'approve',
      '--year',
      String(year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
      '--by',
      'zheng-yuan',
    ],
    /^exit 1\n错误：当前阶段为“现场指导”，不能审批/,
    { temporal: true, state: caseState },
  ),
  cliRow(
    'visit review: reviewing while the visit is on site',
    () => [
      'visit',
      'review',
      '--year',
      String(year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
      '--decision',
      'accept',
      '--by',
      'sun-li',
    ],
    /^exit 1\n错误：当前阶段为“现场指导”，不能审核整改报告/,
    { temporal: true, state: caseState },
  ),
  cliRow(
    'visit extend: extending while the visit is on site',
    () => [
      'visit',
      'extend',
      '--year',
      String(year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
      '--to',
      `${year}-12-01`,
      '--reason',
      '涉及县政府审批',
      '--by',
      'sun-li',
    ],
    /^exit 1\n错误：当前阶段为“现场指导”，不能延长整改期限/,
    { temporal: true, state: caseState },
  ),
  cliRow(
    'visit reinspect: a follow-up check before there is a letter',
    () => [
      'visit',
      'reinspect',
      '--year',
      String(year),
      '--county',
      XS,
      '--bureau',
      plan.bureau.code,
      '--date',
      `${year}-12-01`,
      '--by',
      'sun-li',
    ],
    /^exit 1\n错误：items: 至少填写一项复查结果/,
    { temporal: true, state: caseState },
  ),
  cliRow(
    'calendar apply: a notice whose holiday ends before it starts and a weekday as 调休上班',
    () => [
      'calendar',
      'apply',
      '--year',
      String(year),
      '--file',
      inputFile('bad-calendar.yaml'),
      '--bureau',
      plan.bureau.code,
      '--as',
      'admin',
    ],
    /^exit 2\n错误：日历文件 .*bad-calendar\.yaml 有错误：\n {2}- holidays\[0\]\.to: 放假结束日期早于开始日期\n {2}- workdays\[0\]: 调休上班日 \d{4}-\d{2}-\d{2} 不是周末/,
    {
      temporal: true,
      state: async () => ({ schedule: await scheduleState(), case: await caseState() }),
      inputs: {
        'bad-calendar.yaml': () =>
          `year: ${year}\nsource: 国务院办公厅通知\nholidays:\n  - { name: 春节, from: ${year}-02-13, to: ${year}-02-06 }\nworkdays: [${novemberWeekdays(year, 1)[0]}]\n`,
      },
    },
  ),
  cliRow(
    'calendar apply: neither a file nor the package',
    () => ['calendar', 'apply', '--year', String(year), '--bureau', plan.bureau.code],
    /^exit 2\n错误：请指定 --file <日历文件> 或 --package 之一/,
    { temporal: true, state: scheduleState },
  ),
  cliRow(
    'visit status: a case whose date has not come yet',
    () => ['visit', 'status', '--year', String(year), '--county', LC, '--bureau', plan.bureau.code],
    /^exit 3\n错误：临川区 \d{4} 年度执法指导尚未开始：计划于\d{4}年11月\d{1,2}日进行/,
    { temporal: true, state: scheduleState },
  ),
  cliRow(
    'todo: a user not in the users file',
    () => ['todo', '--as', 'nobody', '--bureau', plan.bureau.code, '--users', USERS_FILE],
    /^exit 3\n错误：用户文件中没有用户 nobody/,
    { temporal: true },
  ),
];

// ---- HTTP API (in-process Fastify over the real workflows) -----------------------------------

const casePath = (county = XS) => `/api/years/${year}/cases/${county}`;
function post(who: string, route: string, body: unknown, county = XS): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `${casePath(county)}/${route}`,
    headers: { cookie: cookies[who]!, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}
function upload(
  who: string,
  fields: Record<string, string>,
  content: Buffer,
  filename = '证据.pdf',
): Promise<LightMyRequestResponse> {
  const m = multipart(fields, [{ name: 'file', filename, content }]);
  return app.inject({
    method: 'POST',
    url: `${casePath()}/evidence`,
    payload: m.payload,
    headers: { ...m.headers, cookie: cookies[who]! },
  });
}
/** `<status> <type> <message>`, after checking the one error shape. */
function httpShown(res: LightMyRequestResponse): string {
  const body = res.json() as { error: { type: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  return `${res.statusCode} ${body.error.type} ${body.error.message}`;
}
const httpRow = (name: string, request: () => Promise<LightMyRequestResponse>, expected: RegExp): Row => ({
  name,
  expected,
  act: async () => httpShown(await request()),
  // Files only: a refused upload may leave its emptied shard directory behind (see the report).
  state: async () => ({ case: await caseState(), evidence: storedFiles(evidenceDir) }),
});

/** A row that also watches the second case (the receipt link's). */
const linkRow = (name: string, request: () => Promise<LightMyRequestResponse>, expected: RegExp): Row => ({
  name,
  expected,
  act: async () => httpShown(await request()),
  state: async () => ({ case: await caseState(), linked: await linkVisit.query(visitCaseQuery) }),
});

const httpRows: Row[] = [
  httpRow(
    'a finding whose result is not one of the four',
    () => post('sun-li', 'findings', { item: 'plan.compile', result: '很好' }),
    /^400 InvalidInput result: 检查结论只能是/,
  ),
  httpRow(
    'a finding for a checklist item that does not exist',
    () => post('sun-li', 'findings', { item: 'plan.nope', result: '符合' }),
    /^400 InvalidInput item: /,
  ),
  httpRow(
    'a finding citing evidence never recorded',
    () => post('sun-li', 'findings', { item: 'plan.compile', result: '不符合', evidence: ['E9'] }),
    /^400 InvalidInput 证据编号不存在：E9/,
  ),
  httpRow(
    'an enterprise that was not sampled',
    () => post('sun-li', 'enterprises', { enterprise: 'QIN-001', findings: ['未发现问题'] }),
    /^400 InvalidInput 企业 QIN-001 不是本次抽查的企业/,
  ),
  httpRow(
    'an enterprise result with no findings',
    () => post('sun-li', 'enterprises', { enterprise: 'XIA-001', findings: [] }),
    /^400 InvalidInput findings: 至少填写一条核查结果/,
  ),
  httpRow(
    'submitting before the findings are complete',
    () => post('sun-li', 'submit', {}),
    /^400 InvalidInput 检查结果不完整，不能提交：\n/,
  ),
  httpRow(
    'approving while the visit is on site',
    () => post('zheng-yuan', 'approve', {}),
    /^409 InvalidState 当前阶段为“现场指导”，不能审批/,
  ),
  httpRow(
    'returning the draft with a one-character comment',
    () => post('zheng-yuan', 'return', { comment: '否' }),
    /^400 InvalidInput comment: 退回必须写明意见（至少 2 个字）/,
  ),
  httpRow(
    'a county recording a finding',
    () => post('xiangshan', 'findings', { item: 'plan.compile', result: '符合' }),
    /^403 Forbidden .*(无权|只能)/,
  ),
  httpRow(
    'opening a case whose date has not come yet',
    () => app.inject({ method: 'GET', url: casePath(LC), headers: { cookie: cookies['sun-li']! } }),
    /^404 NotFound 临川区 \d{4} 年度执法指导尚未开始：计划于\d{4}年11月\d{1,2}日进行，开始后才能查看和办理$/,
  ),
  httpRow(
    'a finding for a case whose date has not come yet',
    () => post('sun-li', 'findings', { item: 'plan.compile', result: '符合' }, LC),
    /^404 NotFound 临川区 \d{4} 年度执法指导尚未开始/,
  ),
  httpRow(
    'a county code that is not a code',
    () => post('sun-li', 'findings', { item: 'plan.compile', result: '符合' }, 'Xiang Shan'),
    /^400 InvalidInput .*县区代码不正确/,
  ),
  httpRow(
    'evidence that is an HTML page named .pdf',
    () => upload('sun-li', { item: 'plan.compile' }, Buffer.from('<html><script>alert(1)</script></html>'), 'scan.pdf'),
    /^415 TypeRefused scan\.pdf：不接受的文件类型：text\/html/,
  ),
  httpRow(
    'an empty evidence file',
    () => upload('sun-li', { item: 'plan.compile' }, Buffer.alloc(0)),
    /^400 Empty .*空/,
  ),
  httpRow(
    'evidence for an unknown checklist item (the stored file is removed again)',
    () => upload('sun-li', { item: 'plan.nope' }, pdfBytes('catalogue')),
    /^400 InvalidInput item: /,
  ),
  httpRow(
    'recording a re-inspection while on site',
    () => post('sun-li', 'reinspection', { date: `${year}-12-01`, items: [{ index: 0, passed: true }] }),
    /^409 InvalidState 当前阶段为“现场指导”，不能记录复查结果/,
  ),
  httpRow(
    'extending the due date while on site',
    () => post('sun-li', 'extend', { newDueDate: `${year}-12-01`, reason: '涉及县政府审批' }),
    /^409 InvalidState 当前阶段为“现场指导”，不能延长整改期限/,
  ),
  httpRow(
    'acknowledging a receipt the case does not have',
    () => post('xiangshan', 'acknowledge', { receipt: 'R9', signer: '张三' }),
    /^400 InvalidInput 没有编号为 R9 的待签收文书/,
  ),
  httpRow(
    'acknowledging with a blank signer',
    () => post('xiangshan', 'acknowledge', { receipt: 'R1', signer: ' \u200b ' }),
    /^400 InvalidInput signer：签收人/,
  ),
  httpRow(
    "a county acknowledging another county's letter",
    () => post('xiangshan', 'acknowledge', { receipt: 'R1', signer: '张三' }, QH),
    /^403 Forbidden 只能查看和办理本县区的案件/,
  ),
  linkRow(
    'a receipt link used a second time',
    () => app.inject({ method: 'POST', url: '/api/receipt', payload: { token: usedToken, signer: '李四' } }),
    /^409 AlreadyUsed 该文书已于 \d{4}-\d{2}-\d{2} 由 王五 签收，不能重复签收/,
  ),
  linkRow(
    'an expired receipt link',
    () =>
      app.inject({
        method: 'POST',
        url: '/api/receipt',
        payload: {
          token: receiptToken(RECEIPT_KEY, { caseId: visit.workflowId, receipt: 'R1', expires: '2020-01-31' }),
          signer: '张三',
        },
      }),
    /^410 Expired 签收链接已过期（有效期至 2020-01-31），请登录县区门户签收/,
  ),
  linkRow(
    'a receipt link signed with another key',
    () =>
      app.inject({
        method: 'POST',
        url: '/api/receipt',
        payload: {
          token: receiptToken(randomBytes(32), {
            caseId: visit.workflowId,
            receipt: 'R1',
            expires: `${year + 1}-01-31`,
          }),
          signer: '张三',
        },
      }),
    /^400 InvalidInput 签收链接无效/,
  ),
  linkRow(
    'a throttled login: six wrong passwords in a row, the sixth refused whatever it is',
    async () => {
      for (let i = 0; i < 5; i++)
        await app.inject({ method: 'POST', url: '/api/login', payload: { id: 'yunling', password: `wrong-${i}` } });
      const res = await app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { id: 'yunling', password: 'heluo-yunling' },
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      return res;
    },
    /^429 TooManyRequests 登录尝试过于频繁：该账号密码错误次数过多，已暂时锁定/,
  ),
];

// ---- Updates (straight to the workflows, as every client ends up) ----------------------------

/** The refusal an Update got, as `<type>: <message>`; it must be a WorkflowUpdateFailedError. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return `${(cause as ApplicationFailure).type}: ${cause!.message}`;
  }
  throw new Error('the Update was accepted');
}
const admin: Actor = { id: 'admin', role: 'admin' };
const countyActor: Actor = { id: 'xiangshan', role: 'county', county: XS };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const reason = '县政府统一安排';

const programmeRow = (name: string, run: () => Promise<unknown>, expected: RegExp): Row => ({
  name,
  expected,
  act: () => refusal(run()),
  state: scheduleState,
});
const visitRow = (name: string, run: () => Promise<unknown>, expected: RegExp): Row => ({
  name,
  expected,
  act: () => refusal(run()),
  state: caseState,
});
const reschedule = (args: Record<string, unknown>) =>
  programme.executeUpdate(rescheduleUpdate, {
    args: [{ actor: admin, county: QH, date: novemberWeekdays(year, 9)[8]!, reason, ...args } as never],
  });
const evidence = (args: Record<string, unknown>) =>
  visit.executeUpdate(addEvidenceUpdate, {
    args: [
      {
        actor: supervisor,
        sha256: sha('catalogue-evidence'),
        size: 1000,
        mediaType: 'application/pdf',
        filename: '案卷.pdf',
        item: 'plan.compile',
        ...args,
      } as never,
    ],
  });
const newCounty = (edit: (c: Record<string, any>) => void = () => {}) => {
  const c = structuredClone(rawExamplePlan().counties[0]) as Record<string, any>;
  c.code = 'xinqu';
  c.name = '新区';
  edit(c);
  return c;
};

const updateRows: Row[] = [
  // the programme
  programmeRow(
    'reschedule into another year',
    () => reschedule({ date: `${year + 1}-03-02` }),
    /^InvalidInput: 指导日期 (\d{4})-03-02 不在 \d{4} 年度内/,
  ),
  programmeRow(
    'reschedule after 30 November',
    () => reschedule({ date: `${year}-12-01` }),
    /^InvalidInput: 指导日期 \d{4}-12-01 晚于 \d{4} 年 11 月 30 日/,
  ),
  programmeRow(
    'reschedule into the past',
    () => reschedule({ date: `${year}-01-05` }),
    /^InvalidInput: 指导日期 \d{4}-01-05 已过（今天是 /,
  ),
  programmeRow(
    'reschedule onto a Saturday',
    () => reschedule({ date: julySaturday(year) }),
    /^InvalidInput: 指导日期 \d{4}-07-\d{2} 是休息日或法定节假日，请选择工作日/,
  ),
  programmeRow(
    'reschedule to 30 February',
    () => reschedule({ date: `${year}-02-30` }),
    /^InvalidInput: date: 不存在的日期/,
  ),
  programmeRow(
    'reschedule with a one-character reason',
    () => reschedule({ reason: '改' }),
    /^InvalidInput: reason: 必须填写理由（至少 2 个字）/,
  ),
  programmeRow(
    'reschedule by a county',
    () => reschedule({ actor: countyActor }),
    /^Forbidden: 只有管理员或执法指导人员可以调整年度计划/,
  ),
  programmeRow(
    'reschedule a county not in the plan',
    () => reschedule({ county: 'nowhere' }),
    /^InvalidInput: 计划中没有县区 nowhere/,
  ),
  programmeRow(
    'add a county already in the plan',
    () =>
      programme.executeUpdate(addCountyUpdate, {
        args: [{ actor: admin, county: newCounty((c) => (c.code = QH)) as never, reason }],
      }),
    /^InvalidInput: 清河县已在计划中（县区代码相同），不能重复增加/,
  ),
  programmeRow(
    'add a county with a bad email',
    () =>
      programme.executeUpdate(addCountyUpdate, {
        args: [{ actor: admin, county: newCounty((c) => (c.emails = ['yjj-xinqu'])) as never, reason }],
      }),
    /^InvalidInput: county\.emails\[0\]: .*邮箱地址格式不正确/,
  ),
  programmeRow(
    'add a county with an empty roster',
    () =>
      programme.executeUpdate(addCountyUpdate, {
        args: [{ actor: admin, county: newCounty((c) => (c.enterprises = [])) as never, reason }],
      }),
    /^InvalidInput: county\.enterprises: 列入执法计划的企业名单为空/,
  ),
  programmeRow(
    'add a county without a roster',
    () =>
      programme.executeUpdate(addCountyUpdate, {
        args: [{ actor: admin, county: newCounty((c) => delete c.enterprises) as never, reason }],
      }),
    /^InvalidInput: county\.enterprises: 列入执法计划的企业名单为空/,
  ),
  programmeRow(
    'add a county with an enterprise listed twice',
    () =>
      programme.executeUpdate(addCountyUpdate, {
        args: [
          {
            actor: admin,
            county: newCounty((c) => (c.enterprises = [c.enterprises[0], { ...c.enterprises[0], id: 'X-2' }])) as never,
            reason,
          },
        ],
      }),
    /^InvalidInput: county\.enterprises\[1\]\.name: 企业名称重复/,
  ),
  programmeRow(
    'cancel a county not in the plan',
    () => programme.executeUpdate(cancelVisitUpdate, { args: [{ actor: admin, county: 'nowhere', reason }] }),
    /^InvalidInput: 计划中没有县区 nowhere/,
  ),
  programmeRow(
    'cancel without a reason',
    () => programme.executeUpdate(cancelVisitUpdate, { args: [{ actor: admin, county: QH, reason: '  ' }] }),
    /^InvalidInput: reason: 必须填写理由/,
  ),
  // the visit, on site
  visitRow(
    'evidence with an upper-case sha256',
    () => evidence({ sha256: sha('x').toUpperCase() }),
    /^InvalidInput: sha256: sha256 应为 64 位小写十六进制/,
  ),
  visitRow('evidence of zero bytes', () => evidence({ size: 0 }), /^InvalidInput: size: 文件为空/),
  visitRow(
    'evidence of a type not accepted',
    () => evidence({ mediaType: 'text/html' }),
    /^InvalidInput: mediaType: 不接受的文件类型/,
  ),
  visitRow(
    'evidence for an enterprise not sampled',
    () => evidence({ enterprise: 'QIN-001' }),
    /^InvalidInput: 企业 QIN-001 不是本次抽查的企业/,
  ),
  visitRow(
    'a finding by a leader',
    () => visit.executeUpdate(setFindingUpdate, { args: [{ actor: leader, item: 'plan.compile', result: '符合' }] }),
    /^Forbidden: 只有本计划指导组的执法指导人员可以进行此操作/,
  ),
  visitRow(
    'a finding by a supervisor not in the plan',
    () =>
      visit.executeUpdate(setFindingUpdate, {
        args: [{ actor: { id: 'li-si', role: 'supervisor' }, item: 'plan.compile', result: '符合' }],
      }),
    /^Forbidden: 只有本计划指导组/,
  ),
  visitRow(
    'a finding by a blank actor',
    () =>
      visit.executeUpdate(setFindingUpdate, {
        args: [{ actor: { id: '   ', role: 'supervisor' }, item: 'plan.compile', result: '符合' }],
      }),
    /^InvalidInput: actor\.id: 操作人不能为空/,
  ),
  visitRow(
    'an enterprise result of blank lines',
    () =>
      visit.executeUpdate(setEnterpriseResultUpdate, {
        args: [{ actor: supervisor, enterprise: 'XIA-001', findings: ['  '] }],
      }),
    /^InvalidInput: findings\[0\]: /,
  ),
  visitRow(
    'submitting with nothing filled in',
    () => visit.executeUpdate(submitUpdate, { args: [{ actor: supervisor }] }),
    /^InvalidInput: 检查结果不完整，不能提交：\n/,
  ),
  visitRow(
    'approving by the deputy',
    () => visit.executeUpdate(approveUpdate, { args: [{ actor: { id: 'feng-qing', role: 'leader' } }] }),
    /^Forbidden: 只有审批人（郑远）可以审批此意见书/,
  ),
  visitRow(
    'returning with an empty comment',
    () => visit.executeUpdate(returnUpdate, { args: [{ actor: leader, comment: '' }] }),
    /^InvalidInput: comment: 退回必须写明意见/,
  ),
  visitRow(
    'extending with a date in the wrong format',
    () => visit.executeUpdate(extendDueUpdate, { args: [{ actor: supervisor, newDueDate: '2027.12.01', reason }] }),
    /^InvalidInput: newDueDate: 日期格式应为 YYYY-MM-DD/,
  ),
  visitRow(
    'a rectification report while on site',
    () =>
      visit.executeUpdate(submitReportUpdate, {
        args: [
          {
            actor: countyActor,
            files: [{ sha256: sha('r'), size: 10, mediaType: 'application/pdf', filename: '整改报告.pdf' }],
            items: [{ index: 0, status: '整改完成' }],
          },
        ],
      }),
    /^InvalidState: 当前阶段为“现场指导”，不能提交整改报告/,
  ),
  visitRow(
    'a receipt acknowledged by another county',
    () =>
      visit.executeUpdate(acknowledgeUpdate, {
        args: [{ actor: { id: 'qinghe', role: 'county', county: QH }, receipt: 'R1', signer: '王五', via: 'portal' }],
      }),
    /^Forbidden: 只有本县区可以签收本县区的文书/,
  ),
  visitRow(
    "a receipt recorded by a leader on the county's behalf",
    () =>
      visit.executeUpdate(acknowledgeUpdate, {
        args: [{ actor: leader, receipt: 'R1', signer: '王五', via: 'staff' }],
      }),
    /^Forbidden: 只有指导组或管理员可以代为登记签收/,
  ),
  visitRow(
    'a receipt with an unknown way of signing',
    () =>
      visit.executeUpdate(acknowledgeUpdate, {
        args: [{ actor: countyActor, receipt: 'R1', signer: '王五', via: 'fax' } as never],
      }),
    /^InvalidInput: via: 签收方式只能是/,
  ),
  visitRow(
    'a calendar applied by a supervisor',
    () =>
      visit.executeUpdate(applyCalendarUpdate, {
        args: [
          {
            actor: supervisor,
            snapshot: { year, covered: true, nonWorkingDays: weekends(year) },
            source: '国务院通知',
          },
        ],
      }),
    /^Forbidden: 只有管理员可以应用节假日安排/,
  ),
  visitRow(
    'a calendar with fewer days off than the weekends',
    () =>
      visit.executeUpdate(applyCalendarUpdate, {
        args: [
          {
            actor: admin,
            snapshot: { year, covered: true, nonWorkingDays: weekends(year).slice(0, 50) },
            source: '国务院通知',
          },
        ],
      }),
    /^InvalidInput: snapshot\.nonWorkingDays: 非工作日只有 50 天/,
  ),
  programmeRow(
    'a calendar of another year for the programme',
    () =>
      programme.executeUpdate(applyCalendarUpdate, {
        args: [
          {
            actor: admin,
            snapshot: { year: year + 1, covered: true, nonWorkingDays: weekends(year + 1) },
            source: '国务院通知',
          },
        ],
      }),
    /^InvalidInput: 这是 \d{4} 年度的计划，不能应用 \d{4} 年的日历/,
  ),
];

/** Every Saturday and Sunday of `y`. */
function weekends(y: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(y, 0, 1); t < Date.UTC(y + 1, 0, 1); t += 86_400_000)
    if ([0, 6].includes(new Date(t).getUTCDay())) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('bad-input catalogue', () => {
  it('has at least 40 rows, spread over every door', () => {
    const counts = {
      plan: planRows.length,
      templates: templateRows.length,
      stats: statsRows.length,
      cli: cliRows.length,
      http: httpRows.length,
      updates: updateRows.length,
    };
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
    expect(counts.plan).toBeGreaterThanOrEqual(8);
    expect(counts.cli).toBeGreaterThanOrEqual(8);
    expect(counts.http).toBeGreaterThanOrEqual(8);
    expect(counts.updates).toBeGreaterThanOrEqual(10);
    expect(counts.stats).toBeGreaterThanOrEqual(4);
    expect(counts.templates).toBeGreaterThanOrEqual(3);
  });

  describe('plan', () => {
    it.each(table(planRows))('refuses %s', async (_name, row) => refusedWithoutChange(row));
  });
  describe('templates', () => {
    it.each(table(templateRows))('refuses %s', async (_name, row) => refusedWithoutChange(row));
  });
  describe('statistics files', () => {
    it.each(table(statsRows))('refuses %s', async (_name, row) => refusedWithoutChange(row));
  });
  describe('Updates', () => {
    it.each(table(updateRows))('refuses %s', async (_name, row) => refusedWithoutChange(row, true));
  });
  describe('HTTP API', () => {
    it.each(table(httpRows))('refuses %s', async (_name, row) => refusedWithoutChange(row, true));
  });
  // Each subprocess costs a second of start-up; several run at once. None may write, so a row that
  // did would still fail (its own comparison or a neighbour's).
  describe.concurrent('CLI', () => {
    beforeAll(writeCliInputs);
    it.each(table(cliRows))('refuses %s', async (_name, row) => refusedWithoutChange(row, true));
  });

  it('left the shared programme and visit where they were', async () => {
    expect((await scheduleState()).entries.every((e) => e.status === 'scheduled' && e.origin === 'plan')).toBe(true);
    const c = await caseState();
    expect(c.stage).toBe('onsite');
    expect(c.evidence).toEqual([]);
    expect(c.findings.every((f) => f.result === undefined)).toBe(true);
    expect(c.audit.some((a) => a.by !== 'system')).toBe(false);
  });
});
