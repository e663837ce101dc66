/**
 * `guidance demo` on a production-like machine, on the real dev server: the operator's SMTP_*
 * override names a real SMTP server on loopback, the plan's `smtp` block names another, and a
 * production worker (`npm start`'s, built from the same environment) polls the real task queue.
 * A short demo year (one county, 0.2 s a simulated day) must reach neither server and leave the
 * production worker idle: every mail is in `<outbox>/demo`, addressed under demo.invalid, subject
 * 【演示】, and every number reads 演示… in the mail and in the PDF.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { simpleParser, type AddressObject } from 'mailparser';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDemoCommand } from '../client/commands/demo';
import { connectClient, loadTemporalConfig, type TemporalConfig } from '../config/temporal';
import { ensureDevServer, type RunningService } from '../worker/service';
import type { EngineWorker } from '../worker/engine-worker';
import { createWorker } from '../worker/worker';
import { programmeWorkflowId } from '../workflows/contracts/common';
import { freePort, startSmtpSink, type SmtpSink } from './email/helpers';
import { rawExamplePlan } from './helpers/plans';
import { workflowBundle } from './helpers/worker';

let dir: string;
let planFile: string;
let override: SmtpSink;
let planSmtp: SmtpSink;
let temporal: TemporalConfig;
let service: RunningService;
let production: EngineWorker;
let productionRun: Promise<void>;
let printed: { programme: string; year: number; outcomes: { county: string; docNumber?: string; stage: string }[] };

const addressesOf = (a: AddressObject | AddressObject[] | undefined) =>
  a === undefined ? [] : [a].flat().flatMap((x) => x.value.map((v) => v.address ?? ''));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'demo-'));
  override = await startSmtpSink();
  planSmtp = await startSmtpSink();
  const bundleFile = path.join(dir, 'workflows.bundle.js');
  writeFileSync(bundleFile, (await workflowBundle()).code);
  // The process's environment, as on a production machine, before anything reads the configuration.
  delete process.env.TEMPORAL_ADDRESS;
  Object.assign(process.env, {
    GUIDANCE_WORKFLOW_BUNDLE: bundleFile,
    GUIDANCE_DATA_DIR: path.join(dir, 'data'),
    GUIDANCE_OUTBOX_DIR: path.join(dir, 'outbox'),
    GUIDANCE_SENT_LOG_DIR: path.join(dir, 'sent-log'),
    GUIDANCE_TEMPORAL_PORT: String(await freePort()),
    GUIDANCE_UI_PORT: String(await freePort()),
    GUIDANCE_TASK_QUEUE: `prod-${Date.now().toString(36)}`,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(override.port),
    SMTP_SECURITY: 'none',
  });
  const raw = rawExamplePlan();
  raw.counties = raw.counties.slice(0, 1);
  raw.smtp = { host: '127.0.0.1', port: planSmtp.port, security: 'none' };
  planFile = path.join(dir, 'plan.yaml');
  writeFileSync(planFile, stringify(raw));
  temporal = loadTemporalConfig();
  // Started here so the test can look at the server after the demo stops.
  service = await ensureDevServer(temporal);
  // `npm start`'s worker: the production queue, mail through the override.
  production = await createWorker(temporal);
  productionRun = production.run();

  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const program = new Command().exitOverride();
    registerDemoCommand(program);
    await program.parseAsync(['node', 'guidance', 'demo', '--plan', planFile, '--day-ms', '200', '--json']);
  } finally {
    write.mockRestore();
  }
  printed = JSON.parse(out.join(''));
}, 240_000);

afterAll(async () => {
  production?.shutdown();
  await productionRun;
  await service?.stop();
  await override?.close();
  await planSmtp?.close();
});

describe('a demo year on a production machine', () => {
  it('runs to its end, on its own bureau code and task queue, never on the production one', async () => {
    expect(printed.outcomes).toHaveLength(1);
    expect(printed.outcomes[0]!.stage).toBe('closed');
    expect(printed.programme).toMatch(/^heluo-demo-[a-z0-9]+$/);
    const client = await connectClient(temporal);
    try {
      const d = await client.workflow.getHandle(programmeWorkflowId(printed.year, printed.programme)).describe();
      expect(d.taskQueue).toBe(`${temporal.taskQueue}-demo`);
      // Nothing ever ran on the production queue.
      const onProduction = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${temporal.taskQueue}'` }))
        onProduction.push(wf.workflowId);
      expect(onProduction).toEqual([]);
    } finally {
      await client.connection.close();
    }
  });

  it("reaches neither the SMTP_* override nor the plan's SMTP server; every mail is in the demo outbox", async () => {
    expect(override.connections).toBe(0);
    expect(planSmtp.connections).toBe(0);
    const outbox = path.join(dir, 'outbox');
    expect(readdirSync(outbox).filter((f) => f.endsWith('.eml'))).toEqual([]);
    const files = readdirSync(path.join(outbox, 'demo')).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const mail = await simpleParser(readFileSync(path.join(outbox, 'demo', f)));
      expect(mail.subject, f).toMatch(/^【演示】/);
      const all = [...addressesOf(mail.to), ...addressesOf(mail.cc), ...addressesOf(mail.from)];
      expect(all.length).toBeGreaterThan(1);
      for (const a of all) expect(a, f).toMatch(/@demo\.invalid$/);
      expect(mail.from?.text).toContain('（演示）');
    }
  });

  it("numbers every letter 演示…, in the outcome, the mail and the PDF's letterhead", async () => {
    const number = printed.outcomes[0]!.docNumber!;
    expect(number).toMatch(/^演示河洛应急指导〔\d{4}〕\d+号$/);
    const archive = path.join(dir, 'data', 'archive');
    const caseDir = path.join(archive, `visit-${printed.year}-${printed.programme}-${printed.outcomes[0]!.county}`);
    const opinion = readdirSync(caseDir).find((f) => f.endsWith('-opinion-final.pdf'));
    expect(opinion).toBeDefined();
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', path.join(caseDir, opinion!), '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, '');
    expect(text).toContain(number);
    expect(text).toContain('河洛市应急管理局（演示）');
    const mail = readdirSync(path.join(dir, 'outbox', 'demo')).find((f) => f.includes('--opinion--'));
    expect(mail).toBeDefined();
    expect((await simpleParser(readFileSync(path.join(dir, 'outbox', 'demo', mail!)))).subject).toContain(number);
  });
});
