/**
 * The letters and the archive in an S3 bucket (issue 24): two "hosts" — two stores from the same
 * configuration, each over its own empty data directory — share one bucket on a real S3-compatible
 * server (moto, worker/moto.ts, loopback). Host A renders a real PDF; host B attaches it (by the
 * key, and by an old run's absolute path of another machine) and writes the outbox copy; host B
 * archives the case; host A verifies and reads it back. A letter or record altered in the bucket is
 * refused (IntegrityError), whether its bytes were replaced or damaged under the stored checksum.
 * Neither host's data directory gets a file: everything is in the bucket.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveIntegrityError,
  archiveIn,
  type ArchiveResult,
  listArchivedCases,
  readArchivedCase,
  verifyArchive,
} from '../activities/archive';
import { readArchivedProgramme, writeProgrammeArchive } from '../activities/archive-programme';
import { verifyArchiveTree } from '../activities/archive-index';
import { exampleData } from '../activities/documents/templates';
import { loadAttachments } from '../activities/email/compose';
import { createActivities } from '../activities';
import { sha256Hex, storeFromConfig, type ObjectStore } from '../activities/storage';
import { ensureDocumentTools } from '../scripts/setup-documents';
import { startMoto, type MotoServer } from '../worker/moto';
import { FailureType } from '../workflows/shared/errors';
import { letterMailContent } from '../workflows/shared/email';
import type { RenderResult } from '../workflows/shared/documents';
import type { VisitCase } from '../workflows/contracts/visit';
import type { ProgrammeState } from '../workflows/contracts/programme';
import { failureOf } from './helpers/failure';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const BUCKET = 'guidance-cluster';
const CASE = 'visit-2027-heluo-xiangshan';
let moto: MotoServer;
let raw: S3Client;
const dirs: string[] = [];

beforeAll(async () => {
  await ensureDocumentTools();
  moto = await startMoto();
  raw = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
  await raw.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 120_000);
afterAll(async () => {
  await moto?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One host: its own empty data directory, the store its configuration names (GUIDANCE_STORAGE=s3). */
function host(name: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `s3-host-${name}-`));
  dirs.push(dataDir);
  const store: ObjectStore = storeFromConfig(
    {
      dataDir,
      storage: { kind: 's3', bucket: BUCKET, region: 'us-east-1', endpoint: moto.endpoint, accessKeyId: 'test' },
    },
    { GUIDANCE_S3_SECRET_ACCESS_KEY: 'test' },
  );
  // As the worker wires them (worker/worker.ts workerActivities): the store, and local dirs it must not use.
  const activities = createActivities({
    store,
    documents: { archiveDir: path.join(dataDir, 'archive') },
    email: {
      outboxDir: path.join(dataDir, 'outbox'),
      sentLogDir: path.join(dataDir, 'sent-log'),
      secret: () => undefined,
    },
    docNumbers: { client: {} as Client, taskQueue: 'unused' },
  });
  return { dataDir, store, archive: archiveIn(store), activities };
}

const env = new MockActivityEnvironment();
const objectBytes = async (key: string) =>
  Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
/** Replaces an object behind the stores' back; `keepSha` keeps the checksum metadata of the bytes before. */
const tamper = async (key: string, keepSha: boolean) => {
  const before = await objectBytes(key);
  const after = Buffer.concat([before, Buffer.from('\n% altered\n')]);
  await raw.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: after,
      ...(keepSha ? { Metadata: { sha256: sha256Hex(before) } } : {}),
    }),
  );
  return async () =>
    raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: before, Metadata: { sha256: sha256Hex(before) } }));
};

/** A closed case recording one letter, shaped like the workflow's. */
const caseOf = (doc: RenderResult): VisitCase =>
  ({
    caseId: CASE,
    year: 2027,
    bureau: 'heluo',
    county: 'xiangshan',
    stage: 'closed',
    letter: { docNumber: '河应急指〔2027〕1号', issueDate: '2027-03-02', dueDate: '2027-04-01', document: doc },
    evidence: [],
    approval: { approver: 'zheng-yuan', rounds: [] },
    audit: [{ at: '2027-03-02T02:00:00.000Z', by: 'system', role: 'system', action: 'close', detail: '办结归档' }],
  }) as unknown as VisitCase;

