/**
 * The case archive without a Temporal server: the activity over a temp folder of PDFs and a case
 * record shaped like the workflow's. Every archive file is written by temp + fsync + rename + fsync
 * of the folder (a crash mid-manifest leaves no half manifest); a letter whose bytes differ from the
 * sha256 the case recorded is refused before archiving and reported by verify after; the archive
 * reads back as the case record.
 *
 * Over 300 lines because it is one subject's whole table of cases, sharing their fixtures;
 * split, the same fixtures would be written twice.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryNotRegisteredError, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ArchiveIntegrityError,
  type ArchiveResult,
  CASE_FILE,
  caseDocuments,
  MANIFEST,
  createArchiveActivities,
  listArchivedCases,
  readArchivedCase,
  verifyArchive,
} from '../activities/archive';
import { readCase } from '../client/record';
import type { RenderResult } from '../workflows/shared/documents';
import type { VisitCase } from '../workflows/contracts/visit';
import { failureOf } from './helpers/failure';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const RECORDS = [CASE_FILE, 'audit-log.json', 'evidence-manifest.json', 'deliveries.json'];

interface Fixture {
  root: string;
  dir: string;
  caseId: string;
  state: VisitCase;
  /** File names of the letters, by kind. */
  pdf: Record<'notice' | 'draft' | 'opinion' | 'reminder' | 'acceptance', string>;
}

/** A closed case of 香山县 with five letters rendered into its archive folder. */
async function fixture(
  caseId = `visit-2027-heluo-xiangshan${Math.random().toString(36).slice(2, 6)}`,
): Promise<Fixture> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'archive-'));
  const dir = path.join(root, caseId);
  await fsp.mkdir(dir, { recursive: true });
  const render = async (kind: string, key: string): Promise<RenderResult> => {
    const documentId = `${caseId}-${kind}-${key}`;
    const bytes = Buffer.from(`%PDF-1.4\n% ${documentId}\n%%EOF\n`);
    await fsp.writeFile(path.join(dir, `${documentId}.pdf`), bytes);
    return { documentId, path: path.join(dir, `${documentId}.pdf`), sha256: sha(bytes), pages: 1, bytes: bytes.length };
  };
  const notice = await render('notice', 'notice');
  const draft = await render('opinion', 'draft-1');
  const opinion = await render('opinion', 'final');
  const reminder = await render('reminder', 'd7');
  const acceptance = await render('acceptance', '1');
  const at = '2027-03-01T02:00:00.000Z';
  const state = {
    caseId,
    year: 2027,
    bureau: 'heluo',
    county: caseId.split('-').at(-1),
    countyName: '香山县',
    date: '2027-03-01',
    stage: 'closed',
    notice: { docNumber: '河应急指通〔2027〕1号', document: notice },
    evidence: [],
    findings: [],
    enterprises: [],
    approval: {
      approver: 'zheng-yuan',
      rounds: [{ draft, sentAt: at, decision: 'approved', by: 'zheng-yuan', at, reminders: [] }],
    },
    letter: { docNumber: '河应急指〔2027〕1号', issueDate: '2027-03-02', dueDate: '2027-04-01', document: opinion },
    rectification: {
      problems: ['问题一'],
      dueDate: '2027-04-01',
      rungIndex: -1,
      rung: 'none',
      overdue: false,
      reminders: [{ kind: 'reminder', date: '2027-03-25', document: reminder, daysBefore: 7 }],
      escalations: [],
      reports: [
        {
          no: 1,
          at,
          date: '2027-03-28',
          by: 'xiangshan-user',
          role: 'county',
          late: false,
          daysOverdue: 0,
          files: [],
          items: [{ index: 0, status: '整改完成' }],
          review: {
            decision: 'accept',
            by: 'sun-li',
            at,
            reasons: [],
            letter: { kind: 'acceptance', docNumber: '河应急验〔2027〕1号', date: '2027-03-29', document: acceptance },
          },
        },
      ],
      extensions: [],
      deductions: [],
      listedInBulletin: false,
      closedAt: at,
    },
    incidents: [],
    audit: [{ at, by: 'system', role: 'system', action: 'close', detail: '整改验收通过，案件办结归档' }],
  } as unknown as VisitCase;
  const name = (d: RenderResult) => `${d.documentId}.pdf`;
  return {
    root,
    dir,
    caseId,
    state,
    pdf: {
      notice: name(notice),
      draft: name(draft),
      opinion: name(opinion),
      reminder: name(reminder),
      acceptance: name(acceptance),
    },
  };
}

/** The activity as a worker runs it (refusals are expected here: the log shows errors only). */
function archive(f: Fixture, state: VisitCase = f.state, caseId = f.caseId): Promise<ArchiveResult> {
  const { archiveCase } = createArchiveActivities({ archiveDir: f.root });
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(archiveCase, {
    caseId,
    state,
  });
}

