/**
 * `npm run bench:history`: how long the programme's history gets over five years (issue 21, point 5).
 * One programme of a 30-county plan on Temporal's Java time-skipping test server, with one
 * in-process worker (real workflows and activities, PDFs and mail into temp dirs). Simulated people
 * (client/simulation/people.ts) close 27 cases; three of the earliest linger for good, each held at
 * one stage: nobody records findings (现场), the leaders never approve (审批: reminders every period
 * forever), the county never reports (整改: the ladder climbs to its top and the weekly digest lists
 * it every week). The year can then never finish, so the programme keeps running, and continuing as
 * new at each month's end, for five years of skipped time. Recorded after every month: the current
 * run and its history length; at the end each run's history walked from the first run along the
 * continue-as-new chain. A benchmark, not a test: it records its figures in bench/RESULTS.md under
 * "Programme history over five years (issue 21)".
 *
 * Over 300 lines because a benchmark reads as one measurement from top to bottom: the plan, the
 * lingering cases, the five simulated years and the history walk stay together.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { startProgramme } from '../client/programme';
import { isTransient, People } from '../client/simulation/people';
import { addDays, addMonths } from '../workflows/shared/clock';
import { scheduleQuery, type ProgrammeInput, type ProgrammeState } from '../workflows/contracts/programme';
import type { Plan } from '../workflows/shared/plan';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import { examplePlan } from '../test/helpers/plans';
import { createTimeSkippingEnv } from '../test/helpers/temporal';
import { testActivityDeps, testDirs, uniqueQueue, workflowBundle } from '../test/helpers/worker';
import { fmtMs, loadAverage, machine, recordSection } from './lib/report';

const HEADING = '## Programme history over five years (issue 21)';
const COMMAND = 'npm run bench:history';
const MONTHS = 60;
const COUNTIES = 30;
/** Temporal's default payload size limit (blob size limit error), which the dev server enforces. */
const PAYLOAD_LIMIT = 2 * 1024 * 1024;
const HOUR_MS = 3_600_000;
const cstDate = (ms: number) => new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10);
const noonOf = (day: string) => Date.parse(`${day}T12:00:00+08:00`);

const SYLLABLES = ['东', '西', '南', '北', '安', '平', '宁', '丰', '永', '兴', '长', '新'];
const PLACES = ['岗县', '源县', '桥区', '峰县'];

/** The example plan's seven counties and 23 more in the same shape (unique codes, names, rosters). */
function plan30(year: number, code: string): Plan {
  return examplePlan((raw) => {
    raw.year = year;
    raw.bureau.code = code;
    for (let i = 0; raw.counties.length < COUNTIES; i++) {
      const name = `${SYLLABLES[i % SYLLABLES.length]}${PLACES[Math.floor(i / SYLLABLES.length)]}`;
      const prefix = `G${String(i + 1).padStart(2, '0')}`;
      raw.counties.push({
        code: `gen${String(i + 1).padStart(2, '0')}`,
        name,
        bureauName: `${name}应急管理局`,
        emails: [`yjj@gen${i + 1}.example.cn`],
        contact: { name: '值班员', phone: `0379-6900-${String(2000 + i)}` },
        enterprises: ['机械制造有限公司', '化工有限公司', '石料厂', '食品有限公司'].map((suffix, k) => ({
          id: `${prefix}-00${k + 1}`,
          name: `${name.slice(0, 2)}${suffix}`,
          industry: k === 1 ? '危险化学品' : k === 2 ? '非煤矿山' : '工贸',
          tier: k < 2 ? '重点' : '一般',
        })),
      });
    }
    // The scheduler places every county (some of the example plan's explicit dates would collide).
    for (const c of raw.counties) delete c.date;
  });
}