describe('letters and the archive in a bucket, shared by two hosts', () => {
  const a = () => hosts.a;
  const b = () => hosts.b;
  const hosts = {} as Record<'a' | 'b', ReturnType<typeof host>>;
  let doc: RenderResult;

  beforeAll(() => {
    hosts.a = host('a');
    hosts.b = host('b');
  });

  it('host A renders a letter into the bucket: its key is the path, no local file', async () => {
    doc = (await env.run(a().activities.renderDocument, {
      kind: 'opinion' as const,
      caseId: CASE,
      key: 'final',
      data: exampleData('opinion') as never,
    })) as RenderResult;
    expect(doc.path).toBe(`archive/${CASE}/${doc.documentId}.pdf`);
    const stored = await objectBytes(doc.path);
    expect(stored.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha256Hex(stored)).toBe(doc.sha256);
    expect(readdirSync(a().dataDir)).toEqual([]);
  }, 60_000);

  it('host B attaches it, by the key and by an old run’s absolute path elsewhere, and its outbox copy goes to the bucket', async () => {
    const ref = { path: doc.path, sha256: doc.sha256, filename: '意见书.pdf', contentType: 'application/pdf' };
    // What the activity did before the store: open the recorded path on this host. Nothing is there.
    expect(await failureOf(loadAttachments([ref]))).toMatchObject({ type: FailureType.IntegrityError });
    const [byKey] = await loadAttachments([ref], b().archive);
    expect(sha256Hex(byKey!.content)).toBe(doc.sha256);
    const old = { ...ref, path: `/srv/old-host/data/archive/${CASE}/${doc.documentId}.pdf` };
    expect(sha256Hex((await loadAttachments([old], b().archive))[0]!.content)).toBe(doc.sha256);

    const sent = await b().activities.sendLetter({
      workflowId: CASE,
      step: 'letter',
      recipient: 'yjj@xiangshan.example.cn',
      to: [{ name: '香山县应急管理局', address: 'yjj@xiangshan.example.cn' }],
      cc: [],
      content: letterMailContent({
        recipientName: '香山县应急管理局',
        title: '安全生产执法指导意见书',
        docNumber: '河应急指〔2027〕1号',
        bureauName: '河洛市应急管理局',
        issuedOn: '2027-03-02',
        dueDate: '2027-04-01',
        contact: { name: '周明', phone: '0379-6321-1234' },
      }),
      attachments: [ref],
      sender: { name: '河洛市应急管理局', address: 'zhidao@heluo.example.cn' },
    });
    expect(sent.transport).toBe('outbox');
    const eml = (await b().store.list('outbox/')).filter((k) => k.endsWith('.eml'));
    expect(eml).toHaveLength(1);
    const parsed = await simpleParser(await objectBytes(eml[0]!));
    expect(sha256Hex(parsed.attachments[0]!.content)).toBe(doc.sha256);
    expect(readdirSync(b().dataDir).filter((f) => f !== 'sent-log')).toEqual([]);
  }, 60_000);

  it('host B archives the case; host A verifies, reads and lists it', async () => {
    const r = (await env.run(b().activities.archiveCase, { caseId: CASE, state: caseOf(doc) })) as ArchiveResult;
    expect(r.dir).toBe(`archive/${CASE}`);
    expect(await b().store.list(`archive/${CASE}/`)).toEqual(
      [
        `${doc.documentId}.pdf`,
        'MANIFEST.sha256',
        'audit-log.json',
        'case.json',
        'deliveries.json',
        'evidence-manifest.json',
      ]
        .map((f) => `archive/${CASE}/${f}`)
        .sort(),
    );
    expect(await verifyArchive(a().archive, CASE)).toEqual({
      caseId: CASE,
      ok: true,
      changed: [],
      missing: [],
      notAsRecorded: [],
      unlisted: [],
    });
    const read = await readArchivedCase(a().archive, CASE);
    expect(read).toMatchObject({ manifestSha256: r.manifestSha256, files: r.files });
    expect(read!.case.letter!.document.sha256).toBe(doc.sha256);
    expect((await listArchivedCases(a().archive)).map((e) => [e.caseId, e.archived?.files])).toEqual([[CASE, 5]]);
    expect(readdirSync(a().dataDir)).toEqual([]);
  }, 60_000);

  it.each([
    ['replaced (new bytes, no checksum)', false],
    ['damaged under the stored checksum', true],
  ])('a letter %s in the bucket is refused: attach, archive, verify', async (_how, keepSha) => {
    const restore = await tamper(doc.path, keepSha);
    const ref = { path: doc.path, sha256: doc.sha256, filename: '意见书.pdf', contentType: 'application/pdf' };
    expect(await failureOf(loadAttachments([ref], a().archive))).toMatchObject({ type: FailureType.IntegrityError });
    const f = await failureOf(env.run(a().activities.archiveCase, { caseId: CASE, state: caseOf(doc) }));
    expect(f).toMatchObject({ type: FailureType.IntegrityError, nonRetryable: true });
    expect(f.message).toContain(`已被修改 ${doc.documentId}.pdf`);
    const v = await verifyArchive(b().archive, CASE);
    expect(v.ok).toBe(false);
    expect([...v.changed, ...v.notAsRecorded]).toContain(`${doc.documentId}.pdf`);
    await restore();
    expect((await verifyArchive(b().archive, CASE)).ok).toBe(true);
  });

  it('a case.json altered in the bucket is not believed; a missing letter is named', async () => {
    const restore = await tamper(`archive/${CASE}/case.json`, false);
    await expect(readArchivedCase(b().archive, CASE)).rejects.toBeInstanceOf(ArchiveIntegrityError);
    expect((await listArchivedCases(b().archive))[0]).toMatchObject({ caseId: CASE, problem: expect.any(String) });
    await restore();
    const bytes = await objectBytes(doc.path);
    await b().store.delete(doc.path);
    expect(await verifyArchive(a().archive, CASE)).toMatchObject({ ok: false, missing: [`${doc.documentId}.pdf`] });
    await b().store.put(doc.path, bytes);
    expect((await readArchivedCase(a().archive, CASE))?.case.caseId).toBe(CASE);
  });

  it('a programme archive written by one host is read and verified by the other', async () => {
    const id = 'guidance-2027-heluo';
    const state = { year: 2027, bureau: 'heluo', entries: [], bulletins: [] } as unknown as ProgrammeState;
    const index = { programmeWorkflowId: id, year: 2027, bureau: 'heluo', updatedAt: 'now', cases: {} };
    await writeProgrammeArchive({ archive: a().archive, id }, { state, numbers: {}, index, deliveries: [] });
    expect((await readArchivedProgramme(b().archive, id))?.state).toEqual(state);
    const tree = await verifyArchiveTree(b().archive);
    expect(tree.map((r) => [r.caseId, r.ok])).toEqual([
      [id, true],
      [CASE, true],
    ]);
  });
});
