/**
 * A rendered letter survives a crash the moment its sha256 is recorded. The file system calls of
 * renderDocument are journalled (spies on node:fs promises and on the file handles it opens) and
 * replayed against the worst crash a POSIX disk allows: data not fsync'ed is lost, a rename whose
 * folder was not fsync'ed may or may not have reached the disk. What the activity returns must be
 * on the disk under its final name in every case: never an empty file whose hash the case already
 * holds (which `archiveCase` would then refuse for ever).
 */
import { promises as fsp, statSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocumentActivities } from '../../activities/documents';
import { exampleData } from '../../activities/documents/templates';
import { writeFileDurable } from '../../activities/durable';
import type { RenderResult } from '../../workflows/shared/documents';
import type { RenderDocumentInput } from '../../workflows/shared/render-document';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { SETUP_TIMEOUT, tempDir } from './helpers';

beforeAll(() => ensureDocumentTools(), SETUP_TIMEOUT);
afterEach(() => vi.restoreAllMocks());

type Op =
  | { t: 'write'; file: string }
  | { t: 'sync'; file: string }
  | { t: 'syncdir'; dir: string }
  | { t: 'rename'; from: string; to: string };

/** Records every write, fsync and rename made through node:fs promises until restored. */
function journal(): Op[] {
  const ops: Op[] = [];
  const realOpen = fsp.open.bind(fsp);
  const realRename = fsp.rename.bind(fsp);
  const realWriteFile = fsp.writeFile.bind(fsp);
  vi.spyOn(fsp, 'writeFile').mockImplementation(async (file, ...rest) => {
    ops.push({ t: 'write', file: String(file) });
    return realWriteFile(file, ...rest);
  });
  vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
    await realRename(from, to);
    ops.push({ t: 'rename', from: String(from), to: String(to) });
  });
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    const handle = await realOpen(...args);
    const name = String(args[0]);
    const { writeFile, write, sync } = handle;
    handle.writeFile = (...a: Parameters<typeof writeFile>) => (
      ops.push({ t: 'write', file: name }),
      writeFile.apply(handle, a)
    );
    handle.write = ((...a: unknown[]) => (
      ops.push({ t: 'write', file: name }),
      (write as (...x: unknown[]) => unknown).apply(handle, a)
    )) as typeof write;
    handle.sync = async () => {
      await sync.apply(handle);
      ops.push(statSync(name).isDirectory() ? { t: 'syncdir', dir: path.resolve(name) } : { t: 'sync', file: name });
    };
    return handle;
  });
  return ops;
}

/**
 * After the worst crash at the end of `ops`, is `file` on the disk with the data last written to
 * it? True only when the data was fsync'ed after its last write and the rename that put it under
 * `file` was followed by an fsync of the folder.
 */
function survivesCrash(ops: Op[], file: string): boolean {
  const last = (ok: (o: Op) => boolean) => ops.reduce((found, o, k) => (ok(o) ? k : found), -1);
  const i = last((o) => o.t === 'rename' && path.resolve(o.to) === path.resolve(file));
  const from = i >= 0 ? (ops[i] as { from: string }).from : file;
  const lastWrite = last((o) => o.t === 'write' && o.file === from);
  if (lastWrite < 0) return false;
  const dataSynced = ops.some((o, k) => k > lastWrite && o.t === 'sync' && o.file === from);
  const entrySynced =
    i < 0 || ops.some((o, k) => k > i && o.t === 'syncdir' && o.dir === path.dirname(path.resolve(file)));
  return dataSynced && entrySynced;
}

describe('durable writes', () => {
  it('the journal model: writeFile alone does not survive, writeFileDurable does', async () => {
    const dir = tempDir('model-');
    const ops = journal();
    await fsp.writeFile(path.join(dir, 'plain.txt'), 'x');
    await writeFileDurable(path.join(dir, 'durable.txt'), 'y');
    expect(survivesCrash(ops, path.join(dir, 'plain.txt'))).toBe(false);
    expect(survivesCrash(ops, path.join(dir, 'durable.txt'))).toBe(true);
    expect(await fsp.readFile(path.join(dir, 'durable.txt'), 'utf8')).toBe('y');
    expect(await fsp.readdir(dir)).toEqual(['durable.txt', 'plain.txt']);
  });

  it('renderDocument: the PDF whose sha256 it returns is fsynced, renamed, and its folder fsynced', async () => {
    const archiveDir = tempDir('archive-');
    const { renderDocument } = createDocumentActivities({ archiveDir });
    const input: RenderDocumentInput = {
      kind: 'urge',
      caseId: 'visit-2027-heluo-qinghe',
      key: 'rung-urge',
      data: exampleData('urge') as never,
    };
    const ops = journal();
    const result = (await new MockActivityEnvironment().run(renderDocument, input)) as RenderResult;
    vi.restoreAllMocks();
    expect(survivesCrash(ops, result.path)).toBe(true);
    // No temp file is left beside it.
    expect(await fsp.readdir(path.dirname(result.path))).toEqual([path.basename(result.path)]);
    expect((await fsp.stat(result.path)).size).toBe(result.bytes);
  });
});
