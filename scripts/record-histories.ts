/**
 * Records the replay corpus: a compressed year on the real dev server (the project's own Temporal
 * CLI build, with the engine's search attributes), two programmes of the example plan run to their
 * end by the demo's simulated people plus the steps they never take, then every workflow's history
 * written to test/histories/devyear-*.history.bin for test/replay.test.ts.
 *
 *   npx tsx scripts/record-histories.ts [--day-ms 150] [--tag v2]
 *
 * `--tag T` prefixes every file and bureau code with `T-`, so a corpus recorded by a newer engine
 * joins the older files instead of replacing them (the older ones are what prove a change still
 * replays the cases already running).
 *
 * - `devyear`: the seven counties placed by the scheduler, one profile each (on time, late at each
 *   rung, a report returned once). Besides: a template broken on disk under the first visit (an
 *   incident, then an administrator's `retry` once it is fixed), the second visit's first draft
 *   returned by the leader, and an extension of the due date (`extendDue`).
 * - `devyear-reinspect`: `rectification.reinspection: true` (the supervisor records a 复查), with
 *   the programme's own Updates: statistics recorded, a visit rescheduled, a county added, a
 *   started visit cancelled (its cancelled history is kept too).
 * - The numbering workflows (发文字号) are recorded as they stand: open, living for the year.
 * - Both: receipts (签收) — the counties acknowledge their letters, some at once in the portal,
 *   others after the reminder through staff (代为登记); and once per programme, an administrator
 *   applies an official calendar that makes a visit's due date a holiday (`applyCalendar` on the
 *   programme and on that visit, the due date moved and the county told).
 *
 * Visibility is on (search-attribute upserts) and visits send their progress to the programme.
 * This machine's paths (temporary directories, the checkout in stack traces) are replaced by
 * placeholders before a history is written. Files of the same name are overwritten; the script fails when the recorded corpus misses an
 * Update kind of REQUIRED_UPDATES. See docs/architecture.md, "Changing workflow code".
 *
 * Over 300 lines because the corpus is one script of scenarios run in order on one server: the
 * steps people never take are written beside the run that needs them, so a reader sees every case
 * the corpus holds in one place.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { BUILTIN_TEMPLATES_DIR } from '../activities/documents/templates';
import { ROOT } from '../worker/temporal-tools';
import { startProgramme } from '../client/programme';
import { isTransient, People } from '../client/simulation/people';
import { takeSnapshot } from '../activities/calendar';
import { acknowledgeUpdate } from '../workflows/contracts/receipts';
import { applyCalendarUpdate } from '../workflows/contracts/calendar-update';
import { addDays } from '../workflows/shared/clock';
import {
  addCountyUpdate,
  cancelVisitUpdate,
  rescheduleUpdate,
  scheduleQuery,
  type ProgrammeState,
  type ScheduleEntry,
} from '../workflows/contracts/programme';
import { programmeWorkflowId, type Actor } from '../workflows/contracts/common';
import { recordStatisticsUpdate } from '../workflows/contracts/statistics';
import { openIncident, retryUpdate } from '../workflows/contracts/incidents';
import type { Plan } from '../workflows/shared/plan';
import { correctRosterUpdate } from '../workflows/contracts/roster';
import { correctCountyEmailsUpdate } from '../workflows/contracts/county-emails';
import type { programmeWorkflow } from '../workflows/programme';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import { extendDueUpdate, recordReinspectionUpdate } from '../workflows/contracts/visit-rectification';
import { returnUpdate } from '../workflows/contracts/visit-onsite';
import {
  acceptedUpdates,
  corpusUpdates,
  HISTORIES_DIR,
  lastEventType,
  REQUIRED_UPDATES,
  workflowTypeOf,
} from '../test/helpers/histories';
import { examplePlan } from '../test/helpers/plans';
import { createDevServerEnv } from '../test/helpers/temporal';
import { testActivityDeps, testDirs, workflowBundle } from '../test/helpers/worker';

const YEAR = 2027;
const START_DATE = `${YEAR - 1}-12-20`;
const QUEUE = 'record-histories';
/** Mail goes to the outbox (the example plan has no SMTP block); a short profile all the same. */
const MAIL_RETRY = { initialIntervalMs: 500, maximumIntervalMs: 2000, giveUpAfterMs: 60_000 };

