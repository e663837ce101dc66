/**
 * The cluster proof (issue 24, point 5), `npm run test:cluster`: a compressed year of the example
 * plan, driven by the demo's simulated people, on a self-hosted Temporal server on PostgreSQL, with
 * two worker processes and two dashboard processes that share nothing but the cluster, the S3
 * bucket (moto), the database and the SMTP server (stack.ts). Mid-year worker A is killed with
 * SIGKILL and restarted. Evidence goes in through dashboard A and comes out through dashboard B; a
 * receipt link mailed by a worker is signed through dashboard B. At the end: every visit closed,
 * every copy at the SMTP sink exactly once, every archive verified from the bucket, and nothing
 * shared through a local disk.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchiveTree } from '../../activities/archive-index';
import { archiveIn } from '../../activities/archive-store';
import { readArchivedCase } from '../../activities/archive-read';
import { EvidenceStore } from '../../activities/evidence/store';
import { runDemo, type DemoOutcome } from '../../client/demo';
import { connectClient, loadTemporalConfig } from '../../config/temporal';
import { PG_BIN } from '../../worker/cluster/postgres';
import { findTemporalCli } from '../../worker/temporal-tools';
import { visitCaseQuery, type VisitCase } from '../../workflows/contracts/visit';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/worker';
import { deliveries } from '../../activities/archive-format';
import { startStack, type Stack } from './stack';
import { login, type Session } from './dashboard-session';

let dir: string;
let stack: Stack;
let client: Client;
let outcomes: DemoOutcome[];
const cases = new Map<string, VisitCase>();
const times: Record<string, number> = {};
const queryErrors: string[] = [];
const histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[] = [];
const events: string[] = [];
let signed: { caseId: string; receipt: string; signer: string } | undefined;
const log = (m: string) => process.stderr.write(`[proof] ${m}\n`);

/** The receipt link of the first letter that carries one and is not yet signed, signed through dashboard B. */
async function signFirstLink(b: Session): Promise<void> {
  for (const m of stack.sink.messages) {
    const mail = await simpleParser(m.raw);
    const token = /receipt\.html#([A-Za-z0-9._~-]+)/.exec(mail.text ?? '')?.[1];
    if (!token) continue;
    const shown = await b.get(`/api/receipt?token=${encodeURIComponent(token)}`);
    if (shown.status !== 200) continue; // the case moved on: try the next
    const info = (await shown.json()) as { caseId: string; receipt: string; acknowledged?: unknown };
    if (info.acknowledged) continue;
    const signer = '王晓明';
    const res = await b.post('/api/receipt', { token, signer });
    if (res.status !== 200) throw new Error(`签收失败 ${res.status}: ${await res.text()}`);
    signed = { caseId: info.caseId, receipt: info.receipt, signer };
    events.push(`signed ${info.caseId} ${info.receipt} through B`);
    return;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'proof-'));
  chmodSync(dir, 0o755); // the postgres OS user must pass through it
  let t = Date.now();
  stack = await startStack(dir, log);
  times.stackStartMs = Date.now() - t;
  t = Date.now();
  const [, , dashA, dashB] = await Promise.all([
    stack.start('worker-a', 'worker'),
    stack.start('worker-b', 'worker'),
    stack.start('dashboard-a', 'dashboard'),
    stack.start('dashboard-b', 'dashboard'),
  ]);
  times.hostsStartMs = Date.now() - t;
  const a = await login(dashA!.url!, 'sun-li', 'heluo-sun-li');
  const b = await login(dashB!.url!, 'admin', 'heluo-admin');
  client = await connectClient(loadTemporalConfig({ ...process.env, ...stack.env }));

  let killed = false;
  let signing: Promise<void> | undefined;
  const restarting: Promise<unknown>[] = [];
  t = Date.now();
  const year = await runDemo({
    client,
    plan: stack.plan,
    taskQueue: stack.taskQueue,
    msPerDay: 250,
    startDate: `${stack.plan.year - 1}-12-20`,
    // The people's host shares the bucket too: the counties' report files (the supervisor's
    // evidence goes in through dashboard A).
    evidenceDir: new EvidenceStore({ objects: stack.store }),
    evidence: a.evidenceDoor(stack.plan.year),
    timeoutMs: 15 * 60_000,
    onProgress: (p) => {
      if (!killed && p.closed >= 3) {
        killed = true;
        events.push(`${p.today}: SIGKILL worker-a with ${p.closed} of ${p.total} closed`);
        restarting.push(
          (async () => {
            await stack.hosts.get('worker-a')!.kill();
            await new Promise((r) => setTimeout(r, 3000));
            await stack.start('worker-a', 'worker');
            events.push('worker-a restarted');
          })(),
        );
      }
      // One attempt at a time, until one link is signed.
      if (!signed && !signing)
        signing = signFirstLink(b)
          .catch((e: unknown) => void events.push(`sign: ${String(e)}`))
          .finally(() => (signing = undefined));
    },
  });
  await Promise.all([...restarting, signing]);
  times.yearMs = Date.now() - t;
  outcomes = year.outcomes;
  // Before anything queries a closed visit (a query replays it on a worker without it cached).
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` }))
    histories.push({
      workflowId: wf.workflowId,
      history: await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
    });
  for (const e of year.programme.entries) {
    try {
      cases.set(e.county, await client.workflow.getHandle(e.visitWorkflowId).query(visitCaseQuery));
    } catch (err) {
      // A query replays the closed visit (on a worker without it cached). It failed here before
      // patch recorded-clock; the case is still read from its archive for the checks below.
      queryErrors.push(`${e.visitWorkflowId}: ${String(err)}`);
      const archived = await readArchivedCase(archiveIn(stack.store), e.visitWorkflowId);
      if (archived) cases.set(e.county, archived.case);
    }
  }
  log(`times ${JSON.stringify(times)}; ${events.join('; ')}`);
});

afterAll(async () => {
  await client?.connection.close();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a compressed year on two workers and two dashboards of a self-hosted cluster', () => {
  it('closes every visit, worker A killed mid-year and restarted', () => {
    expect(events.some((e) => e.includes('SIGKILL'))).toBe(true);
    expect(outcomes.length).toBe(stack.plan.counties.length);
    expect(outcomes.filter((o) => o.stage !== 'closed')).toEqual([]);
    expect(cases.size).toBe(outcomes.length);
    expect(queryErrors).toEqual([]);
  });

  it('delivers every copy to the SMTP sink exactly once, every copy the cases record among them', async () => {
    const arrived = new Map<string, number>();
    for (const m of stack.sink.messages) {
      const id = (await simpleParser(m.raw)).messageId ?? '';
      arrived.set(id, (arrived.get(id) ?? 0) + 1);
    }
    const recorded = new Set<string>();
    for (const c of cases.values())
      for (const d of deliveries(c) as { recipients?: { status: string; messageId?: string }[] }[])
        for (const r of d.recipients ?? []) if (r.status === 'accepted' && r.messageId) recorded.add(r.messageId);
    expect(recorded.size).toBeGreaterThan(2 * cases.size);
    expect([...arrived].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...recorded].filter((id) => !arrived.has(id))).toEqual([]);
  });

  it('signs through dashboard B a receipt link a worker mailed', () => {
    expect(signed).toBeDefined();
    const c = [...cases.values()].find((x) => x.caseId === signed!.caseId);
    const receipt = c?.receipts?.find((r) => r.id === signed!.receipt);
    expect(receipt?.acknowledged).toMatchObject({ signer: signed!.signer, via: 'link' });
  });

  it('serves through dashboard B the evidence uploaded through dashboard A, and the letters', async () => {
    const b = await login(stack.hosts.get('dashboard-b')!.url!, 'admin', 'heluo-admin');
    let files = 0;
    for (const c of cases.values()) {
      expect(c.evidence.length).toBeGreaterThan(0);
      for (const e of c.evidence) {
        const res = await b.get(`/api/years/${stack.plan.year}/cases/${c.county}/files/${e.sha256}`);
        expect(res.status).toBe(200);
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.sha256);
        files += 1;
      }
      const letter = c.letter?.document;
      expect(letter).toBeDefined();
      const pdf = await b.get(`/api/years/${stack.plan.year}/cases/${c.county}/documents/${letter!.documentId}`);
      expect(pdf.status).toBe(200);
      expect(
        createHash('sha256')
          .update(Buffer.from(await pdf.arrayBuffer()))
          .digest('hex'),
      ).toBe(letter!.sha256);
    }
    expect(files).toBeGreaterThanOrEqual(cases.size);
  });

  it('verifies every archive from the bucket', async () => {
    const tree = await verifyArchiveTree(archiveIn(stack.store));
    expect(tree.filter((r) => !r.ok)).toEqual([]);
    const ids = new Set(tree.map((r) => r.caseId));
    expect([...cases.values()].filter((c) => !ids.has(c.caseId))).toEqual([]);
  });

  it('shares nothing through a local disk: no host kept a letter, an archive or a file', () => {
    const kept: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else kept.push(path.relative(dir, p));
      }
    };
    walk(path.join(dir, 'hosts'));
    expect(kept.filter((f) => /\.(pdf|json|sha256|eml)$|\/evidence\/|\/archive\//.test(f))).toEqual([]);
  });

  it("replays every history of the year on today's code (workers on two hosts, one killed mid-task)", async () => {
    const failed: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories))
      if (r.error) failed.push(`${r.workflowId}: ${r.error.message}`);
    expect(histories.length).toBeGreaterThan(cases.size);
    if (failed.length) {
      // Kept for the Replayer (as the CLI shows them); the run's directory goes in afterAll. Before
      // patch recorded-clock a visit whose worker died mid-task failed here in about one run in
      // three (docs/architecture.md, "Replay after a worker dies").
      const keep = mkdtempSync(path.join(os.tmpdir(), 'proof-histories-'));
      const cli = findTemporalCli().path!;
      for (const h of histories)
        writeFileSync(
          path.join(keep, `${h.workflowId}.json`),
          execFileSync(
            cli,
            ['workflow', 'show', '-w', h.workflowId, '--address', stack.cluster.address, '-o', 'json'],
            {
              maxBuffer: 64 * 1024 * 1024,
            },
          ),
        );
      log(`histories that do not replay kept in ${keep}`);
    }
    expect(failed).toEqual([]);
  });

  it("finds the visits through the cluster's SQL visibility and keeps histories in PostgreSQL", async () => {
    const found: string[] = [];
    const query = `GuidanceBureau = '${stack.plan.bureau.code}' AND GuidanceStage = 'closed'`;
    for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
    expect(found.sort()).toEqual([...cases.values()].map((c) => c.caseId).sort());
    const url = stack.cluster.postgres.url.replace(/\/postgres$/, '/temporal');
    const rows = execFileSync(path.join(PG_BIN, 'psql'), [url, '-tAc', 'select count(*) from executions'], {
      encoding: 'utf8',
    });
    expect(Number(rows.trim())).toBeGreaterThan(cases.size);
  });
});
