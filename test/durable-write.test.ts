/**
 * The one durable write (activities/durable.ts) and the stores that go through it: the content is
 * there after a kill -9, a reader never sees half a file while it is replaced, no temp file is left
 * behind on success or on failure, and a folder's fsync ignores exactly the errno codes of
 * platforms that cannot sync a folder. The crash test kills a real child process with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { promises as fsp, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DIR_SYNC_UNSUPPORTED,
  renameDurable,
  syncDir,
  syncDirSync,
  TMP_MARK,
  writeFileDurable,
} from '../activities/durable';
import { SentLog, type SentLogRecord } from '../activities/email/sent-log';
import { writeToOutbox } from '../activities/email/transport';
import { Pins } from '../activities/evidence/pins';

afterEach(() => vi.restoreAllMocks());

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'durable-write-'));
const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** Every fsync of a file or folder and every rename made through node:fs promises, in order. */
function journal(): string[] {
  const ops: string[] = [];
  const realOpen = fsp.open.bind(fsp);
  const realRename = fsp.rename.bind(fsp);
  vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
    await realRename(from, to);
    ops.push(`rename ${path.basename(String(from))} -> ${path.basename(String(to))}`);
  });
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    const handle = await realOpen(...args);
    const name = String(args[0]);
    const { sync } = handle;
    handle.sync = async () => {
      await sync.apply(handle);
      ops.push(statSync(name).isDirectory() ? `syncdir ${path.basename(name)}` : `sync ${path.basename(name)}`);
    };
    return handle;
  });
  return ops;
}

/** Makes every file handle's fsync fail with `code`; folders too when `dirs`. */
function failingSync(code: string, dirs = false): void {
  const realOpen = fsp.open.bind(fsp);
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    const handle = await realOpen(...args);
    if (dirs === statSync(String(args[0])).isDirectory()) handle.sync = () => Promise.reject(errno(code));
    return handle;
  });
}

const leftovers = async (dir: string) => (await fsp.readdir(dir)).filter((n) => n.includes(TMP_MARK));

describe('writeFileDurable', () => {
  it('writes the content, fsyncs it before the rename and the folder after, and leaves no temp', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'record.json');
    const ops = journal();
    await writeFileDurable(file, '{"a":1}');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}');
    expect(await fsp.readdir(dir)).toEqual(['record.json']);
    const rename = ops.findIndex((o) => o.startsWith('rename') && o.endsWith('-> record.json'));
    expect(ops.slice(0, rename).some((o) => o.startsWith('sync record.json.tmp-'))).toBe(true);
    expect(ops.slice(rename)).toContain(`syncdir ${path.basename(dir)}`);
  });

  it('removes its temp and keeps the old file when the fsync fails', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'record.json');
    await writeFileDurable(file, 'old');
    failingSync('EIO');
    await expect(writeFileDurable(file, 'new')).rejects.toMatchObject({ code: 'EIO' });
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(await leftovers(dir)).toEqual([]);
  });

  it('removes its temp when the rename fails (the target is a folder)', async () => {
    const dir = tempDir();
    await fsp.mkdir(path.join(dir, 'taken'));
    await fsp.writeFile(path.join(dir, 'taken', 'x'), 'x');
    await expect(writeFileDurable(path.join(dir, 'taken'), 'data')).rejects.toThrow();
    expect(await fsp.readdir(dir)).toEqual(['taken']);
  });

  it('replaces a file atomically: a reader sees the old content or the new one, never a mix', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.txt');
    const versions = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(256 * 1024));
    await writeFileDurable(file, versions[0]!);
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) {
        const text = await fsp.readFile(file, 'utf8');
        expect(versions).toContain(text);
        seen.add(text[0]!);
      }
    })();
    for (let round = 0; round < 5; round++) for (const v of versions) await writeFileDurable(file, v);
    writing = false;
    await reader;
    expect(seen.size).toBeGreaterThan(1);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('survives kill -9 in the middle of rewriting: the file is always one whole version', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'record.txt');
    const script = `
      import { writeFileDurable } from ${JSON.stringify(path.resolve('activities/durable.ts'))};
      for (let i = 0; ; i++) {
        await writeFileDurable(${JSON.stringify(file)}, String(i).padStart(8, '0').repeat(32 * 1024));
        if (i === 3) process.stdout.write('ready\\n');
      }`;
    for (let run = 0; run < 3; run++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + run * 37));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const text = readFileSync(file, 'utf8');
      expect(text.length).toBe(8 * 32 * 1024);
      expect(text).toBe(text.slice(0, 8).repeat(32 * 1024));
    }
    // A killed writer may leave its temp (it never got to remove it); it is marked, never read as a record.
    expect((await fsp.readdir(dir)).filter((n) => !n.includes(TMP_MARK))).toEqual(['record.txt']);
  }, 60_000);
});

