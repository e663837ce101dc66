/**
 * The programme continues as new at each month end (issue 21, point 5) while its worker is killed
 * with SIGKILL (real processes): a compressed year (400 ms a simulated day) on the project's dev
 * server, a worker process, mail to a real SMTP server on loopback. The worker is killed right after
 * one continue-as-new, just before the next month end (the rollover falls due with no worker), and
 * while the month-end archive activity is pending; a fresh worker is started each time.
 * Afterwards: the programme was never anything but RUNNING until its finish; each run handed the
 * next the whole record; every bulletin month and digest week once, none skipped, no mail twice; a
 * visit started in the first run and closed later is recorded completed, one cancelled through the
 * programme after a continue-as-new ends; the archive's programme.json is the final state.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readArchivedProgramme } from '../../activities/archive-programme';
import type { SentLogRecord } from '../../activities/email/sent-log';
import { cancelVisit, startProgramme } from '../../client/programme';
import type { TemporalConfig } from '../../config/temporal';
import { ensureDevServer } from '../../worker/service';
import { addDays, addMonths, Clock } from '../../workflows/shared/clock';
import { scheduleQuery, type ProgrammeState } from '../../workflows/contracts/programme';
import { programmeWorkflowId, visitWorkflowId, type AuditEntry } from '../../workflows/contracts/common';
import { type VisitCase } from '../../workflows/contracts/visit';
import { reviewReportUpdate, submitReportUpdate } from '../../workflows/contracts/visit-rectification';
import { freePort, startSmtpSink } from '../email/helpers';
import { rawExamplePlan } from '../helpers/plans';
import { FAST_MAIL, VisitDriver, firstMonday, supervisor } from '../helpers/visit-driver';
import { kill9, startWorker } from './processes';
import { ProgrammeWatch, isPrefix, problems, waitUntil } from './programme-watch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MS_PER_DAY = 400;

/** An audit entry without its time (see the audit check below). */
const untimed = ({ at: _at, ...rest }: AuditEntry) => rest;

