/**
 * A template broken on disk mid-year (issue "a case never dies"): a compressed-year demo runs on the
 * project's dev server with a worker process; partway through, the reminder template in the plan's
 * templates directory is overwritten with a syntax error. Each visit that needs a reminder raises an
 * incident and waits in its stage; the administrator restores the file and retries each one. The
 * year finishes: every visit closed, every letter delivered, every email at the sink exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES_DIR } from '../../activities/documents/templates';
import { runDemo } from '../../client/demo';
import type { TemporalConfig } from '../../config/temporal';
import { ensureDevServer } from '../../worker/service';
import { retryUpdate } from '../../workflows/contracts/incidents';
import { visitCaseQuery, type VisitCase } from '../../workflows/contracts/visit';
import { freePort, startSmtpSink } from '../email/helpers';
import { rawExamplePlan } from '../helpers/plans';
import { kill9, startWorker } from './processes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a template broken on disk mid-year (real processes)', () => {
  it('raises incidents, the administrator fixes the file and retries, and the year finishes with every letter sent once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'template-fault-'));
    const templates = path.join(dir, 'templates');
    cpSync(BUILTIN_TEMPLATES_DIR, templates, { recursive: true });
    const smtpPort = await freePort();
    const sink = await startSmtpSink({ port: smtpPort });
    const config: TemporalConfig = {
      external: false,
      connection: {},
      namespace: 'default',
      taskQueue: `template-fault-${process.pid}`,
      dataDir: path.join(dir, 'data'),
      devServerPort: await freePort(),
      uiPort: await freePort(),
    };
    config.connection = { address: `127.0.0.1:${config.devServerPort}` };
    const service = await ensureDevServer(config);

    const year = new Date().getFullYear() + 1;
    const raw = rawExamplePlan();
    raw.year = year;
    raw.bureau.code = `tpl${Date.now().toString(36)}`;
    raw.smtp = { host: '127.0.0.1', port: smtpPort, security: 'none' };
    raw.templatesDir = templates;
    const planFile = path.join(dir, 'plan.yaml');
    writeFileSync(planFile, stringify(raw));
    const { loadPlanFile } = await import('../../client/plan');
    const plan = loadPlanFile(planFile);
    let worker: ChildProcess | undefined = await startWorker({
      ...process.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${config.devServerPort}`,
      TEMPORAL_NAMESPACE: 'default',
      GUIDANCE_TASK_QUEUE: config.taskQueue,
      GUIDANCE_DATA_DIR: config.dataDir,
      GUIDANCE_SENT_LOG_DIR: path.join(dir, 'sent-log'),
      GUIDANCE_OUTBOX_DIR: path.join(dir, 'outbox'),
    });
    const connection = await Connection.connect({ address: `127.0.0.1:${config.devServerPort}` });
    const client = new Client({ connection, namespace: 'default' });
    const reminder = path.join(templates, 'reminder.hbs');
    const good = readFileSync(reminder, 'utf8');
    const admin = { id: 'admin', role: 'admin' as const };

    try {
      const demo = runDemo({
        client,
        plan,
        taskQueue: config.taskQueue,
        msPerDay: 250,
        startDate: `${year - 1}-12-20`,
        evidenceDir: path.join(config.dataDir, 'evidence'),
        mailRetry: {
          initialIntervalMs: 500,
          maximumIntervalMs: 2000,
          giveUpAfterMs: 30 * 60_000,
          attemptTimeoutMs: 10_000,
        },
        timeoutMs: 15 * 60_000,
      });
      let finished = false;
      void demo.finally(() => (finished = true));

      // The operator: breaks the file after the first visits, then, whenever a visit shows an open
      // incident, restores the file (after a while, as a person would) and retries it.
      const retried: string[] = [];
      const operator = (async () => {
        const t0 = Date.now();
        while (!finished && Date.now() - t0 < 15_000) await sleep(250);
        writeFileSync(reminder, good.replace('{{daysLeft}}', '{{#each}}'));
        let broken = true;
        while (!finished) {
          await sleep(1000);
          const ids = (await client.workflow
            .getHandle(`guidance-${plan.year}-${plan.bureau.code}`)
            .query('schedule')
            .catch(() => undefined)) as { entries: { visitWorkflowId: string; status: string }[] } | undefined;
          for (const e of ids?.entries.filter((x) => x.status === 'started') ?? []) {
            const c = await client.workflow
              .getHandle(e.visitWorkflowId)
              .query(visitCaseQuery)
              .catch(() => undefined);
            const open = c?.incidents.find((i) => !i.retriedAt && i.notice !== undefined);
            if (!open) continue;
            if (broken) {
              await sleep(3000);
              writeFileSync(reminder, good);
              broken = false;
            }
            await client.workflow
              .getHandle(e.visitWorkflowId)
              .executeUpdate(retryUpdate, { args: [{ actor: admin, note: '提醒模板已恢复' }] });
            retried.push(`${e.visitWorkflowId} ${open.id} ${open.step}`);
          }
        }
      })();
      const { programme, outcomes } = await demo;
      await operator;

      expect(retried.length, 'at least one incident retried').toBeGreaterThan(0);
      expect(outcomes.map((o) => o.stage)).toEqual(outcomes.map(() => 'closed'));
      expect(programme.entries.every((e) => e.status === 'completed')).toBe(true);

      const cases: VisitCase[] = [];
      for (const e of programme.entries)
        cases.push(await client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery));
      const incidents = cases.flatMap((c) => c.incidents);
      expect(incidents.length).toBeGreaterThan(0);
      expect(
        incidents.every(
          (i) => i.error.type === 'TemplateError' && i.retriedBy === 'admin' && i.step.startsWith('render:reminder'),
        ),
      ).toBe(true);

      // Every letter delivered, every (message, recipient) at the sink exactly once.
      const arrived = new Map<string, number>();
      for (const m of sink.messages) {
        const id = (await simpleParser(m.raw)).messageId ?? '';
        for (const r of m.rcptTo) arrived.set(`${id} ${r}`, (arrived.get(`${id} ${r}`) ?? 0) + 1);
      }
      expect([...arrived].filter(([, n]) => n > 1)).toEqual([]);
      for (const c of cases) {
        const records = [
          c.notice?.delivery,
          c.letter?.delivery,
          ...(c.rectification?.reminders ?? []).map((x) => x.delivery),
          ...(c.rectification?.escalations ?? []).map((x) => x.delivery),
          ...(c.rectification?.reports ?? []).map((x) => x.review?.letter?.delivery),
        ];
        for (const rec of records) {
          expect(rec, c.caseId).toBeDefined();
          for (const copy of rec!.recipients)
            expect(arrived.get(`${copy.messageId} ${copy.address}`), `${c.caseId} ${rec!.step} ${copy.address}`).toBe(
              1,
            );
        }
      }
    } finally {
      await kill9(worker);
      worker = undefined;
      await connection.close().catch(() => undefined);
      await service.stop();
      await sink.close().catch(() => undefined);
    }
  });
});