const manifestOf = async (dir: string) => fsp.readFile(path.join(dir, MANIFEST), 'utf8');
const exists = (file: string) =>
  fsp.access(file).then(
    () => true,
    () => false,
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('archiveCase: only the letters the case recorded, as recorded', () => {
  it('lists every letter with the sha256 the case recorded, and the records; verify agrees', async () => {
    const f = await fixture();
    const result = await archive(f);
    const manifest = await manifestOf(f.dir);
    for (const d of [f.state.notice!.document, f.state.letter!.document])
      expect(manifest).toContain(`${d.sha256}  ${d.documentId}.pdf`);
    for (const name of [...Object.values(f.pdf), ...RECORDS])
      expect(manifest).toMatch(new RegExp(`^[0-9a-f]{64}  ${name.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(result).toEqual({ dir: f.dir, manifestSha256: sha(manifest), files: 9 });
    expect(await verifyArchive(f.dir)).toEqual({
      caseId: f.caseId,
      ok: true,
      changed: [],
      missing: [],
      notAsRecorded: [],
      unlisted: [],
    });
  });

  it('refuses, non-retryably, a PDF altered before archiving, and writes nothing', async () => {
    const f = await fixture();
    await fsp.appendFile(path.join(f.dir, f.pdf.opinion), '% altered');
    const failure = await failureOf(archive(f));
    expect(failure.type).toBe('IntegrityError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`已被修改 ${f.pdf.opinion}`);
    expect(await exists(path.join(f.dir, MANIFEST))).toBe(false);
    expect(await exists(path.join(f.dir, CASE_FILE))).toBe(false);
  });

  it('refuses a letter the case recorded that is no longer in the folder', async () => {
    const f = await fixture();
    await fsp.rm(path.join(f.dir, f.pdf.acceptance));
    const failure = await failureOf(archive(f));
    expect(failure.type).toBe('IntegrityError');
    expect(failure.message).toContain(`缺失 ${f.pdf.acceptance}`);
  });

  it('does not bless a file the case never recorded: left out of the manifest, named by verify', async () => {
    const f = await fixture();
    await fsp.writeFile(path.join(f.dir, 'stray.pdf'), '%PDF-1.4 not a letter of this case');
    await archive(f);
    expect(await manifestOf(f.dir)).not.toContain('stray.pdf');
    expect(await verifyArchive(f.dir)).toMatchObject({ ok: true, unlisted: ['stray.pdf'] });
  });
});

describe('verifyArchive: the manifest and the case record', () => {
  it('reports a PDF altered after archiving', async () => {
    const f = await fixture();
    await archive(f);
    await fsp.appendFile(path.join(f.dir, f.pdf.reminder), '% altered');
    expect(await verifyArchive(f.dir)).toMatchObject({ ok: false, changed: [f.pdf.reminder], notAsRecorded: [] });
  });

  it('reports a PDF the manifest blesses but the case recorded otherwise', async () => {
    // What an engine that hashed whatever lay in the folder left behind, or a manifest redone by hand.
    const f = await fixture();
    await archive(f);
    const file = path.join(f.dir, f.pdf.opinion);
    await fsp.appendFile(file, '% altered');
    const blessed = (await manifestOf(f.dir)).replace(
      new RegExp(`^[0-9a-f]{64}(?=  ${f.pdf.opinion})`, 'm'),
      sha(await fsp.readFile(file)),
    );
    await fsp.writeFile(path.join(f.dir, MANIFEST), blessed);
    expect(await verifyArchive(f.dir)).toMatchObject({
      ok: false,
      changed: [],
      missing: [],
      notAsRecorded: [f.pdf.opinion],
    });
  });
});

describe('archive files are written atomically and durably', () => {
  /** Records the file-system calls archiveCase makes: opens, whole-file writes, fsyncs, renames. */
  async function recordCalls(dir: string) {
    const events: { op: 'open' | 'writeFile' | 'sync' | 'rename'; path: string; to?: string; flags?: string }[] = [];
    const handlePaths = new WeakMap<object, string>();
    const probe = await fsp.open(path.join(dir, '.probe'), 'w');
    const handleProto = Object.getPrototypeOf(probe) as { sync(): Promise<void>; datasync(): Promise<void> };
    await probe.close();
    await fsp.rm(path.join(dir, '.probe'));
    const open = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (file, flags, mode) => {
      const h = await open(file, flags, mode);
      handlePaths.set(h, String(file));
      events.push({ op: 'open', path: String(file), flags: String(flags ?? 'r') });
      return h;
    });
    const writeFile = fsp.writeFile.bind(fsp);
    vi.spyOn(fsp, 'writeFile').mockImplementation(async (file, data, options) => {
      events.push({ op: 'writeFile', path: String(file) });
      return writeFile(file, data, options);
    });
    const rename = fsp.rename.bind(fsp);
    vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      events.push({ op: 'rename', path: String(from), to: String(to) });
      return rename(from, to);
    });
    for (const name of ['sync', 'datasync'] as const) {
      const real = handleProto[name];
      vi.spyOn(handleProto, name).mockImplementation(function (this: object) {
        events.push({ op: 'sync', path: handlePaths.get(this) ?? '?' });
        return real.call(this);
      });
    }
    return events;
  }

  it('every record and the manifest: temp file, fsync, rename over the name, fsync of the folder; the manifest last', async () => {
    const f = await fixture();
    const events = await recordCalls(f.root);
    await archive(f);
    const renames = events.filter((e) => e.op === 'rename');
    for (const name of [...RECORDS, MANIFEST]) {
      const final = path.join(f.dir, name);
      // Never written in place.
      expect(
        events.filter((e) => e.path === final && (e.op === 'writeFile' || (e.op === 'open' && e.flags !== 'r'))),
        name,
      ).toEqual([]);
      const i = events.findIndex((e) => e.op === 'rename' && e.to === final);
      expect(i, `${name} renamed into place`).toBeGreaterThan(-1);
      const tmp = events[i]!.path;
      expect(path.dirname(tmp)).toBe(f.dir);
      expect(
        events.slice(0, i).some((e) => e.op === 'sync' && e.path === tmp),
        `${name}: temp file fsynced before the rename`,
      ).toBe(true);
      expect(
        events.slice(i + 1).some((e) => e.op === 'sync' && e.path === f.dir),
        `${name}: folder fsynced after the rename`,
      ).toBe(true);
      expect(await exists(tmp)).toBe(false);
    }
    expect(renames.at(-1)!.to).toBe(path.join(f.dir, MANIFEST));
    // The letters themselves were flushed before the manifest vouched for them.
    for (const pdf of Object.values(f.pdf))
      expect(
        events.some((e) => e.op === 'sync' && e.path === path.join(f.dir, pdf)),
        pdf,
      ).toBe(true);
  });

  /** Makes any write of manifest text stop halfway and throw, as a crash would. */
  async function crashMidManifest(dir: string) {
    const isManifest = (data: unknown) => /^[0-9a-f]{64} {2}\S/.test(String(data));
    const probe = await fsp.open(path.join(dir, '.probe'), 'w');
    const handleProto = Object.getPrototypeOf(probe) as { writeFile(data: string | Buffer): Promise<void> };
    await probe.close();
    await fsp.rm(path.join(dir, '.probe'));
    const realHandleWrite = handleProto.writeFile;
    vi.spyOn(handleProto, 'writeFile').mockImplementation(async function (this: object, data: string | Buffer) {
      if (!isManifest(data)) return realHandleWrite.call(this, data);
      await realHandleWrite.call(this, String(data).slice(0, 100));
      throw new Error('simulated crash while writing the manifest');
    });
    const writeFile = fsp.writeFile.bind(fsp);
    vi.spyOn(fsp, 'writeFile').mockImplementation(async (file, data, options) => {
      if (!isManifest(data)) return writeFile(file, data, options);
      await writeFile(file, String(data).slice(0, 100), options);
      throw new Error('simulated crash while writing the manifest');
    });
  }

  it('a crash while the first manifest is written leaves no manifest at all, and the case reads as incomplete', async () => {
    const f = await fixture();
    await crashMidManifest(f.root);
    await expect(archive(f)).rejects.toThrow(/simulated crash/);
    expect(await exists(path.join(f.dir, MANIFEST))).toBe(false);
    await expect(readArchivedCase(f.root, f.caseId)).rejects.toBeInstanceOf(ArchiveIntegrityError);
  });

  it('a crash while a manifest is rewritten (a retry) leaves the previous one whole', async () => {
    const f = await fixture();
    await archive(f);
    const before = await manifestOf(f.dir);
    await crashMidManifest(f.root);
    const later = {
      ...f.state,
      audit: [
        ...f.state.audit,
        { at: '2027-03-30T00:00:00.000Z', by: 'system', role: 'system' as const, action: 'note', detail: '重试' },
      ],
    };
    await expect(archive(f, later)).rejects.toThrow(/simulated crash/);
    expect(await manifestOf(f.dir)).toBe(before);
  });
});

describe('reading the archive back', () => {
  it('a closed case whose query fails (a history its worker cannot replay) is read from its archive; without one the error stands', async () => {
    const f = await fixture();
    const ref = { year: 2027, bureau: 'heluo', county: f.caseId.split('-').at(-1)! };
    // What a worker answers for a history it cannot replay: not NotFound, so the archive was not asked.
    const failing = new QueryNotRegisteredError('[TMPRL1100] Nondeterminism error: …', 1);
    const client = {
      workflow: { getHandle: () => ({ query: () => Promise.reject(failing) }) },
    } as unknown as Client;
    await expect(readCase(client, ref, f.root)).rejects.toBe(failing);
    await archive(f);
    const read = await readCase(client, ref, f.root);
    expect(read.source).toBe('archive');
    expect(read.case.caseId).toBe(f.caseId);
  });

  it('reads the case record; a case never archived is undefined; a case.json that differs from the manifest is refused', async () => {
    const f = await fixture();
    expect(await readArchivedCase(f.root, f.caseId)).toBeUndefined();
    expect(await readArchivedCase(f.root, '../etc')).toBeUndefined();
    const result = await archive(f);
    const read = await readArchivedCase(f.root, f.caseId);
    expect(read).toMatchObject({ manifestSha256: result.manifestSha256, files: 9 });
    expect(read!.case).toEqual(JSON.parse(JSON.stringify(f.state)));

    const file = path.join(f.dir, CASE_FILE);
    await fsp.writeFile(file, (await fsp.readFile(file, 'utf8')).replace('"closed"', '"rectification"'));
    await expect(readArchivedCase(f.root, f.caseId)).rejects.toThrow(/case\.json 与归档清单不符/);
  });

  it('lists the archived cases, and a case it cannot vouch for with the reason', async () => {
    const a = await fixture('visit-2027-heluo-xiangshan');
    await archive(a);
    // A visit cancelled before its notice: no letters, stage 'cancelled'.
    const b = {
      ...a.state,
      caseId: 'visit-2027-heluo-qinghe',
      county: 'qinghe',
      countyName: '清河县',
      stage: 'cancelled',
      notice: undefined,
      approval: { ...a.state.approval, rounds: [] },
      letter: undefined,
      rectification: undefined,
    };
    await archive(a, b as VisitCase, b.caseId);
    await fsp.mkdir(path.join(a.root, 'visit-2027-heluo-linchuan'));
    await fsp.writeFile(path.join(a.root, 'visit-2027-heluo-linchuan', CASE_FILE), '{}');
    await fsp.mkdir(path.join(a.root, 'guidance-2027-heluo')); // the programme's bulletins: not a case
    const list = await listArchivedCases(a.root);
    expect(list.map((e) => [e.caseId, e.archived?.case.countyName ?? e.problem])).toEqual([
      ['visit-2027-heluo-linchuan', expect.stringMatching(/归档不完整/)],
      ['visit-2027-heluo-qinghe', '清河县'],
      ['visit-2027-heluo-xiangshan', '香山县'],
    ]);
  });
});

describe('caseDocuments', () => {
  it('dates the notice by the day it went out in China, not by the UTC day of the instant', () => {
    const doc = {
      documentId: 'n1',
      path: '/x/n1.pdf',
      sha256: 'a'.repeat(64),
      pages: 1,
      bytes: 1,
      kind: 'notice',
    } as unknown as RenderResult;
    const c = {
      notice: {
        docNumber: '河洛应急函〔2027〕1号',
        document: doc,
        delivery: { completedAt: '2027-03-07T23:30:00.000Z' },
      },
      approval: { rounds: [] },
    } as unknown as VisitCase;
    expect(caseDocuments(c)[0]).toMatchObject({ kind: 'notice', date: '2027-03-08' });
  });
});

describe('the draw record (issue 22, point 3)', () => {
  it('the seed and roster hash the letter no longer prints stay in the archive: case.json and the audit log', async () => {
    const f = await fixture();
    const sample = {
      algorithm: 'sha256-weighted-v1',
      seed: '08424525-834b-4c1a-9f3e-2b7d1c0e5a6f',
      rosterSha256: '6'.repeat(64),
      size: 1,
      enterprises: [{ id: 'XIA-001', name: '香山利民机械制造有限公司', industry: '工贸', tier: '重点' }],
    };
    const drawn = {
      at: '2027-03-01T01:00:00.000Z',
      by: 'system',
      role: 'system' as const,
      action: 'sample',
      detail: `随机抽取企业：香山利民机械制造有限公司（种子 ${sample.seed}，名单 sha256 ${sample.rosterSha256.slice(0, 16)}…）`,
    };
    await archive(f, { ...f.state, sample, audit: [drawn, ...f.state.audit] } as VisitCase);
    const archived = JSON.parse(await fsp.readFile(path.join(f.dir, CASE_FILE), 'utf8')) as VisitCase;
    expect(archived.sample).toEqual(sample);
    const audit = JSON.parse(await fsp.readFile(path.join(f.dir, 'audit-log.json'), 'utf8')) as {
      action: string;
      detail: string;
    }[];
    expect(audit.find((e) => e.action === 'sample')!.detail).toContain(sample.seed);
    expect(await verifyArchive(f.dir)).toMatchObject({ ok: true });
  });
});