describe("a folder's fsync: one errno policy", () => {
  it('ignores exactly the codes of platforms that cannot sync a folder', async () => {
    expect([...DIR_SYNC_UNSUPPORTED].sort()).toEqual(['EBADF', 'EINVAL', 'EISDIR', 'EPERM']);
    const dir = tempDir();
    for (const code of DIR_SYNC_UNSUPPORTED) {
      failingSync(code, true);
      await expect(syncDir(dir)).resolves.toBeUndefined();
      vi.restoreAllMocks();
    }
    for (const code of ['EIO', 'ENOSPC', 'EACCES']) {
      failingSync(code, true);
      await expect(syncDir(dir)).rejects.toMatchObject({ code });
      vi.restoreAllMocks();
    }
  });

  it('a folder that cannot be opened on such a platform is skipped; a missing one is an error', async () => {
    const dir = tempDir();
    const realOpen = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) =>
      String(args[0]) === dir ? Promise.reject(errno('EISDIR')) : realOpen(...args),
    );
    await expect(syncDir(dir)).resolves.toBeUndefined();
    vi.restoreAllMocks();
    await expect(syncDir(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => syncDirSync(dir)).not.toThrow();
    expect(() => syncDirSync(path.join(dir, 'missing'))).toThrow(/ENOENT/);
  });

  it('renameDurable syncs the target folder and, when it differs, the source folder', async () => {
    const dir = tempDir();
    await fsp.mkdir(path.join(dir, 'shard'));
    await fsp.writeFile(path.join(dir, 'incoming'), 'bytes');
    const ops = journal();
    await renameDurable(path.join(dir, 'incoming'), path.join(dir, 'shard', 'final'));
    expect(ops).toEqual(['rename incoming -> final', 'syncdir shard', `syncdir ${path.basename(dir)}`]);
  });
});

describe('the stores go through it', () => {
  const record = (key: string): SentLogRecord => ({
    version: 1,
    key,
    messageId: '<m@x>',
    workflowId: 'visit-2027-heluo-qinghe',
    step: 'notice',
    recipient: 'a@b.cn',
    state: 'intent',
    transport: 'outbox',
    attempts: 1,
    date: 'Mon, 1 Mar 2027 09:00:00 +0800',
    firstAttemptAt: '2027-03-01T01:00:00.000Z',
    lastAttemptAt: '2027-03-01T01:00:00.000Z',
  });

  it('the sent-log: a failed fsync leaves the old record and no temp file', async () => {
    const dir = tempDir();
    const log = new SentLog(dir);
    const key = 'a'.repeat(64);
    await log.write(record(key));
    failingSync('EIO');
    await expect(log.write({ ...record(key), state: 'accepted' })).rejects.toMatchObject({ code: 'EIO' });
    vi.restoreAllMocks();
    expect((await log.read(key))?.state).toBe('intent');
    expect(await fsp.readdir(dir)).toEqual([`${key}.json`]);
  });

  it('the outbox: a failed fsync leaves no temp file beside the mail', async () => {
    const dir = tempDir();
    failingSync('EIO');
    await expect(writeToOutbox(dir, 'x.eml', Buffer.from('mail'))).rejects.toMatchObject({ code: 'EIO' });
    vi.restoreAllMocks();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('the evidence pins: an accepted pin is fsynced before it replaces the old one, and its folder after', async () => {
    const pins = new Pins(tempDir());
    const sha = 'b'.repeat(64);
    const id = await pins.add(sha, { caseId: 'visit-2027-heluo-qinghe' });
    const ops = journal();
    await pins.accept(sha, id);
    expect((await pins.read(sha, id))?.accepted).toBe(true);
    const rename = ops.findIndex((o) => o.startsWith('rename') && o.endsWith(`-> ${id}.json`));
    expect(rename).toBeGreaterThan(0);
    expect(ops[rename - 1]).toMatch(/^sync /);
    expect(ops.slice(rename)).toContain(`syncdir ${sha}`);
  });
});