const supervisor: Actor = { id: 'sun-li', role: 'supervisor' };
const admin: Actor = { id: 'admin', role: 'admin' };

interface Run {
  /** File-name prefix and bureau code. */
  prefix: string;
  plan: Plan;
  handle: WorkflowHandle;
  people: People;
  state?: ProgrammeState;
  /** Done once, per run: what this driver does beyond the simulated people. */
  did: Set<string>;
  extras(run: Run, e: ScheduleEntry, c: VisitCase): Promise<boolean>;
  setUp?(run: Run): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** `--tag T`: the prefix of this recording's files and bureau codes (`T-devyear…`); none by default. */
function tagArg(): string {
  const i = process.argv.indexOf('--tag');
  if (i < 0) return '';
  const v = process.argv[i + 1] ?? '';
  if (!/^[a-z0-9]{1,8}$/.test(v)) throw new Error(`--tag should be 1–8 lower-case letters or digits: ${v}`);
  return `${v}-`;
}

function dayMsArg(): number {
  const i = process.argv.indexOf('--day-ms');
  const v = i >= 0 ? Number(process.argv[i + 1]) : 150;
  if (!Number.isInteger(v) || v < 50) throw new Error(`--day-ms should be an integer ≥ 50: ${process.argv[i + 1]}`);
  return v;
}

async function run(): Promise<void> {
  const began = Date.now();
  const msPerDay = dayMsArg();
  const tag = tagArg();
  const env = await createDevServerEnv();
  const dirs = testDirs();
  const evidenceDir = mkdtempSync(path.join(os.tmpdir(), 'guidance-evidence-'));
  // The first programme's templates, a copy on disk someone will break for a while.
  const templates = mkdtempSync(path.join(os.tmpdir(), 'guidance-templates-'));
  cpSync(BUILTIN_TEMPLATES_DIR, templates, { recursive: true });
  const opinion = path.join(templates, 'opinion.hbs');
  const goodOpinion = readFileSync(opinion, 'utf8');

  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createActivities(testActivityDeps(env, QUEUE, dirs)),
  });
  const running = worker.run();
  const client = env.client;
  try {
    const year = examplePlan((raw) => {
      raw.year = YEAR;
      raw.bureau.code = `${tag}devyear`;
      raw.templatesDir = templates;
    });
    const reinspect = examplePlan((raw) => {
      raw.year = YEAR;
      raw.bureau.code = `${tag}devyear-reinspect`;
      raw.rectification.reinspection = true;
      const [xiangshan, qinghe, shimen] = ['xiangshan', 'qinghe', 'shimen'].map((code) =>
        raw.counties.find((c: { code: string }) => c.code === code),
      );
      raw.counties = [
        { ...xiangshan, date: `${YEAR}-01-12` },
        { ...qinghe, date: `${YEAR}-02-09` },
        // A Saturday: the programme cannot place it, an incident the administrator clears by
        // amending the date to the Tuesday after and retrying (programme schedule incident).
        { ...shimen, date: `${YEAR}-03-06` },
      ];
    });
    const added = year.counties.find((c) => c.code === 'xijiang')!;

    const start = (plan: Plan) =>
      startProgramme(client, plan, {
        taskQueue: QUEUE,
        timeScale: { msPerDay, startDate: START_DATE },
        visibility: true,
        mailRetry: MAIL_RETRY,
      });
    // As an older client started it: no schedule check before the start (startProgramme refuses the Saturday).
    const startUnchecked = (plan: Plan) =>
      client.workflow.start<typeof programmeWorkflow>('programmeWorkflow', {
        workflowId: programmeWorkflowId(plan.year, plan.bureau.code),
        taskQueue: QUEUE,
        args: [{ plan, timeScale: { msPerDay, startDate: START_DATE }, visibility: true, mailRetry: MAIL_RETRY }],
      });
    const runs: Run[] = [
      {
        prefix: `${tag}devyear`,
        plan: year,
        handle: await start(year),
        people: new People(client, year, evidenceDir),
        did: new Set(),
        extras: (r, e, c) =>
          yearExtras(client, r, e, c, {
            break: () =>
              writeFileSync(
                opinion,
                goodOpinion.replace('{{visitDate}}', '{{visitDat}}').replace('<title>', '<title>{{#each}}'),
              ),
            fix: () => writeFileSync(opinion, goodOpinion),
          }),
      },
      {
        prefix: `${tag}devyear-reinspect`,
        plan: reinspect,
        handle: await startUnchecked(reinspect),
        people: new People(client, reinspect, evidenceDir),
        did: new Set(),
        extras: (r, e, c) => reinspectExtras(client, r, e, c),
        setUp: (r) => reinspectSetUp(r, added),
      },
    ];

    const deadline = Date.now() + 15 * 60_000;
    let lastLine = '';
    while (runs.some((r) => !r.state?.finished)) {
      if (Date.now() > deadline) throw new Error('the year did not finish in 15 minutes');
      for (const r of runs) {
        if (r.state?.finished) continue;
        r.state = await r.handle.query(scheduleQuery);
        const incident = openIncident(r.state.incidents);
        if (incident?.step === 'schedule' && !incident.retriedAt && !r.did.has('scheduleFix')) {
          // The plan's Saturday: amended before the year is placed, then retried.
          await r.handle.executeUpdate(rescheduleUpdate, {
            args: [{ actor: admin, county: 'shimen', date: `${YEAR}-03-09`, reason: '原定日期为星期六，改为工作日。' }],
          });
          await r.handle.executeUpdate(retryUpdate, { args: [{ actor: admin, note: '已改为工作日' }] });
          r.did.add('scheduleFix');
          continue;
        }
        if (r.setUp && r.state.entries.length > 0 && !r.did.has('setUp')) {
          r.did.add('setUp');
          await r.setUp(r);
        }
        for (const e of r.state.entries) {
          if (e.status !== 'started') continue;
          let c: VisitCase;
          try {
            c = await client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery);
          } catch {
            continue; // just started: not answering yet
          }
          try {
            if (
              !(await correctionExtras(client, r, e, c)) &&
              !(await receiptExtras(client, r, e, c)) &&
              !(await r.extras(r, e, c))
            )
              await r.people.act(e.county, c);
          } catch (err) {
            // A refusal because the case moved on meanwhile: the next round sees the new state.
            if (!isTransient(err)) throw err;
          }
        }
      }
      const line = runs
        .map(
          (r) =>
            `${r.prefix} ${r.state?.today ?? '?'} ${(r.state?.entries ?? []).map((e) => `${e.county}:${e.status}`).join(' ')}`,
        )
        .join(' | ');
      if (line !== lastLine) log(line);
      lastLine = line;
      await sleep(Math.max(50, msPerDay / 4));
    }
    log(`both programmes finished after ${((Date.now() - began) / 1000).toFixed(0)} s`);

    // The histories: programmes, every visit (the cancelled one too), the numbering workflows.
    const ids: { file: string; workflowId: string; runId?: string }[] = [];
    for (const r of runs) {
      // The programme continues as new at month ends: every run, oldest first (run 1 keeps the old name).
      const programmeRuns = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = '${r.handle.workflowId}'` }))
        programmeRuns.push(wf);
      programmeRuns.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      programmeRuns.forEach((wf, i) =>
        ids.push({
          file: `${r.prefix}-programme${i === 0 ? '' : `-run${String(i + 1).padStart(2, '0')}`}`,
          workflowId: wf.workflowId,
          runId: wf.runId,
        }),
      );
      for (const e of r.state!.entries)
        ids.push({ file: `${r.prefix}-visit-${e.county}`, workflowId: e.visitWorkflowId });
    }
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'docNumberWorkflow'` })) {
      const m = /^docnum-\d+-(.+)-([a-z]+)$/.exec(wf.workflowId);
      if (!m) throw new Error(`unexpected numbering workflow id ${wf.workflowId}`);
      ids.push({ file: `${m[1]}-docnumber-${m[2]}`, workflowId: wf.workflowId });
    }
    mkdirSync(HISTORIES_DIR, { recursive: true });
    // This machine's directories, as the letters' paths and the stack traces of failures hold them.
    const machinePaths: [string, string][] = [
      [path.dirname(dirs.archiveDir), '$TMPDIR/guidance-data'],
      [templates, '$TMPDIR/guidance-templates'],
      [evidenceDir, '$TMPDIR/guidance-evidence'],
      [`${ROOT}${path.sep}`, ''],
      [os.tmpdir(), '$TMPDIR'],
    ];
    const histories = [];
    for (const { file, workflowId, runId } of ids.sort((a, b) => a.file.localeCompare(b.file))) {
      const history = temporal.api.history.v1.History.fromObject(
        await client.workflow.getHandle(workflowId, runId).fetchHistory(),
      );
      scrub(history, machinePaths);
      const bytes = temporal.api.history.v1.History.encode(history).finish();
      const leaked = machinePaths.map(([from]) => from).filter((from) => Buffer.from(bytes).includes(from));
      if (leaked.length) throw new Error(`${file}: still holds ${leaked.join(', ')}`);
      writeFileSync(path.join(HISTORIES_DIR, `${file}.history.bin`), bytes);
      histories.push(history);
      const updates = Object.entries(acceptedUpdates(history))
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
      log(
        `${file}.history.bin  ${workflowTypeOf(history)}  ${(bytes.length / 1024).toFixed(0)} KiB  ${history.events?.length} events  ${lastEventType(history).replace('EVENT_TYPE_', '')}  ${updates}`,
      );
    }
    const total = corpusUpdates(histories);
    log(`Updates accepted: ${JSON.stringify(total)}`);
    const missing = REQUIRED_UPDATES.filter((u) => !total[u]);
    if (missing.length) throw new Error(`the recorded year lacks Update kinds: ${missing.join(', ')}`);
    log(
      `recorded ${ids.length} histories in ${((Date.now() - began) / 1000).toFixed(0)} s (${msPerDay} ms per simulated day)`,
    );
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
  }
}

