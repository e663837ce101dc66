/**
 * `npm run bench:year`: one full-year programme (eleven counties, one a month January–November)
 * on Temporal's Java time-skipping test server, driven end to end by simulated people through the
 * same Updates as `guidance demo`. The clock stops only at 12:00 China time of a day on which
 * someone may have to act: a visit's date, or the day a visit's next timer falls due (read from its
 * history); days on which no visit wakes by itself are skipped in one `env.sleep`, with every timer
 * of the programme and the visits firing on its way. At a stop the people act on every visit that
 * needs them until nobody has anything left to do that day. A benchmark, not a test: it prints its
 * figures and records them in bench/RESULTS.md under "Full year (time-skipping)".
 *
 * Over 300 lines because a benchmark reads as one measurement from top to bottom: the stack, the
 * day-by-day driver and the report stay together so a reader can check what is timed.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fs from 'node:fs';
import path from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { startProgramme } from '../client/programme';
import { isBenign, People } from '../client/simulation/people';
import { addDays } from '../workflows/shared/clock';
import { scheduleQuery, type ProgrammeState } from '../workflows/contracts/programme';
import { docNumberWorkflowId } from '../workflows/contracts/numbering';
import { visitCaseQuery, type VisitCase } from '../workflows/contracts/visit';
import type { programmeWorkflow } from '../workflows/programme';
import type { countyVisitWorkflow } from '../workflows/visit';
import { createTimeSkippingEnv, sleepWatched } from '../test/helpers/temporal';

import { testActivityDeps, testDirs, uniqueQueue, workflowBundle } from '../test/helpers/worker';
import { plan11 } from './lib/plans';
import { filesUnder, fmtMs, loadAverage, machine, recordSection } from './lib/report';

const HEADING = '## Full year (time-skipping)';
/**
 * The test server is a JVM started for one run of about half a minute: C1 only (no C2 compiler
 * threads warming up code the run ends before using) and the serial collector take about half its
 * CPU off the two cores the worker shares with it, with the same server doing the same work. An
 * operator's own JAVA_TOOL_OPTIONS wins.
 */
const TEST_SERVER_JVM = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';
const COMMAND = 'npm run bench:year';
const HOUR_MS = 3_600_000;

function cstDate(ms: number): string {
  return new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10);
}
const noonOf = (day: string) => Date.parse(`${day}T12:00:00+08:00`);
/** The first 12:00 China time at or after `ms`. */
const noonAtOrAfter = (ms: number) => (noonOf(cstDate(ms)) >= ms ? cstDate(ms) : addDays(cstDate(ms), 1));

/** CPU seconds of this process (driver, worker, activities) and of the test server (java, our child). */
function cpuSeconds(): { node: number; server: number | undefined } {
  const u = process.cpuUsage();
  let server: number | undefined;
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (
        Number(f[1]) !== process.pid ||
        !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('io.temporal.testserver')
      )
        continue;
      server = (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
    } catch {
      // gone meanwhile
    }
  }
  return { node: (u.user + u.system) / 1e6, server };
}

/** Wall time and calls, by what the driver was waiting on. */
const spent: Record<string, { n: number; ms: number }> = {};
async function timed<R>(what: string, f: () => Promise<R>): Promise<R> {
  const t = performance.now();
  try {
    return await f();
  } finally {
    const x = (spent[what] ??= { n: 0, ms: 0 });
    x.n++;
    x.ms += performance.now() - t;
  }
}

type Activities = ReturnType<typeof createActivities>;
/** The real activities, each timed (summed busy time; they overlap) and the numbering workflows noted. */
function timedActivities(acts: Activities) {
  const busy: Record<string, { n: number; ms: number }> = {};
  const numberingIds = new Set<string>();
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    out[name] = async (...args: unknown[]) => {
      if (name === 'allocateDocNumber') {
        const r = args[0] as Parameters<Activities['allocateDocNumber']>[0];
        numberingIds.add(docNumberWorkflowId(r.year, r.bureau, r.series));
      }
      const t = performance.now();
      try {
        return await fn(...args);
      } finally {
        const x = (busy[name] ??= { n: 0, ms: 0 });
        x.n++;
        x.ms += performance.now() - t;
      }
    };
  }
  return { activities: out as Activities, busy, numberingIds };
}

