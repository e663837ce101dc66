/**
 * Evidence (证据材料) and the receipt links' key in an S3 bucket (issue 24), on a real
 * S3-compatible server (moto, worker/moto.ts, on a loopback port for this file): two "hosts" —
 * each its own configuration with its own empty data directory, its own client and EvidenceStore
 * over the same bucket — see one store. A file put through one is there, intact and readable
 * through the other; a pin taken through one keeps the file through the other's release, even
 * when it lands in the middle of it; a refused file leaves nothing in the bucket (fast-check over
 * the bytes and names people upload); racing processes agree on one receipt-link key.
 * Over 300 lines: the evidence and the key share this file's one moto.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptLinkKey, receiptLinkKeyFrom } from '../activities/email/receipt-link';
import { EvidenceError, EvidenceStore, OUTGOING } from '../activities/evidence/store';
import { sweepPins } from '../activities/evidence/sweep';
import { LocalDiskStore, storeFromConfig, type ObjectStore } from '../activities/storage';
import { loadConfig } from '../config/env';
import { startMoto, type MotoServer } from '../worker/moto';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const CASE = 'visit-2031-hl-xiangshan';
let moto: MotoServer;
let buckets = 0;
const ROOT = mkdtempSync(path.join(tmpdir(), 'evidence-s3-test-'));

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(ROOT, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let n = 0;
const pdf = () => Buffer.from(`%PDF-1.4\n% s3 ${n++} ${Math.random()}\n%%EOF\n`);

async function newBucket(): Promise<string> {
  const bucket = `evidence-${++buckets}`;
  const client = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return bucket;
}

/** One host of a cluster: its own empty data directory, the shared bucket by configuration. */
function host(bucket: string): { objects: ObjectStore; dataDir: string } {
  const dataDir = mkdtempSync(path.join(ROOT, 'host-'));
  const env = {
    GUIDANCE_DATA_DIR: dataDir,
    GUIDANCE_STORAGE: 's3',
    GUIDANCE_S3_BUCKET: bucket,
    GUIDANCE_S3_ENDPOINT: moto.endpoint,
    GUIDANCE_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    GUIDANCE_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
  return { objects: storeFromConfig(loadConfig(env, dataDir), env), dataDir };
}

/** Two hosts' evidence stores over one fresh bucket. */
async function twoHosts(maxBytes?: number) {
  const bucket = await newBucket();
  const [a, b] = [host(bucket), host(bucket)];
  const opts = maxBytes ? { maxBytes } : {};
  return {
    a: new EvidenceStore({ objects: a.objects, ...opts }),
    b: new EvidenceStore({ objects: b.objects, ...opts }),
    dirs: [a.dataDir, b.dataDir],
    keys: () => a.objects.list(''),
  };
}

describe('evidence in a bucket shared by two hosts', () => {
  it('a file stored through one host is found, intact and readable through the other; nothing lands on either disk', async () => {
    const { a, b, dirs, keys } = await twoHosts();
    const bytes = pdf();
    const file = path.join(ROOT, '检查记录.pdf');
    writeFileSync(file, bytes);
    const stored = await a.put({ path: file }, undefined, { pin: { caseId: CASE } });
    expect(stored).toMatchObject({ sha256: sha(bytes), size: bytes.length, mediaType: 'application/pdf' });

    expect(await b.has(stored.sha256)).toBe(true);
    expect(await b.verify(stored.sha256)).toBe(true);
    const read = await b.read(stored.sha256);
    expect('bytes' in read && read.bytes.equals(bytes)).toBe(true);
    expect(await b.stat(stored.sha256)).toMatchObject({ size: bytes.length, mediaType: 'application/pdf' });
    expect(await b.pins.read(stored.sha256, stored.pin)).toMatchObject({ caseId: CASE });
    // The same content through the other host is recognised, not stored twice.
    expect(await b.put({ bytes }, 'copy.pdf')).toMatchObject({ sha256: stored.sha256, deduplicated: true });
    expect((await keys()).filter((k) => k.startsWith('evidence/'))).toEqual([
      `evidence/${stored.sha256.slice(0, 2)}/${stored.sha256}`,
    ]);
    for (const dir of dirs) expect(readdirSync(dir)).toEqual([]);
  });

  it('a pin taken through one host keeps the file through the other host’s release, whichever lets go first', async () => {
    for (const writerFirst of [true, false]) {
      const { a, b } = await twoHosts();
      const bytes = pdf();
      const onA = await a.put({ bytes }, 'a.pdf', { pin: { caseId: CASE } });
      const onB = await b.put({ bytes }, 'b.pdf', { pin: { caseId: 'visit-2031-hl-qinghe' } });
      expect([onA.deduplicated, onB.deduplicated]).toEqual([false, true]);
      const [[first, firstPin], [second, secondPin]] = writerFirst
        ? [
            [a, onA.pin],
            [b, onB.pin],
          ]
        : [
            [b, onB.pin],
            [a, onA.pin],
          ];
      expect(await first.release(onA.sha256, firstPin)).toBe(false);
      expect(await a.verify(onA.sha256)).toBe(true);
      expect(await b.verify(onA.sha256)).toBe(true);
      expect(await second.release(onA.sha256, secondPin)).toBe(true);
      expect(await a.has(onA.sha256)).toBe(false);
      expect(await b.has(onA.sha256)).toBe(false);
    }
  });

  it('an upload on the other host pinning in the middle of a release gets the file back, and nothing is left aside', async () => {
    const { a, b, keys } = await twoHosts();
    const bytes = pdf();
    const mine = await a.put({ bytes }, 'a.pdf', { pin: { caseId: CASE } });
    // Host B's upload lands after A moved the file aside and before A reads the pins again: it
    // finds the file absent and writes its own copy; A must put its copy back and remove neither.
    const list = a.pins.list.bind(a.pins);
    let calls = 0;
    let late: Awaited<ReturnType<typeof b.put>> | undefined;
    a.pins.list = async (hash: string) => {
      if (++calls === 2) late = await b.put({ bytes }, 'late.pdf', { pin: { caseId: CASE } });
      return list(hash);
    };
    expect(await a.release(mine.sha256, mine.pin)).toBe(false);
    expect(late).toMatchObject({ deduplicated: false });
    expect(await b.verify(mine.sha256)).toBe(true);
    expect(await b.pins.list(mine.sha256)).toEqual([late!.pin]);
    expect((await keys()).filter((k) => k.includes(OUTGOING))).toEqual([]);
  });

  it.each([
    ['on two hosts over the bucket', () => twoHosts()],
    [
      'of two stores over one data directory',
      async () => {
        const dataDir = mkdtempSync(path.join(ROOT, 'shared-'));
        return {
          a: new EvidenceStore({ dir: path.join(dataDir, 'evidence') }),
          b: new EvidenceStore({ objects: new LocalDiskStore(dataDir) }),
        };
      },
    ],
  ])('racing releases and pinned uploads %s never leave a pinned upload without its file', async (_label, stores) => {
    const { a, b } = await stores();
    for (let round = 0; round < 24; round++) {
      const bytes = pdf();
      const first = await a.put({ bytes }, 'a.pdf', { pin: { caseId: CASE } });
      // B's upload starts at a different point of A's release each round (a release is ~6 requests).
      const [, again] = await Promise.all([
        a.release(first.sha256, first.pin),
        sleep(round % 12).then(() => b.put({ bytes }, 'b.pdf', { pin: { caseId: CASE } })),
      ]);
      expect(await a.verify(again.sha256)).toBe(true);
    }
  });

  it('the sweep on one host puts back a file a crash left aside on the other, and removes one nothing pins', async () => {
    const { a, b, keys } = await twoHosts();
    const kept = await a.put({ bytes: pdf() }, 'kept.pdf', { pin: { caseId: CASE } });
    await a.accept(kept.sha256, kept.pin);
    const gone = await a.put({ bytes: pdf() }, 'gone.pdf', { pin: { caseId: CASE } });
    // As a release leaves them if its process dies between moving the file aside and the last look at the pins.
    for (const f of [kept, gone]) {
      await a.objects.put(`evidence/${OUTGOING}${f.sha256}-0-0000`, (await a.objects.get(a.keyOf(f.sha256)))!);
      await a.objects.delete(a.keyOf(f.sha256));
    }
    await a.pins.remove(gone.sha256, gone.pin);
    const report = await sweepPins(b, {
      graceMs: 3_600_000,
      references: async () => new Set([kept.sha256]),
    });
    expect(report.restored).toBe(2);
    expect(await a.verify(kept.sha256)).toBe(true);
    expect(await a.has(gone.sha256)).toBe(false);
    expect((await keys()).filter((k) => k.includes(OUTGOING) || k.includes(gone.sha256))).toEqual([]);
  });

  it('whatever bytes and name people upload: stored and readable through the other host, or refused leaving the bucket as it was', async () => {
    const { a, b, keys } = await twoHosts(2048);
    const before = await keys();
    const upload = fc.record({
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc.uint8Array({ maxLength: 3000 }).map((x) => Buffer.concat([Buffer.from('%PDF-1.7\n'), x])),
      ),
      name: fc.string({ maxLength: 40 }),
      pinned: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(upload, async ({ bytes, name, pinned }) => {
        const listed = await keys();
        let stored;
        try {
          stored = pinned
            ? await a.put({ bytes: Buffer.from(bytes) }, name, { pin: { caseId: CASE } })
            : await a.put({ bytes: Buffer.from(bytes) }, name);
        } catch (e) {
          expect(e).toBeInstanceOf(EvidenceError);
          expect(['Empty', 'TooLarge', 'TypeRefused']).toContain((e as EvidenceError).code);
          expect(await keys()).toEqual(listed);
          return;
        }
        expect(stored.sha256).toBe(sha(bytes));
        const read = await b.read(stored.sha256);
        expect('bytes' in read && read.bytes.equals(Buffer.from(bytes))).toBe(true);
        if (stored.pin) await a.release(stored.sha256, stored.pin);
      }),
      { numRuns: 40 },
    );
    // Every pinned upload was released and every unpinned one kept: only unpinned files remain.
    expect(
      (await keys()).filter((k) => !before.includes(k) && !/^evidence\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(k)),
    ).toEqual([]);
  });

  it('a file too large or of a refused type leaves nothing in the bucket, pinned or not', async () => {
    const { a, keys } = await twoHosts(1024);
    const file = path.join(ROOT, 'big.pdf');
    writeFileSync(file, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048)]));
    for (const put of [
      () => a.put({ path: file }, undefined, { pin: { caseId: CASE } }),
      () => a.put({ bytes: Buffer.from('<html><body>不是PDF</body></html>') }, '记录.pdf', { pin: { caseId: CASE } }),
      () => a.put({ bytes: Buffer.alloc(0) }, '空.pdf'),
    ])
      await expect(put()).rejects.toBeInstanceOf(EvidenceError);
    expect(await keys()).toEqual([]);
  });
});

