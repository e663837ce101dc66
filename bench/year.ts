/**
 * `npm run bench:year`: one full-year programme (eleven counties, one a month January–November)
 * on Temporal's Java time-skipping test server, driven end to end by simulated people through the
 * same Updates as `guidance demo`: the clock is skipped a day at a time to 12:00 China time, and
 * after each skip the people act on every visit that needs them. A benchmark, not a test: it
 * prints its figures and records them in bench/RESULTS.md under "Full year (time-skipping)".
 */
import fs from 'node:fs';
import path from 'node:path';
import { startProgramme } from '../client/programme';
import { isBenign, People } from '../client/simulation/people';
import { addDays } from '../workflows/shared/clock';
import { scheduleQuery, type ProgrammeState } from '../workflows/shared/definitions';
import { visitCaseQuery, type VisitCase } from '../workflows/shared/visit';
import { createTimeSkippingEnv } from '../test/helpers/temporal';
import { createTestWorker, testActivityDeps, testDirs, uniqueQueue } from '../test/helpers/worker';
import { plan11 } from './lib/plans';
import { filesUnder, fmtMs, loadAverage, machine, recordSection } from './lib/report';

const HEADING = '## Full year (time-skipping)';
const COMMAND = 'npm run bench:year';

function cstDate(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

async function main() {
  const loadBefore = loadAverage();
  const tSetup = Date.now();
  const env = await createTimeSkippingEnv();
  const dirs = testDirs();
  const evidenceDir = path.join(path.dirname(dirs.archiveDir), 'evidence');
  const queue = uniqueQueue('bench-year');
  try {
    const year = new Date(Number(await env.currentTimeMs()) + 8 * 3_600_000).getUTCFullYear() + 1;
    const plan = plan11(year, `by${Math.random().toString(36).slice(2, 7)}`);
    const people = new People(env.client, plan, evidenceDir, { poll: 'progress' });
    const worker = await createTestWorker(env, queue, testActivityDeps(env, queue, dirs));
    const setupMs = Date.now() - tSetup;
    let state!: ProgrammeState;
    let days = 0;
    let rounds = 0;
    const cases = new Map<string, VisitCase>();
    const t0 = Date.now();
    await worker.runUntil(async () => {
      const handle = await startProgramme(env.client, plan, { taskQueue: queue, visibility: false });
      let day = cstDate(Number(await env.currentTimeMs()));
      const last = `${year + 1}-06-30`;
      for (;;) {
        day = addDays(day, 1);
        if (day > last) throw new Error(`programme not finished by ${last}`);
        const target = Date.parse(`${day}T12:00:00+08:00`);
        await env.sleep(Math.max(0, target - Number(await env.currentTimeMs())));
        days++;
        // Act until nobody has anything more to do today (a submitted draft is approved the same day).
        for (let round = 0; round < 20; round++) {
          rounds++;
          state = await handle.query(scheduleQuery);
          let acted = false;
          for (const e of state.entries) {
            if (!people.wantsToRead(e, state.progress[e.county])) continue;
            let c: VisitCase;
            try {
              c = await env.client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery);
            } catch {
              continue; // just started: not yet answering
            }
            cases.set(e.county, c);
            try {
              acted = (await people.act(e.county, c)) || acted;
            } catch (err) {
              if (!isBenign(err)) throw err;
              acted = true;
            }
          }
          if (!acted) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const closed = state.entries.filter((e) => e.status === 'completed' || e.status === 'cancelled').length;
        if (days % 30 === 0) process.stderr.write(`[bench:year] ${day}: ${closed}/${state.entries.length} closed, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        if (state.finished || (state.entries.length > 0 && closed === state.entries.length)) break;
      }
      state = await handle.query(scheduleQuery);
      for (const e of state.entries) cases.set(e.county, await env.client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery));
    });
    const wallMs = Date.now() - t0;
    const closed = state.entries.filter((e) => e.status === 'completed').length;
    const pdfs = filesUnder(dirs.archiveDir, '.pdf').length;
    const emls = filesUnder(dirs.outboxDir, '.eml').length;
    const all = [...cases.values()];
    const deliveries = all.flatMap((c) => [c.notice?.delivery, c.letter?.delivery, ...(c.rectification?.reminders ?? []).map((r) => r.delivery), ...(c.rectification?.escalations ?? []).map((r) => r.delivery), ...(c.rectification?.reports ?? []).map((r) => r.review?.letter?.delivery)]).filter(Boolean);
    const reminders = all.reduce((a, c) => a + (c.rectification?.reminders.length ?? 0), 0);
    const escalations = all.reduce((a, c) => a + (c.rectification?.escalations.length ?? 0), 0);
    const updates = Object.entries(people.updates).map(([k, v]) => `${k} ${v}`).join(', ');
    const sent = Object.values(people.updates).reduce((a, b) => a + b, 0);
    const lastVisit = state.entries.map((e) => e.date).sort().at(-1);
    const section = `${HEADING}

One programme of the example plan extended to eleven counties (one a month, January–November
${year}), started ${cstDate(Date.now())} as the test server's clock has it, on Temporal's Java
time-skipping test server (\`createTimeSkippingEnv\`) with one in-process worker (real workflows and
activities, letters rendered to PDF, mail to an outbox in a temp dir). Simulated people act through the
same Updates as \`guidance demo\` (profiles ${[...people.profileOf.values()].join(', ')}): the clock is
skipped one day at a time to 12:00 China time, and after each skip every visit that needs someone is
queried and acted on until nobody has anything left to do that day.

Command: \`${COMMAND}\`

Machine: ${machine()}. Load average before the run ${loadBefore}. Run on ${new Date().toISOString().slice(0, 10)}.

| figure | value |
|---|---:|
| wall time, programme start → last visit closed | **${fmtMs(wallMs)}** |
| simulated days skipped (one \`env.sleep\` each) | ${days} (last visit ${lastVisit}, programme finished ${state.today}) |
| visits closed (accepted and archived) | ${closed} / ${state.entries.length} |
| letters rendered (PDFs in the archive) | ${pdfs} |
| emails sent (\`.eml\` copies in the outbox, one per recipient) | ${emls} |
| delivery records on the cases (notice, letter, reminders, escalations, review letters) | ${deliveries.length} |
| rectification reminders / escalation letters | ${reminders} / ${escalations} |
| monthly bulletins / weekly digests | ${state.bulletins.length} / ${state.digests.length} |
| Updates sent by the simulated people | ${sent} (${updates}) |
| act rounds (schedule query + visits that may need someone) | ${rounds} |
| set-up before the clock starts (test server, workflow bundle, worker) | ${fmtMs(setupMs)} |
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