describe('the programme continuing as new through worker kills (real processes)', () => {
  it("stays RUNNING, carries the whole record, sends each bulletin and digest once, follows earlier runs' visits, and archives the final state", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'can-faults-'));
    const smtpPort = await freePort();
    const sink = await startSmtpSink({ port: smtpPort });
    const config: TemporalConfig = {
      external: false,
      connection: {},
      namespace: 'default',
      taskQueue: `can-faults-${process.pid}`,
      dataDir: path.join(dir, 'data'),
      devServerPort: await freePort(),
      uiPort: await freePort(),
    };
    config.connection = { address: `127.0.0.1:${config.devServerPort}` };
    const service = await ensureDevServer(config);

    const year = new Date().getFullYear() + 1;
    const [A, B, C] = ['xiangshan', 'qinghe', 'linchuan'] as const;
    const raw = rawExamplePlan();
    raw.year = year;
    raw.bureau.code = `can${Date.now().toString(36)}`;
    raw.smtp = { host: '127.0.0.1', port: smtpPort, security: 'none' };
    raw.reporting = { bulletinDay: 5, digestWeekday: 1 };
    raw.counties = raw.counties.filter((c: { code: string }) => [A, B, C].includes(c.code as typeof A));
    const dates: Record<string, string> = {
      [A]: addDays(firstMonday(year, 1), 14),
      [B]: addDays(firstMonday(year, 3), 14),
      [C]: addDays(firstMonday(year, 6), 7),
    };
    for (const c of raw.counties) c.date = dates[c.code];
    const planFile = path.join(dir, 'plan.yaml');
    writeFileSync(planFile, stringify(raw));
    const { loadPlanFile } = await import('../../client/plan');
    const plan = loadPlanFile(planFile);
    const sentLogDir = path.join(dir, 'sent-log');
    const workerEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${config.devServerPort}`,
      TEMPORAL_NAMESPACE: 'default',
      GUIDANCE_TASK_QUEUE: config.taskQueue,
      GUIDANCE_DATA_DIR: config.dataDir,
      GUIDANCE_SENT_LOG_DIR: sentLogDir,
      GUIDANCE_OUTBOX_DIR: path.join(dir, 'outbox'),
    };
    let worker: ChildProcess | undefined = await startWorker(workerEnv);
    const connection = await Connection.connect({ address: `127.0.0.1:${config.devServerPort}` });
    const client = new Client({ connection, namespace: 'default' });
    const workflowId = programmeWorkflowId(year, plan.bureau.code);
    const watch = new ProgrammeWatch(client, workflowId);
    const log: string[] = [];
    const note = (what: string) =>
      log.push(`${new Date().toISOString()} run ${watch.runs.length} ${clock.today(Date.now())}: ${what}`);
    const timeScale = { msPerDay: MS_PER_DAY, startDate: `${year}-01-04` };
    const epoch = Date.now();
    const clock = Clock.compressed(timeScale, epoch);
    /** Waits for `ok`, failing at once with the reason if the latest run records a problem. */
    const waitHealthy = (ok: () => boolean | Promise<boolean>, what: string, ms: number) =>
      waitUntil(
        async () => {
          const found = watch.runs.flatMap((r, i) => problems(r.last).map((p) => `run ${i + 1}: ${p}`));
          if (found.length) throw new Error(`${found.join('\n')}\n${log.join('\n')}`);
          return ok();
        },
        what,
        ms,
      ).catch(async (err: unknown) => {
        // What the programme was waiting on when the wait ran out.
        const raw = await client.workflowService
          .describeWorkflowExecution({ namespace: config.namespace, execution: { workflowId } })
          .catch(() => undefined);
        const pending = (raw?.pendingActivities ?? []).map(
          (a) => `${a.activityType?.name} attempt ${a.attempt} state ${a.state} ${a.lastFailure?.message ?? ''}`,
        );
        const state = await client.workflow
          .getHandle(workflowId)
          .query(scheduleQuery)
          .catch(() => undefined);
        const hist = await client.workflow
          .getHandle(workflowId)
          .fetchHistory()
          .catch(() => undefined);
        // The whole history kept beside the test's files, to replay and read after a failure.
        if (hist) writeFileSync(path.join(dir, 'failed-run-history.json'), JSON.stringify(hist));
        const tail = (hist?.events ?? [])
          .slice(-25)
          .map(
            (e) =>
              `${e.eventId} ${e.eventType} ${e.workflowTaskFailedEventAttributes?.failure?.message ?? ''} ${e.workflowTaskFailedEventAttributes?.cause ?? ''}`,
          );
        throw new Error(
          `${String(err)}\nhistory: ${path.join(dir, 'failed-run-history.json')}\nevents:\n${tail.join('\n')}\npending: ${JSON.stringify(pending)}\ntoday ${state?.today} incidents ${JSON.stringify(state?.incidents)}\n${log.join('\n')}`,
        );
      });
    const restart = async () => {
      await sleep(1000 + Math.floor(Math.random() * 1000));
      worker = await startWorker(workerEnv);
      note('fresh worker polling');
    };

    try {
      // A mail attempt lost with a killed worker is retried after 10 s, not given up with the test's usual 60 s.
      await startProgramme(client, plan, {
        taskQueue: config.taskQueue,
        timeScale,
        timeScaleEpochMs: epoch,
        visibility: true,
        mailRetry: { ...FAST_MAIL, attemptTimeoutMs: 10_000, giveUpAfterMs: 5 * 60_000 },
      });
      watch.start();

      // 1. Killed right after the first continue-as-new: the new run's first task is in hand or queued.
      await waitHealthy(() => watch.runs.length >= 2, 'the first continue-as-new', 90_000);
      await kill9(worker);
      note('worker killed right after a continue-as-new');
      await restart();

      // County A's visit, started by the first run, is taken to closed by people during a later run.
      const d = new VisitDriver({} as TestWorkflowEnvironment, config.taskQueue);
      const hA = client.workflow.getHandle(visitWorkflowId(year, plan.bureau.code, A));
      await d.waitForStage(hA, 'onsite');
      await d.fillAndSubmit(hA);
      await d.approve(hA);
      const sA = await d.waitForStage(hA, 'rectification');
      const file = {
        sha256: createHash('sha256').update('report').digest('hex'),
        size: 4096,
        mediaType: 'application/pdf' as const,
        filename: '整改情况报告.pdf',
      };
      await hA.executeUpdate(submitReportUpdate, {
        args: [
          {
            actor: { id: A, role: 'county', county: A },
            files: [file],
            items: sA.rectification!.problems.map((_, index) => ({ index, status: '整改完成' as const })),
          },
        ],
      });
      await hA.executeUpdate(reviewReportUpdate, { args: [{ actor: supervisor, decision: 'accept' }] });
      expect(((await hA.result()) as VisitCase).stage).toBe('closed');
      note('visit A closed');

      // 2. Killed just before a month end: the rollover falls due with no worker.
      const runsBefore = watch.runs.length;
      const monthEnd = `${addMonths(clock.today(Date.now()).slice(0, 7), 1)}-01`;
      await sleep(clock.msUntil(monthEnd, Date.now()) - MS_PER_DAY / 2);
      await kill9(worker);
      note(`worker killed half a day before ${monthEnd}`);
      await sleep(clock.msUntil(monthEnd, Date.now()));
      await restart();
      await waitHealthy(() => watch.runs.length > runsBefore, `the continue-as-new of ${monthEnd}`, 120_000);

      // 3. Killed while the month-end archive activity is pending (a later month end if missed).
      let caught: string | undefined;
      for (let tries = 0; tries < 3 && !caught; tries++) {
        const before = watch.runs.length;
        watch.onArchive = (state) => {
          caught = state;
          worker?.kill('SIGKILL');
        };
        await waitHealthy(
          () => caught !== undefined || watch.runs.length > before,
          'the archive activity or the next run',
          90_000,
        );
        watch.onArchive = undefined;
        if (!caught) continue;
        await kill9(worker);
        note(`worker killed with archiveProgramme pending (${caught})`);
        await restart();
        // An activity attempt lost with its worker is retried after its start-to-close timeout.
        await waitHealthy(() => watch.runs.length > before, 'the continue-as-new after the archive kill', 5 * 60_000);
      }
      expect(caught, log.join('\n')).toBeDefined();
      note('continued as new after the archive kill');

      // B's visit (started by an earlier run) cancelled through the programme: it ends, and the run records it.
      const hB = client.workflow.getHandle(visitWorkflowId(year, plan.bureau.code, B));
      const startedB = watch.runs.findIndex((r) => r.last?.entries.find((e) => e.county === B)?.status === 'started');
      expect(startedB).toBeGreaterThanOrEqual(0);
      expect(startedB).toBeLessThan(watch.runs.length - 1);
      await cancelVisit(client, year, plan.bureau.code, { actor: supervisor, county: B, reason: '测试：县区机构调整' });
      await waitUntil(async () => (await hB.describe()).status.name !== 'RUNNING', 'visit B ended', 120_000);
      await waitHealthy(
        () => watch.runs.at(-1)?.last?.progress[B]?.stage === 'cancelled',
        'B cancelled in the programme',
        60_000,
      );
      for (const c of [C])
        await cancelVisit(client, year, plan.bureau.code, { actor: supervisor, county: c, reason: '测试结束' }).catch(
          () => undefined,
        );
      const result = (await client.workflow.getHandle(workflowId).result()) as ProgrammeState;
      await watch.stop();
      console.log(`[can-faults] ${watch.runs.length} runs\n${log.join('\n')}`);

      expect(watch.runs.flatMap((r) => problems(r.last)).concat(problems(result))).toEqual([]);
      // Never anything but RUNNING until the finish; every earlier run continued as new.
      expect([...watch.statuses].sort()).toEqual(['COMPLETED', 'RUNNING']);
      expect(watch.runs.length).toBeGreaterThanOrEqual(4);
      for (const r of watch.runs.slice(0, -1))
        expect((await client.workflow.getHandle(workflowId, r.runId).describe()).status.name).toBe('CONTINUED_AS_NEW');
      expect(result.finished).toBe(true);

      // Each run handed the next the whole record: what it showed last, and the record only grows.
      for (const [i, r] of watch.runs.entries()) {
        const seen = r.last;
        if (!seen) continue;
        const carried = i < watch.runs.length - 1 ? await watch.carried(r.runId) : undefined;
        for (const later of [...(carried ? [carried.state] : []), result]) {
          // Without their times: a query may answer from a workflow task whose completion a kill
          // then lost; the task runs again on the fresh worker, records the same steps, and stamps
          // them with its own start time. A step lost, added or reordered still fails.
          expect(isPrefix(seen.audit.map(untimed), later.audit.map(untimed)), `run ${i} audit`).toBe(true);
          expect(isPrefix(seen.bulletins, later.bulletins), `run ${i} bulletins`).toBe(true);
          expect(isPrefix(seen.digests, later.digests), `run ${i} digests`).toBe(true);
          expect(later.entries.map((e) => e.county)).toEqual(seen.entries.map((e) => e.county));
          for (const county of Object.keys(seen.progress))
            expect(later.progress[county], `run ${i} progress ${county}`).toBeDefined();
        }
        if (carried) expect(carried.runs, `run ${i}`).toBe(i + 1);
      }

      // One bulletin a month from the month after the first visit, none twice, none skipped.
      const months = result.bulletins.map((b) => b.month);
      expect(months.length).toBeGreaterThanOrEqual(3);
      expect(months).toEqual(months.map((_, i) => addMonths(`${year}-02`, i)));
      expect(new Set(result.bulletins.map((b) => b.docNumber)).size).toBe(months.length);
      // Digest weeks consecutive Mondays, none twice.
      const weeks = result.digests.map((x) => x.week);
      expect(weeks.length).toBeGreaterThanOrEqual(8);
      expect(weeks).toEqual(weeks.map((_, i) => addDays(weeks[0]!, 7 * i)));

      // The sent-log: the programme's mail is exactly the bulletins and digests the record holds.
      const records = readdirSync(sentLogDir)
        .filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
        .map((n) => JSON.parse(readFileSync(path.join(sentLogDir, n), 'utf8')) as SentLogRecord)
        .filter((x) => x.workflowId === workflowId);
      const bulletinSteps = new Set(records.filter((x) => x.step.startsWith('bulletin-')).map((x) => x.step));
      expect([...bulletinSteps].sort()).toEqual(months.map((m) => `bulletin-${m}`));
      const digestWeeks = new Set(
        records
          .filter((x) => x.step.startsWith('todo-digest-'))
          .map((x) => x.step.slice('todo-digest-'.length, 'todo-digest-'.length + 10)),
      );
      expect([...digestWeeks].filter((w) => !weeks.includes(w))).toEqual([]);
      expect(records.filter((x) => x.state !== 'accepted').map((x) => `${x.step} ${x.recipient} ${x.state}`)).toEqual(
        [],
      );
      // At the sink: every copy once (twice only where the sent-log flagged a possible duplicate).
      const arrived = new Map<string, number>();
      for (const m of sink.messages) {
        const id = (await simpleParser(m.raw)).messageId ?? '';
        for (const r of m.rcptTo) arrived.set(`${id} ${r}`, (arrived.get(`${id} ${r}`) ?? 0) + 1);
      }
      for (const x of records)
        expect(arrived.get(`${x.messageId} ${x.recipient}`) ?? 0, `${x.step} ${x.recipient}`).toBe(
          1 + (x.possibleDuplicate && arrived.get(`${x.messageId} ${x.recipient}`) === 2 ? 1 : 0),
        );

      // A, started by the first run and closed during a later one: recorded completed by that run.
      expect(
        watch.runs[0]!.last?.audit.some(
          (a) => a.action === 'startVisit' && a.detail.includes(result.entries.find((e) => e.county === A)!.countyName),
        ),
      ).toBe(true);
      const entry = (county: string) => result.entries.find((e) => e.county === county)!;
      expect(entry(A)).toMatchObject({ status: 'completed', endedAt: expect.any(String) });
      expect(
        result.audit.filter((a) => a.action === 'visitCompleted' && a.detail.includes(entry(A).countyName)),
      ).toHaveLength(1);
      expect(entry(B)).toMatchObject({ status: 'cancelled' });
      expect(result.progress[B]?.stage).toBe('cancelled');
      // Each visit started once, whichever run it fell in.
      for (const county of [A, B])
        expect(
          result.audit.filter((a) => a.action === 'startVisit' && a.detail.includes(entry(county).countyName)),
          county,
        ).toHaveLength(1);

      // The archive after the kills: the final state, under its manifest.
      const archived = await readArchivedProgramme(path.join(config.dataDir, 'archive'), workflowId);
      expect(archived?.state).toEqual(result);
    } finally {
      await watch.stop().catch(() => undefined);
      await kill9(worker);
      await connection.close().catch(() => undefined);
      await service.stop();
      await sink.close().catch(() => undefined);
    }
  });
});