type History = temporal.api.history.v1.IHistory;
const historyBytes = (h: History) => temporal.api.history.v1.History.encode(h).finish().length;
/** The run's input as stored in its first event: encoded size, and the JSON it carries. */
function inputOf(h: History): { bytes: number; input: ProgrammeInput } {
  const payloads = h.events?.[0]?.workflowExecutionStartedEventAttributes?.input;
  const bytes = payloads ? temporal.api.common.v1.Payloads.encode(payloads).finish().length : 0;
  const data = payloads?.payloads?.[0]?.data;
  return { bytes, input: JSON.parse(Buffer.from(data ?? []).toString('utf8')) as ProgrammeInput };
}
const jsonBytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x ?? null));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
/** What the driver waits on, reported when it takes long (a stuck call shows itself, not a silent hang). */
let doing = '';
let since = Date.now();
async function step<R>(what: string, f: () => Promise<R>): Promise<R> {
  doing = what;
  since = Date.now();
  try {
    return await f();
  } finally {
    doing = '';
  }
}
/** The activities, each counted in `inFlight` while it runs. */
function counted<T extends object>(acts: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    out[name] = async (...args: unknown[]) => {
      inFlight++;
      try {
        return await fn(...args);
      } finally {
        inFlight--;
      }
    };
  }
  return out as T;
}
type Env = Awaited<ReturnType<typeof createTimeSkippingEnv>>;
/** Activities of our worker in flight: they hold the test server's time-skipping lock by right. */
let inFlight = 0;
/** Time-skipping locks released by the driver (see skip). */
let unlocks = 0;
/**
 * env.sleep, watched. The Java test server sometimes keeps a time-skipping lock that nothing will
 * release (seen here after a visit started by an earlier run of the programme closes); the clock
 * then creeps in real time and a one-day skip would take a day. When no activity of ours is in
 * flight and the clock has moved less than a minute in 10 s, the driver releases one lock.
 */