/**
 * The seven-county year: an incident and its retry on the earliest visit, the leader's return on
 * the next, and an extension for the county that reports at the 警示 rung.
 */
async function yearExtras(
  client: Client,
  r: Run,
  e: ScheduleEntry,
  c: VisitCase,
  template: { break(): void; fix(): void },
): Promise<boolean> {
  const h = client.workflow.getHandle(e.visitWorkflowId);
  const order = [...r.state!.entries].sort((a, b) => (a.date < b.date ? -1 : 1)).map((x) => x.county);
  if (openIncident(c.incidents)) {
    // The administrator fixes the file, then retries the failed step.
    template.fix();
    await h.executeUpdate(retryUpdate, { args: [{ actor: admin, note: '模板已修正' }] });
    r.did.add('retry');
    return true;
  }
  if (e.county === order[0] && c.stage === 'onsite' && !r.did.has('break')) {
    // Someone edits the opinion template with a typo just before the findings are submitted.
    template.break();
    r.did.add('break');
    return false; // the people submit; the draft's render fails for good
  }
  const round = c.approval.rounds[c.approval.rounds.length - 1];
  if (e.county === order[1] && c.stage === 'approval' && round && !round.decision && !r.did.has('return')) {
    await h.executeUpdate(returnUpdate, {
      args: [
        {
          actor: { id: c.approval.passedTo ?? c.approval.approver, role: 'leader' },
          comment: '第二项问题表述不准确，请核实后修改。',
        },
      ],
    });
    r.did.add('return');
    return true;
  }
  const rect = c.rectification;
  if (
    r.people.profileOf.get(e.county) === 'warning' &&
    c.stage === 'rectification' &&
    rect &&
    rect.extensions.length === 0 &&
    !rect.reports.length
  ) {
    // The county asks for more time; the supervisor grants a week or so, to a working day.
    for (let n = 7; n < 20; n++) {
      try {
        await h.executeUpdate(extendDueUpdate, {
          args: [
            {
              actor: supervisor,
              newDueDate: addDays(rect.dueDate, n),
              reason: '县区申请延期：整改涉及的案卷需重新评查。',
            },
          ],
        });
        r.did.add('extendDue');
        return true;
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError && /休息日|节假日/.test(String(err.cause?.message)))) throw err;
      }
    }
  }
  return false;
}