describe('the receipt links’ key in the object store', () => {
  it('processes racing on an empty bucket all get the one key stored there', async () => {
    const bucket = await newBucket();
    const hosts = Array.from({ length: 8 }, () => host(bucket).objects);
    const keys = await Promise.all(hosts.map((objects) => receiptLinkKeyFrom({ objects })));
    const stored = Buffer.from((await hosts[0]!.get('receipt-link.key'))!).toString('utf8');
    expect(new Set(keys.map((k) => k.toString('hex')))).toEqual(new Set([stored]));
    expect(keys[0]!.length).toBe(32);
    // A later start reads the same key.
    expect((await receiptLinkKeyFrom({ objects: host(bucket).objects })).toString('hex')).toBe(stored);
  });

  it('worker and dashboard processes starting together on several hosts (receiptKeyFromConfig) agree on one key', async () => {
    const bucket = await newBucket();
    const at = Date.now() + 5000;
    const config = path.join(__dirname, '..', 'activities', 'email', 'config.ts');
    const script = `
      const { receiptKeyFromConfig } = require(${JSON.stringify(config)});
      while (Date.now() < ${at}) {}
      receiptKeyFromConfig().then((k) => process.stdout.write(k.toString('hex')));`;
    const one = () =>
      new Promise<string>((resolve, reject) => {
        const { dataDir } = host(bucket);
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          GUIDANCE_DATA_DIR: dataDir,
          GUIDANCE_STORAGE: 's3',
          GUIDANCE_S3_BUCKET: bucket,
          GUIDANCE_S3_ENDPOINT: moto.endpoint,
          GUIDANCE_S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          GUIDANCE_S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        };
        delete env.GUIDANCE_RECEIPT_SECRET;
        execFile(process.execPath, ['--import', 'tsx', '-e', script], { env }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout),
        );
      });
    const keys = await Promise.all(Array.from({ length: 4 }, one));
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    expect(Buffer.from((await host(bucket).objects.get('receipt-link.key'))!).toString('utf8')).toBe(keys[0]);
  }, 60_000);

  it('a key object without a usable key is replaced by one key that racing processes agree on', async () => {
    const bucket = await newBucket();
    const hosts = Array.from({ length: 6 }, () => host(bucket).objects);
    await hosts[0]!.put('receipt-link.key', Buffer.from('short'));
    const keys = await Promise.all(hosts.map((objects) => receiptLinkKeyFrom({ objects })));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    expect(Buffer.from((await hosts[0]!.get('receipt-link.key'))!).toString('utf8')).toBe(keys[0]!.toString('hex'));
  });

  it('on the local store: the data directory’s 0600 key file, the same key receiptLinkKey reads', async () => {
    const dataDir = mkdtempSync(path.join(ROOT, 'local-'));
    const key = await receiptLinkKeyFrom({ objects: new LocalDiskStore(dataDir) });
    expect(receiptLinkKey({ dataDir }).equals(key)).toBe(true);
    expect(statSync(path.join(dataDir, 'receipt-link.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir)).toEqual(['receipt-link.key']);
    // The configured secret wins over any store.
    expect(
      (await receiptLinkKeyFrom({ secret: 'x'.repeat(32), objects: new LocalDiskStore(dataDir) })).toString(),
    ).toBe('x'.repeat(32));
  });
});