async function skip(env: Env, ms: number): Promise<void> {
  let done = false;
  const sleeping = env.sleep(ms).finally(() => {
    done = true;
  });
  let last = Number(await env.currentTimeMs());
  while (!done) {
    await Promise.race([sleeping, new Promise((r) => setTimeout(r, 10_000))]);
    if (done) break;
    const now = Number(await env.currentTimeMs());
    if (inFlight === 0 && now - last < 60_000) {
      await env.connection
        .testService!.unlockTimeSkipping({})
        .catch((err: unknown) => process.stderr.write(`[bench:history] unlock refused: ${String(err)}\n`));
      unlocks++;
    }
    last = now;
  }
  await sleeping;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const loadBefore = loadAverage();
  // As bench/year.ts: C1 only and the serial collector leave the worker more of the two cores.
  process.env.JAVA_TOOL_OPTIONS ??= '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';
  const env = await createTimeSkippingEnv();
  const dirs = testDirs();
  const queue = uniqueQueue('bench-history');
  try {
    const year = new Date(Number(await env.currentTimeMs()) + 8 * HOUR_MS).getUTCFullYear() + 1;
    const plan = plan30(year, `bh${Math.random().toString(36).slice(2, 7)}`);
    const people = new People(env.client, plan, path.join(path.dirname(dirs.archiveDir), 'evidence'), {
      poll: 'progress',
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: queue,
      workflowBundle: await workflowBundle(),
      activities: counted(createActivities(testActivityDeps(env, queue, dirs))),
    });
    const months: { month: string; runId: string; events: number }[] = [];
    /** County code → the stage its case is held at for good. */
    const hold = new Map<string, VisitCase['stage']>();
    let programmeId = '';
    let firstRunId = '';
    let startDay = '';
    let state!: ProgrammeState;
    const t0 = Date.now();
    const watchdog = setInterval(
      () =>
        doing &&
        Date.now() - since > 30_000 &&
        process.stderr.write(`[bench:history] waiting ${Math.round((Date.now() - since) / 1000)} s on ${doing}\n`),
      30_000,
    );
    await worker.runUntil(async () => {
      const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
      programmeId = handle.workflowId;
      firstRunId = (await handle.describe()).runId;
      startDay = cstDate(Number(await env.currentTimeMs()));
      const endMonth = addMonths(startDay.slice(0, 7), MONTHS);
      await skip(env, 60_000); // the schedule is placed by the first workflow tasks
      let day = addDays(startDay, 1);
      let active = true;
      for (;;) {
        await step(`sleep to ${day}`, async () =>
          skip(env, Math.max(0, noonOf(day) - Number(await env.currentTimeMs()))),
        );
        const month = day.slice(0, 7);
        if (month !== (months.at(-1)?.month ?? startDay.slice(0, 7))) {
          const d = await step('describe', () => env.client.workflow.getHandle(programmeId).describe());
          months.push({ month, runId: d.runId, events: d.historyLength });
          process.stderr.write(
            `[bench:history] ${day}: run ${months.length} ${d.runId.slice(0, 8)} ${d.historyLength} events, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
          );
          if (month >= endMonth) break;
        }
        if (active) {
          for (let round = 0; round < 20; round++) {
            state = await step('schedule query', () => handle.query(scheduleQuery));
            if (hold.size === 0 && state.entries.length) {
              const first = [...state.entries].sort((a, b) => (a.date < b.date ? -1 : 1));
              (['onsite', 'approval', 'rectification'] as const).forEach((stage, i) =>
                hold.set(first[i]!.county, stage),
              );
            }
            let acted = false;
            for (const e of state.entries) {
              if (!people.wantsToRead(e, state.progress[e.county])) continue;
              let c: VisitCase;
              try {
                c = await step(`query ${e.county}`, () =>
                  env.client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery),
                );
              } catch {
                continue; // just started: not yet answering
              }
              if (hold.get(e.county) === c.stage) continue; // nobody acts on this case again
              try {
                // A call that takes a minute is given up; the next round tries again.
                acted =
                  (await step(`act on ${e.county} at ${c.stage}`, () =>
                    env.connection.withDeadline(Date.now() + 60_000, () => people.act(e.county, c)),
                  )) || acted;
              } catch (err) {
                if (!isTransient(err)) throw err;
                acted = true;
              }
            }
            if (!acted) break;
            await step('barrier', () => skip(env, 60_000)); // what the Updates set going runs to its end
          }
          // Acting is over once every case is closed or held at its stage for good.
          const held = (e: ProgrammeState['entries'][number]) =>
            hold.has(e.county) && hold.get(e.county) === state.progress[e.county]?.stage;
          active = !state.entries.every((e) => e.status === 'completed' || e.status === 'cancelled' || held(e));
        }
        // Daily while people act; afterwards the clock skips to the 2nd of each month.
        day = active ? addDays(day, 1) : `${addMonths(month, 1)}-02`;
      }
      state = await handle.query(scheduleQuery);
    });
    clearInterval(watchdog);
    const wallMs = Date.now() - t0;

    // Every run, walked from the first along the continue-as-new chain.
    const runs: {
      runId: string;
      month: string;
      events: number;
      bytes: number;
      inputBytes: number;
      input: ProgrammeInput;
    }[] = [];
    for (let runId: string | undefined = firstRunId; runId;) {
      const h: History = await env.client.workflow.getHandle(programmeId, runId).fetchHistory();
      const events = h.events ?? [];
      const started = events[0]?.eventTime;
      const { bytes: inputBytes, input } = inputOf(h);
      runs.push({
        runId,
        month: cstDate(Number(String(started?.seconds ?? 0)) * 1000).slice(0, 7),
        events: events.length,
        bytes: historyBytes(h),
        inputBytes,
        input,
      });
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const counts = runs.map((r) => r.events);
    const total = counts.reduce((a, b) => a + b, 0);
    const largest = runs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const last = runs.at(-1)!;
    const carriedOf = (r: (typeof runs)[number]) => r.input.carried;
    const yearly = runs.filter((r, i) => i === 0 || i === runs.length - 1 || (i % 12 === 0 && carriedOf(r)));
    const perYear = runs.length > 13 ? last.inputBytes - runs[runs.length - 13]!.inputBytes : NaN;
    const lingering = [] as string[];
    for (const [county, stage] of hold) {
      const e = state.entries.find((x) => x.county === county)!;
      const d = await env.client.workflow.getHandle(e.visitWorkflowId).describe();
      lingering.push(`${e.countyName} (${e.date}, held at ${stage}): ${d.historyLength} events`);
    }
    const closed = state.entries.filter((e) => e.status === 'completed').length;
    const c = carriedOf(last)?.state;

    const section = `${HEADING}

One programme of a ${COUNTIES}-county plan (the example plan's seven counties and 23 generated in the
same shape, every county placed by the scheduler in ${year}), started ${startDay} as the test server's
clock has it, on Temporal's Java time-skipping test server with one in-process worker (real
workflows and activities, letters rendered to PDF, mail to an outbox in a temp dir). Simulated people
(\`client/simulation/people.ts\`) close ${closed} of the cases; three of the earliest are held for good:
nobody records the findings of one (现场), the leaders never approve another (审批: a reminder every
approval period, forever), the county never reports on the third (整改: the ladder climbs to its top,
and the weekly digest lists it every week). So the year never finishes, and the clock is skipped
day by day while people act, then to the 2nd of each month, for ${MONTHS} month ends. After every month
the programme's current run and its \`describe().historyLength\` are noted; at the end every run's
history is read (\`getHandle(id, runId).fetchHistory()\`, encoded as protobuf for its size), walked
from the first run along the continue-as-new chain.

Command: \`${COMMAND}\`

Machine: ${machine()} (2 cores shared with other work). Load average before the run ${loadBefore}. Run on ${new Date().toISOString().slice(0, 10)}; wall time ${fmtMs(wallMs)}. The test server
kept a time-skipping lock nothing released (after a visit started by an earlier run of the programme
closed, the clock crept in real time); the driver released ${unlocks} such lock(s) while no
activity was in flight (\`skip\` in the script).

| figure | value |
|---|---:|
| programme runs (continue-as-new at each month's end) | **${runs.length}** (${runs[0]!.month} → ${last.month}) |
| events per run: max / median | **${Math.max(...counts)}** / ${median(counts)} |
| events over all runs (what one run without continue-as-new would hold) | **${total}** |
| largest run's history | ${kb(largest.bytes)} (${largest.month}, ${largest.events} events) |
| last run's carried input (first event's payload) | ${kb(last.inputBytes)} (${((last.inputBytes / PAYLOAD_LIMIT) * 100).toFixed(1)} % of the 2 MB payload limit) |
| carried input growth over the last 12 months | ${Number.isNaN(perYear) ? '—' : kb(perYear)} |
| in the last carried state: audit entries / digests / bulletins | ${c?.audit.length ?? '—'} (${kb(jsonBytes(c?.audit))}) / ${c?.digests.length ?? '—'} (${kb(jsonBytes(c?.digests))}) / ${c?.bulletins.length ?? '—'} (${kb(jsonBytes(c?.bulletins))}) |
| in the last carried input: plan / counties / schedule entries / progress / calendar | ${kb(jsonBytes(last.input.plan))} / ${kb(jsonBytes(carriedOf(last)?.counties))} / ${kb(jsonBytes(c?.entries))} / ${kb(jsonBytes(c?.progress))} / ${kb(jsonBytes(carriedOf(last)?.calendar))} |
| lingering visits' own histories (not continued as new) | ${lingering.join('; ')} |

The carried input year by year (the run that starts each year):

| run starts | events | history | carried input | audit entries | digests |
|---|---:|---:|---:|---:|---:|
${yearly.map((r) => `| ${r.month} | ${r.events} | ${kb(r.bytes)} | ${kb(r.inputBytes)} | ${carriedOf(r)?.state.audit.length ?? 0} | ${carriedOf(r)?.state.digests.length ?? 0} |`).join('\n')}

After every month (the run current at noon on the month's first stop, and its history length then):

| month | run | events |
|---|---|---:|
${months.map((m) => `| ${m.month} | \`${m.runId.slice(0, 8)}\` | ${m.events} |`).join('\n')}
`;
    process.stdout.write(`${section}\n`);
    recordSection(HEADING, section);
    process.stdout.write('Recorded in bench/RESULTS.md\n');
  } finally {
    await env.teardown();
    fs.rmSync(path.dirname(dirs.archiveDir), { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