/**
 * Receipts and the official calendar, on both programmes: counties in the first half of the plan
 * acknowledge in their portal as soon as a letter arrives; the others wait for the reminder and
 * staff record it (代为登记). The first visit to reach rectification gets a calendar whose new
 * holiday is its due date, applied to the programme and to it.
 */
async function receiptExtras(client: Client, r: Run, e: ScheduleEntry, c: VisitCase): Promise<boolean> {
  const h = client.workflow.getHandle(e.visitWorkflowId);
  const prompt = r.plan.counties.findIndex((x) => x.code === e.county) < r.plan.counties.length / 2;
  const open = (c.receipts ?? []).find((x) => !x.acknowledged && (prompt || x.reminded));
  if (open && c.stage !== 'closed' && !c.rectification?.closedAt) {
    const actor: Actor = prompt ? { id: e.county, role: 'county', county: e.county } : supervisor;
    await h.executeUpdate(acknowledgeUpdate, {
      args: [
        {
          actor,
          receipt: open.id,
          signer: prompt ? '办公室 张敏' : '纸质送达回证 李强',
          via: prompt ? 'portal' : 'staff',
        },
      ],
    });
    r.did.add('acknowledge');
    return true;
  }
  const rect = c.rectification;
  if (
    !r.did.has('applyCalendar') &&
    c.stage === 'rectification' &&
    rect &&
    !rect.reports.length &&
    rect.dueDate > r.state!.today
  ) {
    const base = takeSnapshot(YEAR);
    const snapshot = {
      year: YEAR,
      covered: true as const,
      nonWorkingDays: [...new Set([...base.nonWorkingDays, rect.dueDate])].sort(),
    };
    const args = { actor: admin, snapshot, source: `国务院办公厅关于${YEAR}年部分节假日安排的通知（录制用）` };
    await r.handle.executeUpdate(applyCalendarUpdate, { args: [args] });
    await h.executeUpdate(applyCalendarUpdate, { args: [args] });
    r.did.add('applyCalendar');
    return true;
  }
  return false;
}

