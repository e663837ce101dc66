/**
 * The year's archive index, without a Temporal server: a case folder rewritten together with its
 * manifest passes its own manifest (the hole) but not the index the programme's archive keeps, and
 * `guidance archive verify` says so; the programme's own records read back only as their manifest
 * lists them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ArchiveIntegrityError, CASE_FILE, MANIFEST, verifyArchive } from '../activities/archive';
import { INDEX_FILE, PROGRAMME_FILE, verifyArchiveTree, type ArchiveIndex } from '../activities/archive-index';
import { readArchivedProgramme, writeProgrammeArchive } from '../activities/archive-programme';
import type { ProgrammeState } from '../workflows/contracts/programme';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const PROGRAMME = 'guidance-2027-heluo';
const CASE = 'visit-2027-heluo-xiangshan';

/** A case folder as archiveCase leaves it: its records and a manifest over them. */
async function writeCase(root: string, caseId: string, stage: string): Promise<string> {
  const dir = path.join(root, caseId);
  await fsp.mkdir(dir, { recursive: true });
  const record = `${JSON.stringify({ caseId, year: 2027, bureau: 'heluo', county: 'xiangshan', countyName: '香山县', date: '2027-03-01', stage, evidence: [], approval: { rounds: [] }, audit: [] }, null, 2)}\n`;
  await fsp.writeFile(path.join(dir, CASE_FILE), record);
  const manifest = `${sha(record)}  ${CASE_FILE}\n`;
  await fsp.writeFile(path.join(dir, MANIFEST), manifest);
  return sha(manifest);
}

const state = {
  year: 2027,
  bureau: 'heluo',
  bureauName: '河洛市应急管理局',
  today: '2027-12-01',
  entries: [],
  bends: [],
  audit: [],
  finished: true,
  progress: {},
  bulletins: [],
  digests: [],
  incidents: [],
} as unknown as ProgrammeState;

/** A year: one archived case and the programme's archive whose index records its manifest. */
async function year(): Promise<{ root: string; recorded: string }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'archive-index-'));
  const recorded = await writeCase(root, CASE, 'closed');
  const index: ArchiveIndex = {
    programmeWorkflowId: PROGRAMME,
    year: 2027,
    bureau: 'heluo',
    updatedAt: '2027-12-01T00:00:00Z',
    cases: { [CASE]: { manifestSha256: recorded, source: 'workflow', recordedAt: '2027-12-01T00:00:00Z' } },
  };
  await writeProgrammeArchive(path.join(root, PROGRAMME), { state, numbers: {}, index, deliveries: [] });
  return { root, recorded };
}

const cli = (...args: string[]) =>
  run(process.execPath, ['-r', 'tsx/cjs', 'client/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: `${err.stdout}${err.stderr}`,
    }),
  );

describe('archive verify against the year index', () => {
  it('an untouched year verifies', async () => {
    const { root } = await year();
    const results = await verifyArchiveTree(root);
    expect(results.map((r) => [r.caseId, r.ok])).toEqual([
      [PROGRAMME, true],
      [CASE, true],
    ]);
    expect(results[0]!.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a case rewritten with its manifest: its own manifest agrees, the index does not; the CLI reports it', async () => {
    const { root, recorded } = await year();
    await writeCase(root, CASE, 'cancelled');
    // The hole: the folder is consistent with itself.
    expect((await verifyArchive(path.join(root, CASE))).ok).toBe(true);
    const [, r] = await verifyArchiveTree(root);
    expect(r).toMatchObject({ caseId: CASE, ok: false, changed: [], missing: [] });
    expect(r!.notAsIndexed).toEqual([expect.stringContaining(recorded.slice(0, 16))]);
    // The same folder asked for alone is still checked against every year's index.
    expect((await verifyArchiveTree(root, CASE))[0]!.ok).toBe(false);

    const out = await cli('archive', 'verify', '--dir', root);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`✗ ${CASE}：与年度归档索引不符 ${MANIFEST}`);
    expect(out.stdout).toContain(`✓ ${PROGRAMME}`);
    const one = await cli('archive', 'verify', CASE, '--dir', root, '--json');
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout.slice(0, one.stdout.lastIndexOf(']') + 1))).toMatchObject([
      { caseId: CASE, ok: false },
    ]);
  }, 60_000);

  it('an index rewritten without its manifest, or a case folder the index names that is gone, is reported', async () => {
    const { root } = await year();
    await fsp.writeFile(path.join(root, PROGRAMME, INDEX_FILE), JSON.stringify({ cases: {} }));
    expect((await verifyArchiveTree(root))[0]).toMatchObject({ caseId: PROGRAMME, ok: false, changed: [INDEX_FILE] });

    const second = await year();
    await fsp.rm(path.join(second.root, CASE), { recursive: true });
    expect(await verifyArchiveTree(second.root)).toEqual([
      expect.objectContaining({ caseId: PROGRAMME, ok: false, indexedMissing: [CASE] }),
    ]);
  });
});

describe('the programme read back from its archive', () => {
  it('reads its state and register; a programme never archived is undefined; a record not as listed is refused', async () => {
    const { root } = await year();
    const p = await readArchivedProgramme(root, PROGRAMME);
    expect(p).toMatchObject({ state: { bureauName: '河洛市应急管理局', finished: true }, numbers: {}, files: 4 });
    expect(await readArchivedProgramme(root, 'guidance-2026-heluo')).toBeUndefined();
    await fsp.writeFile(path.join(root, PROGRAMME, PROGRAMME_FILE), JSON.stringify({ ...state, finished: false }));
    await expect(readArchivedProgramme(root, PROGRAMME)).rejects.toBeInstanceOf(ArchiveIntegrityError);
  });
});
