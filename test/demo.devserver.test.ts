/**
 * `guidance demo` on a production-like machine, on the real dev server: the operator's SMTP_*
 * override names a real SMTP server on loopback, the plan's `smtp` block names another, and a
 * production worker (`npm start`'s, built from the same environment) polls the real task queue.
 * A short demo year (one county, 0.2 s a simulated day) must reach neither server and leave the
 * production worker idle: every mail is in `<outbox>/demo`, addressed under demo.invalid, subject
 * 【演示】, and every number reads 演示… in the mail and in the PDF. The plan asks for both formats
 * (`formats: [pdf, ofd]`): every letter is mailed and archived as PDF and OFD, and `archive verify`
 * checks both (a changed OFD fails it).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { unzipSync } from 'fflate';
import { simpleParser, type AddressObject } from 'mailparser';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { registerDemoCommand } from '../client/commands/demo';
import { registerVisitCommands } from '../client/commands/visit';
import { connectClient, loadTemporalConfig, type TemporalConfig } from '../config/temporal';
import { ensureDevServer, type RunningService } from '../worker/service';
import type { EngineWorker } from '../worker/engine-worker';
import { createWorker } from '../worker/worker';
import { programmeWorkflowId } from '../workflows/contracts/common';
import { verifyArchiveTree } from '../activities/archive-index';
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

/** Runs a `guidance` command in this process; returns what it printed on stdout. */
async function guidance(register: (program: Command) => void, args: string[]): Promise<string> {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'guidance', ...args]);
  } finally {
    write.mockRestore();
  }
  return out.join('');
}

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
  raw.formats = ['pdf', 'ofd'];
  planFile = path.join(dir, 'plan.yaml');
  writeFileSync(planFile, stringify(raw));
  temporal = loadTemporalConfig();
  // Started here so the test can look at the server after the demo stops.
  service = await ensureDevServer(temporal);
  // `npm start`'s worker: the production queue, mail through the override.
  production = await createWorker(temporal);
  productionRun = production.run();

  printed = JSON.parse(await guidance(registerDemoCommand, ['demo', '--plan', planFile, '--day-ms', '200', '--json']));
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

  it('mails and archives every letter as PDF and OFD, and archive verify checks both', async () => {
    const caseId = `visit-${printed.year}-${printed.programme}-${printed.outcomes[0]!.county}`;
    const archive = path.join(dir, 'data', 'archive');
    const caseDir = path.join(archive, caseId);
    const files = readdirSync(caseDir);
    const pdfs = files.filter((f) => f.endsWith('.pdf'));
    expect(pdfs.length).toBeGreaterThan(3);
    // Each document in both formats, and the manifest lists both with their bytes' sha256.
    const manifest = readFileSync(path.join(caseDir, 'MANIFEST.sha256'), 'utf8');
    const sha = (f: string) =>
      createHash('sha256')
        .update(readFileSync(path.join(caseDir, f)))
        .digest('hex');
    for (const pdf of pdfs) {
      const ofd = pdf.replace(/\.pdf$/, '.ofd');
      expect(files, pdf).toContain(ofd);
      expect(manifest).toContain(`${sha(pdf)}  ${pdf}`);
      expect(manifest).toContain(`${sha(ofd)}  ${ofd}`);
    }
    // The case record keeps each OFD's sha256 beside the PDF's.
    const record = JSON.parse(readFileSync(path.join(caseDir, 'case.json'), 'utf8'));
    expect(record.letter.document.ofd.sha256).toBe(sha(`${record.letter.document.documentId}.ofd`));
    // The opinion letter's OFD carries its number as text.
    const opinion = unzipSync(readFileSync(path.join(caseDir, `${record.letter.document.documentId}.ofd`)));
    expect(Object.keys(opinion)[0]).toBe('OFD.xml');
    const pageText = Object.entries(opinion)
      .filter(([k]) => k.endsWith('Content.xml'))
      .map(([, v]) => new TextDecoder().decode(v).replace(/<[^>]+>/g, ''))
      .join('');
    expect(pageText).toContain(printed.outcomes[0]!.docNumber!);

    // Every mail with a letter attached carries both formats, the same bytes as the archive's.
    const outbox = path.join(dir, 'outbox', 'demo');
    // Letters are in the case's folder, bulletins in the programme's.
    const archived = new Map(
      readdirSync(archive, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [
          createHash('sha256')
            .update(readFileSync(path.join(e.parentPath, e.name)))
            .digest('hex'),
          e.name,
        ]),
    );
    let lettersMailed = 0;
    for (const f of readdirSync(outbox).filter((x) => x.endsWith('.eml'))) {
      const mail = await simpleParser(readFileSync(path.join(outbox, f)));
      const docs = mail.attachments.filter((a) => /\.(pdf|ofd)$/.test(a.filename ?? ''));
      if (docs.length === 0) continue;
      lettersMailed++;
      const names = docs.map((a) => a.filename!).sort();
      expect(names, f).toEqual([names[0]!.replace(/\.(pdf|ofd)$/, '.ofd'), names[0]!.replace(/\.(pdf|ofd)$/, '.pdf')]);
      expect(docs.find((a) => a.filename!.endsWith('.ofd'))!.contentType).toBe('application/ofd');
      for (const a of docs) {
        const archivedAs = archived.get(createHash('sha256').update(a.content).digest('hex'));
        expect(archivedAs, `${f} ${a.filename}`).toBeDefined();
        expect(archivedAs!.slice(-4)).toBe(a.filename!.slice(-4));
      }
    }
    expect(lettersMailed).toBeGreaterThan(2);

    // The programme's folder keeps its bulletins in both formats too.
    const programmeDir = path.join(
      archive,
      readdirSync(archive).find((f) => f.startsWith('guidance-'))!,
    );
    const programmeManifest = readFileSync(path.join(programmeDir, 'MANIFEST.sha256'), 'utf8');
    const bulletins = readdirSync(programmeDir).filter((f) => /-bulletin-.*\.(pdf|ofd)$/.test(f));
    // Every bulletin rendered in both formats (a short demo year may end before a bulletin's day).
    expect(bulletins.filter((f) => f.endsWith('.ofd')).length).toBe(bulletins.filter((f) => f.endsWith('.pdf')).length);
    // The folder's record may be one written when the visit closed, before that month's bulletin:
    // the demo stops once its counties are done, not at the programme's last archive. Each bulletin
    // the record holds is listed in both formats with the sha256 it recorded.
    const recorded = JSON.parse(readFileSync(path.join(programmeDir, 'programme.json'), 'utf8')) as {
      bulletins: { documentPath: string; sha256: string; ofd?: { path: string; sha256: string } }[];
    };
    for (const b of recorded.bulletins) {
      expect(programmeManifest).toContain(`${b.sha256}  ${path.basename(b.documentPath)}\n`);
      expect(programmeManifest).toContain(`${b.ofd!.sha256}  ${path.basename(b.ofd!.path)}\n`);
    }

    // archive verify, the whole tree: clean; then a changed OFD is named (as archive verify prints it).
    const all = await verifyArchiveTree(archive);
    expect(all.length).toBe(2);
    expect(all.filter((r) => !r.ok)).toEqual([]);
    const ofdFile = path.join(caseDir, `${record.letter.document.documentId}.ofd`);
    const bytes = readFileSync(ofdFile);
    writeFileSync(ofdFile, Buffer.concat([bytes, Buffer.from(' ')]));
    try {
      const [r] = await verifyArchiveTree(archive, caseId);
      expect(r!.ok).toBe(false);
      expect(r!.changed).toEqual([path.basename(ofdFile)]);
    } finally {
      writeFileSync(ofdFile, bytes);
    }
  });

  it('guidance visit documents lists both formats and writes either, checked against the record', async () => {
    const run = (args: string[]) => guidance(registerVisitCommands, ['visit', 'documents', ...args]);
    // The demo's worker has stopped; a case's query needs one on the demo's queue (as when a
    // person reads a finished demo while `npm start` serves it), else it waits out its timeout.
    const reader = await createWorker({ ...temporal, taskQueue: `${temporal.taskQueue}-demo` });
    const reading = reader.run();
    onTestFinished(async () => {
      reader.shutdown();
      await reading;
    });
    const county = printed.outcomes[0]!.county;
    const common = ['--year', String(printed.year), '--county', county, '--bureau', printed.programme];
    const listed = JSON.parse(await run([...common, '--json'])) as { documentId: string; kind: string; ofd?: object }[];
    expect(listed.length).toBeGreaterThan(3);
    for (const d of listed) expect(d.ofd, d.documentId).toBeDefined();
    const opinion = listed.find((d) => d.kind === 'opinion')!;
    const caseDir = path.join(dir, 'data', 'archive', `visit-${printed.year}-${printed.programme}-${county}`);
    for (const format of ['pdf', 'ofd']) {
      const file = path.join(dir, `opinion.${format}`);
      await run([...common, '--id', opinion.documentId, '--format', format, '--out', file]);
      expect(readFileSync(file).equals(readFileSync(path.join(caseDir, `${opinion.documentId}.${format}`)))).toBe(true);
    }
    // An altered OFD is not written out.
    const archived = path.join(caseDir, `${opinion.documentId}.ofd`);
    const bytes = readFileSync(archived);
    writeFileSync(archived, Buffer.concat([bytes, Buffer.from('x')]));
    try {
      const refused = path.join(dir, 'refused.ofd');
      await expect(run([...common, '--id', opinion.documentId, '--format', 'ofd', '--out', refused])).rejects.toThrow(
        /sha256 不符/,
      );
      expect(() => readFileSync(refused)).toThrow();
    } finally {
      writeFileSync(archived, bytes);
    }
  });
});