/**
 * Corrections of input on a running visit, once per programme: the roster before the draw (the same
 * enterprises, listed in another order) and the county's mailboxes on site (one added).
 */
async function correctionExtras(client: Client, r: Run, e: ScheduleEntry, c: VisitCase): Promise<boolean> {
  const h = client.workflow.getHandle(e.visitWorkflowId);
  const county = r.plan.counties.find((x) => x.code === e.county);
  if (!county) return false;
  if (!r.did.has('correctRoster') && (c.stage === 'notice' || c.stage === 'waiting')) {
    await h.executeUpdate(correctRosterUpdate, {
      args: [
        {
          actor: admin,
          enterprises: [...county.enterprises].reverse(),
          reason: '县区报送的企业名单顺序有误，按最新台账更正。',
        },
      ],
    });
    r.did.add('correctRoster');
    return true;
  }
  if (!r.did.has('correctCountyEmails') && c.stage === 'onsite') {
    await h.executeUpdate(correctCountyEmailsUpdate, {
      args: [
        {
          actor: supervisor,
          emails: [...county.emails, `office-${county.code}@example.cn`],
          reason: '县区新增办公室收件邮箱。',
        },
      ],
    });
    r.did.add('correctCountyEmails');
    return true;
  }
  return false;
}

/** The re-inspection programme: the supervisor records the 复查; one started visit is cancelled. */
async function reinspectExtras(client: Client, r: Run, e: ScheduleEntry, c: VisitCase): Promise<boolean> {
  const h = client.workflow.getHandle(e.visitWorkflowId);
  if (e.county === 'shimen') {
    await r.handle.executeUpdate(cancelVisitUpdate, {
      args: [{ actor: supervisor, county: 'shimen', reason: '县区机构改革，本年度指导改由省厅统一安排。' }],
    });
    r.did.add('cancel');
    return true;
  }
  const rect = c.rectification;
  if (c.stage === 'reinspection' && rect && !rect.reinspection) {
    await h.executeUpdate(recordReinspectionUpdate, {
      args: [
        {
          actor: supervisor,
          date: r.state!.today,
          items: rect.problems.map((_, index) => ({
            index,
            passed: index !== 1,
            ...(index === 1 ? { comment: '部分案卷仍未载明裁量依据。' } : {}),
          })),
        },
      ],
    });
    r.did.add('recordReinspection');
    return true;
  }
  return false;
}