/** A protobuf Timestamp or Duration in milliseconds. */
function millis(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  const sec = t?.seconds;
  const whole = typeof sec === 'number' ? sec : sec ? Number((sec as { toString(): string }).toString()) : 0;
  return whole * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
}

/**
 * When a visit next wakes by itself: the earliest timer started in its history and neither fired
 * nor cancelled (every wait of the engine — notice, visit day, approval, ladder, receipts — is a
 * timer). Kept per visit and read again only when the driver acted on it, its progress note in the
 * schedule changed, or the remembered timer has fallen due.
 */
class Wakeups {
  private readonly known = new Map<string, { at: number | undefined; progress: string }>();
  reads = 0;
  constructor(private readonly handleOf: (id: string) => WorkflowHandle) {}

  forget(id: string): void {
    this.known.delete(id);
  }

  async next(id: string, progress: string, nowMs: number): Promise<number | undefined> {
    const k = this.known.get(id);
    if (k && k.progress === progress && (k.at === undefined || k.at > nowMs)) return k.at;
    this.reads++;
    const history = await timed('history', () => this.handleOf(id).fetchHistory());
    const pending = new Map<string, number>();
    for (const e of history.events ?? []) {
      const started = e.timerStartedEventAttributes;
      if (started?.timerId) {
        pending.set(started.timerId, millis(e.eventTime) + millis(started.startToFireTimeout));
      }
      const ended = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
      if (ended) pending.delete(ended);
    }
    const at = pending.size ? Math.min(...pending.values()) : undefined;
    this.known.set(id, { at, progress });
    return at;
  }
}

/**
 * How many activities and workflow tasks the workflows have in flight (printed with
 * BENCH_YEAR_VERBOSE): none means a clock that does not move is held by the test server's leaked
 * lock, not by work.
 */
async function pendingWork(env: TestWorkflowEnvironment, ids: string[]): Promise<number> {
  let pending = 0;
  for (const id of ids) {
    const d = await env.client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    const raw = d?.raw;
    const acts = (raw?.pendingActivities ?? []).map((a) => `${a.activityType?.name} attempt ${a.attempt} ${a.state}`);
    const wft = raw?.pendingWorkflowTask ? ` wft ${raw.pendingWorkflowTask.state}` : '';
    pending += acts.length + (wft ? 1 : 0);
    if (process.env.BENCH_YEAR_VERBOSE && (acts.length || wft))
      process.stderr.write(`[bench:year] pending in ${id}: ${acts.join('; ')}${wft}\n`);
  }
  return pending;
}