/** The re-inspection programme's own Updates, once its schedule is placed. */
async function reinspectSetUp(r: Run, added: Plan['counties'][number]): Promise<void> {
  const rows = r.plan.counties.map((c, i) => ({
    county: c.name,
    inspections: 120 + i,
    inspectors: 12,
    documents: 300,
    cases: 40 + i,
    fines: 52.5,
    hazardsFound: 800,
    hazardsFixed: 790,
  }));
  await r.handle.executeUpdate(recordStatisticsUpdate, {
    args: [
      {
        actor: supervisor,
        period: `${YEAR - 1}年1—12月`,
        sourceSha256: 'a'.repeat(64),
        rows,
        drafts: {
          qinghe: [
            {
              item: 'plan.compile',
              problem: '列入计划的一般生产经营单位不足三分之一。',
              opinion: '调整年度监督检查计划。',
            },
          ],
        },
      },
    ],
  });
  await r.handle.executeUpdate(rescheduleUpdate, {
    args: [{ actor: supervisor, county: 'qinghe', date: `${YEAR}-03-02`, reason: '县区主要负责人参加省厅培训。' }],
  });
  await r.handle.executeUpdate(addCountyUpdate, {
    args: [
      {
        actor: admin,
        county: { ...added, date: undefined },
        date: `${YEAR}-04-13`,
        reason: '市政府要求增加对西江区的执法指导。',
      },
    ],
  });
}

/**
 * Replaces this machine's absolute paths in a history, in place: in every string (a failure's
 * message and stack trace) and inside every JSON payload (an archived letter's path, the plan's
 * templatesDir). Replay compares commands, not payload contents, so the history replays the same.
 */
function scrub(node: unknown, paths: [string, string][]): void {
  const fix = (s: string) => paths.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
  const obj = node as Record<string, unknown>;
  if (obj.data instanceof Uint8Array && obj.metadata && typeof obj.metadata === 'object') {
    const encoding = (obj.metadata as Record<string, Uint8Array>).encoding;
    if (encoding && Buffer.from(encoding).toString() === 'json/plain')
      obj.data = Buffer.from(fix(Buffer.from(obj.data).toString('utf8')), 'utf8');
  }
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === 'string') obj[key] = fix(value);
    else if (Array.isArray(value))
      value.forEach((v, i) => (typeof v === 'string' ? (value[i] = fix(v)) : scrub(v, paths)));
    else scrub(value, paths);
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