async function main() {
  const loadBefore = loadAverage();
  process.env.JAVA_TOOL_OPTIONS ??= TEST_SERVER_JVM;
  const tSetup = Date.now();
  const env = await createTimeSkippingEnv();
  const dirs = testDirs();
  const evidenceDir = path.join(path.dirname(dirs.archiveDir), 'evidence');
  const queue = uniqueQueue('bench-year');
  try {
    const year = new Date(Number(await env.currentTimeMs()) + 8 * HOUR_MS).getUTCFullYear() + 1;
    const plan = plan11(year, `by${Math.random().toString(36).slice(2, 7)}`);
    const people = new People(env.client, plan, evidenceDir, { poll: 'progress' });
    const acts = timedActivities(createActivities(testActivityDeps(env, queue, dirs)));
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: queue,
      workflowBundle: await workflowBundle(),
      activities: acts.activities,
    });
    const setupMs = Date.now() - tSetup;
    const handleOf = (id: string) => env.client.workflow.getHandle(id);
    const wakeups = new Wakeups(handleOf);
    let state!: ProgrammeState;
    let programmeId = '';
    let stops = 0;
    let rounds = 0;
    let firstDay = '';
    let day = '';
    const cases = new Map<string, VisitCase>();
    const cpu0 = cpuSeconds();
    const t0 = Date.now();
    let wallMs = 0;
    // The test server sometimes leaks a time-skipping lock when a visit closes (sleepWatched): a
    // clock still for 0.5 s of wall time with nothing in flight is released, and the waits counted.
    const leaks = { released: 0, ms: 0 };
    const watched = () => [
      programmeId,
      ...(state?.entries ?? []).map((x) => x.visitWorkflowId),
      ...['notice', 'opinion', 'urge', 'supervise', 'summons', 'bulletin'].map((s) =>
        docNumberWorkflowId(year, plan.bureau.code, s),
      ),
    ];
    const sleepSkipping = async (ms: number) => {
      const t = Date.now();
      const released = await sleepWatched(env, ms, {
        afterMs: 500,
        idle: async () => (await pendingWork(env, watched())) === 0,
      });
      if (released) Object.assign(leaks, { released: leaks.released + released, ms: leaks.ms + Date.now() - t });
    };
    let cpu1 = cpu0;
    await worker.runUntil(async () => {
      const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
      programmeId = handle.workflowId;
      firstDay = cstDate(Number(await env.currentTimeMs()));
      const last = `${year + 1}-06-30`;
      // The programme ends in the barrier after the last visit's close; a query of a closed
      // workflow replays its whole history (seconds for the programme's), so its result is read.
      const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
      // The programme continues as new at each month end: its latest run, never the first one's
      // handle (a continued run is not RUNNING, and its result waits for the whole chain).
      const latest = handleOf(programmeId);
      const readSchedule = async (mayHaveEnded: boolean): Promise<ProgrammeState> => {
        if (mayHaveEnded && (await latest.describe()).status.name !== 'RUNNING')
          return plain.workflow.getHandle<typeof programmeWorkflow>(programmeId).result();
        return latest.query(scheduleQuery);
      };
      // The schedule is placed by the programme's first workflow tasks: let them run.
      await timed('barrier', () => sleepSkipping(60_000));
      let next = addDays(firstDay, 1);
      for (;;) {
        day = next;
        if (day > last) throw new Error(`programme not finished by ${last}`);
        await timed('clock', async () => sleepSkipping(Math.max(0, noonOf(day) - Number(await env.currentTimeMs()))));
        stops++;
        // Act until nobody has anything more to do today (a submitted draft is approved the same day).
        for (let round = 0; round < 20; round++) {
          rounds++;
          state = await timed('scheduleQuery', () => readSchedule(round > 0));
          let acted = false;
          for (const e of state.entries) {
            if (!people.wantsToRead(e, state.progress[e.county])) continue;
            let c: VisitCase;
            try {
              c = await timed('visitQuery', () => handleOf(e.visitWorkflowId).query(visitCaseQuery));
            } catch {
              continue; // just started: not yet answering
            }
            cases.set(e.county, c);
            let did: boolean;
            try {
              did = await timed('act', () => people.act(e.county, c));
            } catch (err) {
              if (!isBenign(err)) throw err;
              did = true;
            }
            if (did) wakeups.forget(e.visitWorkflowId);
            acted ||= did;
          }
          if (!acted) break;
          // What the Updates set going (drafts rendered, letters mailed) runs to its end before the
          // next round looks: time skipping moves the clock only while no task is in flight, so a
          // one-minute sleep returns once everything is done.
          await timed('barrier', () => sleepSkipping(60_000));
        }
        const closed = state.entries.filter((e) => e.status === 'completed' || e.status === 'cancelled').length;
        if (state.finished || (state.entries.length > 0 && closed === state.entries.length)) break;
        // The next stop: the first noon at or after the earliest moment a visit starts or wakes.
        const now = Number(await env.currentTimeMs());
        let wake = Number.POSITIVE_INFINITY;
        for (const e of state.entries) {
          if (e.status === 'scheduled') wake = Math.min(wake, noonOf(e.date));
          if (e.status !== 'started') continue;
          const at = await wakeups.next(e.visitWorkflowId, JSON.stringify(state.progress[e.county] ?? null), now);
          if (at !== undefined) wake = Math.min(wake, at);
        }
        // Nobody wakes by himself (never in this plan): look again tomorrow.
        next = Number.isFinite(wake) ? noonAtOrAfter(Math.max(wake, now)) : addDays(day, 1);
        if (next <= day) next = addDays(day, 1);
        if (stops % 10 === 0 || process.env.BENCH_YEAR_VERBOSE)
          process.stderr.write(
            `[bench:year] ${day}: ${closed}/${state.entries.length} closed, ${((Date.now() - t0) / 1000).toFixed(1)} s${process.env.BENCH_YEAR_VERBOSE ? ` ${JSON.stringify(spent)}` : ''}\n`,
          );
      }
      wallMs = Date.now() - t0;
      cpu1 = cpuSeconds();
      // Every visit has closed: its case is its workflow's result (a query of a closed workflow
      // replays its whole history). Read without unlocking time skipping (not the env's client).
      for (const e of state.entries)
        cases.set(e.county, await plain.workflow.getHandle<typeof countyVisitWorkflow>(e.visitWorkflowId).result());
      state = await readSchedule(true);
    });
    const closed = state.entries.filter((e) => e.status === 'completed').length;
    const pdfs = filesUnder(dirs.archiveDir, '.pdf').length;
    const emls = filesUnder(dirs.outboxDir, '.eml').length;
    const all = [...cases.values()];
    const deliveries = all
      .flatMap((c) => [
        c.notice?.delivery,
        c.letter?.delivery,
        ...(c.rectification?.reminders ?? []).map((r) => r.delivery),
        ...(c.rectification?.escalations ?? []).map((r) => r.delivery),
        ...(c.rectification?.reports ?? []).map((r) => r.review?.letter?.delivery),
      ])
      .filter(Boolean);
    const reminders = all.reduce((a, c) => a + (c.rectification?.reminders.length ?? 0), 0);
    const escalations = all.reduce((a, c) => a + (c.rectification?.escalations.length ?? 0), 0);
    const updates = Object.entries(people.updates)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const sent = Object.values(people.updates).reduce((a, b) => a + b, 0);
    const updateMs = Object.values(people.latencies)
      .flat()
      .reduce((a, b) => a + b, 0);
    const lastVisit = state.entries
      .map((e) => e.date)
      .sort()
      .at(-1);
    // Workflow tasks and events, from the histories (after the clock stopped).
    let workflowTasks = 0;
    let events = 0;
    const ids = [programmeId, ...state.entries.map((e) => e.visitWorkflowId), ...acts.numberingIds];
    for (const id of ids) {
      const h = await handleOf(id).fetchHistory();
      events += h.events?.length ?? 0;
      workflowTasks += (h.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    }
    const s = (k: string) => spent[k] ?? { n: 0, ms: 0 };
    const row = (label: string, k: string) => `| ${label} | ${fmtMs(s(k).ms)} | ${s(k).n} |`;
    const driverMs = Object.values(spent).reduce((a, b) => a + b.ms, 0);
    const busy = Object.entries(acts.busy)
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([k, v]) => `${k} ${v.n}× ${fmtMs(v.ms)}`)
      .join(', ');
    const section = `${HEADING}

One programme of the example plan extended to eleven counties (one a month, January–November
${year}), started ${firstDay} as the test server's clock has it, on Temporal's Java
time-skipping test server (\`createTimeSkippingEnv\`) with one in-process worker (real workflows and
activities, letters rendered to PDF, mail to an outbox in a temp dir). Simulated people act through the
same Updates as \`guidance demo\` (profiles ${[...people.profileOf.values()].join(', ')}).

How the clock moves: it stops only at 12:00 China time of a day on which someone may have to act —
a visit's date (from the programme's schedule), or the day a started visit's next timer falls due
(the earliest timer in its history neither fired nor cancelled; every wait of a visit is one: notice,
visit day, approval, ladder, receipts) — and one \`env.sleep\` skips straight there, every timer of
the programme and the visits on the way firing at its own moment. At a stop every visit that needs
someone is queried and acted on, round after round, until nobody has anything left to do that day;
after a round that sent Updates a one-minute \`env.sleep\` returns once everything they set going
(drafts rendered, letters mailed) has finished, since time skipping moves the clock only while no
task is in flight. A day on which no visit wakes needs nobody, so skipping it changes no decision.
The wall time ends when the last visit has closed. A closed workflow is read from its result, not
queried (a query of a closed workflow replays its whole history): the programme's schedule once it
has ended, and the eleven cases afterwards.
(Before issue 16 the clock was skipped one day at a time, 392 stops each with a schedule query, a
fixed 100 ms pause after a round that acted, the test server's default JVM, and the wall time also
took in reading the eleven closed cases by query, each a full replay of its history: 32.0 s. The same
cases come out: every visit's dates, document numbers, reminders, rungs, reports and close date.)

Command: \`${COMMAND}\`

Test server JVM options: \`${process.env.JAVA_TOOL_OPTIONS}\` (JAVA_TOOL_OPTIONS; the bench's default, C1 only and the serial
collector, takes about half the server's CPU off the two cores the worker shares with it).

Machine: ${machine()}. Load average before the run ${loadBefore}. Run on ${new Date().toISOString().slice(0, 10)}.

| figure | value |
|---|---:|
| wall time, programme start → last visit closed | **${fmtMs(wallMs)}**${leaks.released ? ` (${fmtMs(wallMs - leaks.ms)} without the ${leaks.released} waits below)` : ''} |
| test server's leaked time-skipping locks released (a clock still for 0.5 s with nothing in flight) | ${leaks.released}, in waits of ${fmtMs(leaks.ms)} in all |
| clock stops (one \`env.sleep\` each) | ${stops} over ${state.entries.length ? `${Math.round((noonOf(day) - noonOf(firstDay)) / 86_400_000)} simulated days` : '—'} (last visit ${lastVisit}, last closed ${day}, programme finished ${state.finished ? state.today : '—'}) |
| visits closed (accepted and archived) | ${closed} / ${state.entries.length} |
| letters rendered (PDFs in the archive) | ${pdfs} |
| emails sent (\`.eml\` copies in the outbox, one per recipient) | ${emls} |
| delivery records on the cases (notice, letter, reminders, escalations, review letters) | ${deliveries.length} |
| rectification reminders / escalation letters | ${reminders} / ${escalations} |
| monthly bulletins / weekly digests | ${state.bulletins.length} / ${state.digests.length} |
| Updates sent by the simulated people | ${sent} (${updates}) |
| act rounds (schedule query + visits that may need someone) | ${rounds} |
| workflow tasks completed / history events (programme, visits, numbering) | ${workflowTasks} / ${events} |
| CPU meanwhile: this process (driver, worker, activities) / test server (java) | ${(cpu1.node - cpu0.node).toFixed(1)} s / ${cpu1.server !== undefined && cpu0.server !== undefined ? `${(cpu1.server - cpu0.server).toFixed(1)} s` : '—'} |
| set-up before the clock starts (test server, workflow bundle, worker) | ${fmtMs(setupMs)} |

Where the wall time went (the driver waits on one thing at a time; the rest is its own work):

| waiting on | wall | calls |
|---|---:|---:|
${row('clock skips to the next stop (`env.sleep`: every timer, workflow task and activity on the way)', 'clock')}
${row('after-round barriers (`env.sleep` of one minute: the work the Updates set going)', 'barrier')}
${row('programme schedule queries', 'scheduleQuery')}
${row('visit case queries', 'visitQuery')}
${row(`people acting (Updates ${fmtMs(updateMs)} of it, evidence files)`, 'act')}
${row(`visit histories read for their next timer (${wakeups.reads} reads)`, 'history')}
| driver's own work (the rest) | ${fmtMs(Math.max(0, wallMs - driverMs))} | |

Activities, summed busy time (they overlap, and run inside the waits above): ${busy}.
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
