/**
 * The object storage contract (activities/storage): ONE suite, run against the local disk store
 * and against the S3 store on a real S3-compatible server (moto, worker/moto.ts, on a loopback
 * port for this file). Round trip of arbitrary bytes, head, list by prefix, delete, absent keys,
 * refused keys, putIfAbsent racing, and bytes read back raw exactly as written.
 * Over 300 lines: one subject (the storage contract) with one moto per file, its wire and
 * configuration cases beside it.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalDiskStore,
  S3Store,
  sha256Hex,
  StorageIntegrityError,
  StorageKeyError,
  storeFromConfig,
  type ObjectStore,
} from '../activities/storage';
import { ConfigError, loadConfig } from '../config/env';
import { startMoto, type MotoServer } from '../worker/moto';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
let moto: MotoServer;
let bucketCount = 0;
const tempDirs: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

const rawClient = (extra: Partial<S3ClientConfig> = {}) =>
  new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    ...extra,
  });

async function newS3Store(): Promise<S3Store> {
  const bucket = `contract-${++bucketCount}`;
  await rawClient().send(new CreateBucketCommand({ Bucket: bucket }));
  return new S3Store({ bucket, region: 'us-east-1', endpoint: moto.endpoint, credentials: CREDENTIALS });
}
function newLocalStore(): LocalDiskStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'storage-contract-'));
  tempDirs.push(dir);
  return new LocalDiskStore(dir);
}

/** One path segment: letters, digits, Chinese, a few marks; never `.`/`..` or the temp mark. */
const segment = fc
  .array(fc.constantFrom(...'abcxyz019-_.证据通知书 ()'), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(''))
  .filter((s) => s !== '.' && s !== '..' && !s.includes('.tmp-'));
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((ss) => ss.join('/'));
const bytes = fc.uint8Array({ maxLength: 4096 });

const BAD_KEYS = ['', '/abs', '/', 'a//b', 'a/', 'a/../b', '..', '../x', 'a/./b', '.', 'a\\b', 'x\0y', 'a/x.tmp-1'];

const implementations: [string, () => Promise<ObjectStore>][] = [
  ['LocalDiskStore', async () => newLocalStore()],
  ['S3Store (moto)', newS3Store],
];

describe.each(implementations)('%s', (_name, make) => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = await make();
  });

  it('gives back exactly the bytes put, with their size and sha256', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(key, bytes, async (k, b) => {
        const full = `rt/${++run}/${k}`;
        await store.put(full, b);
        expect(Buffer.from((await store.get(full))!).equals(Buffer.from(b))).toBe(true);
        expect(await store.head(full)).toEqual({ size: b.length, sha256: sha256Hex(b) });
      }),
      { numRuns: 40 },
    );
  });

  it('replaces an object whole, and refuses bytes that are not the sha256 given', async () => {
    await store.put('replace/x', Buffer.from('old'));
    await store.put('replace/x', Buffer.from('new'), {
      sha256: sha256Hex(Buffer.from('new')),
      contentType: 'text/plain',
    });
    expect(Buffer.from((await store.get('replace/x'))!).toString()).toBe('new');
    await expect(
      store.put('replace/x', Buffer.from('bad'), { sha256: sha256Hex(Buffer.from('other')) }),
    ).rejects.toThrow(StorageIntegrityError);
    await expect(store.putIfAbsent('replace/y', Buffer.from('bad'), { sha256: '0'.repeat(64) })).rejects.toThrow(
      StorageIntegrityError,
    );
    expect(Buffer.from((await store.get('replace/x'))!).toString()).toBe('new');
    expect(await store.get('replace/y')).toBeUndefined();
  });

  it('lists by string prefix, sorted', async () => {
    for (const k of ['ls/a/2', 'ls/a/1', 'ls/ab/3', 'ls/b/4', 'ls/a/deep/5']) await store.put(k, Buffer.from(k));
    expect(await store.list('ls/a/')).toEqual(['ls/a/1', 'ls/a/2', 'ls/a/deep/5']);
    expect(await store.list('ls/a')).toEqual(['ls/a/1', 'ls/a/2', 'ls/a/deep/5', 'ls/ab/3']);
    expect(await store.list('ls/')).toHaveLength(5);
    expect(await store.list('ls/zz/')).toEqual([]);
    expect(await store.list('nothing-here')).toEqual([]);
    expect(await store.list('')).toEqual(expect.arrayContaining(['ls/a/1', 'ls/b/4']));
  });

  it('deletes, and answers undefined for an absent key', async () => {
    await store.put('del/x', Buffer.from('x'));
    await store.delete('del/x');
    expect(await store.get('del/x')).toBeUndefined();
    expect(await store.head('del/x')).toBeUndefined();
    expect(await store.list('del/')).toEqual([]);
    await store.delete('del/x'); // again: nothing to do, no error
    expect(await store.get('never/was')).toBeUndefined();
    expect(await store.head('never/was')).toBeUndefined();
  });

  it('refuses bad keys with a clear error, for every operation', async () => {
    for (const bad of BAD_KEYS) {
      for (const op of [
        () => store.put(bad, Buffer.from('x')),
        () => store.putIfAbsent(bad, Buffer.from('x')),
        () => store.get(bad),
        () => store.head(bad),
        () => store.delete(bad),
      ]) {
        await expect(op(), JSON.stringify(bad)).rejects.toThrow(StorageKeyError);
      }
    }
    await expect(store.get('a/../b')).rejects.toThrow(/存储键不合法/);
    await expect(store.list('../')).rejects.toThrow(StorageKeyError);
    // Any key with a `..` segment, wherever it is.
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 3 }), fc.array(segment, { maxLength: 3 }), async (a, b) => {
        await expect(store.get([...a, '..', ...b].join('/'))).rejects.toThrow(StorageKeyError);
      }),
      { numRuns: 30 },
    );
  });

  it('putIfAbsent: of 20 racing writers exactly one creates the object, and its bytes are kept', async () => {
    const writers = Array.from({ length: 20 }, (_, i) => Buffer.from(`writer ${i} `.repeat(200 + i)));
    const results = await Promise.all(writers.map((b) => store.putIfAbsent('race/once', b)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = writers[results.indexOf(true)]!;
    expect(Buffer.from((await store.get('race/once'))!).equals(winner)).toBe(true);
    expect(await store.putIfAbsent('race/once', Buffer.from('late'))).toBe(false);
    expect(Buffer.from((await store.get('race/once'))!).equals(winner)).toBe(true);
    expect(await store.list('race/')).toEqual(['race/once']);
  });
});

describe('LocalDiskStore on disk', () => {
  it('leaves no temp file behind and keeps keys inside its root', async () => {
    const store = newLocalStore();
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.putIfAbsent('a/b', Buffer.from(String(i)))));
    expect(readdirSync(path.join(store.root, 'a'))).toEqual(['b']);
    expect(store.pathOf('x/y')).toBe(path.join(store.root, 'x', 'y'));
  });

  it('putIfAbsent across processes: of 4 × 5 racing writers exactly one creates the object', async () => {
    const store = newLocalStore();
    const script = [
      `const { LocalDiskStore } = require(${JSON.stringify(path.resolve(__dirname, '../activities/storage/local.ts'))});`,
      `const s = new LocalDiskStore(${JSON.stringify(store.root)});`,
      'Promise.all([0,1,2,3,4].map((i) => s.putIfAbsent("x/once", Buffer.from(process.pid + ":" + i))))',
      '  .then((r) => process.stdout.write(JSON.stringify(r)));',
    ].join('\n');
    const outputs = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<boolean[]>((resolve, reject) =>
            execFile(process.execPath, ['-r', 'tsx/cjs', '-e', script], (err, stdout) =>
              err ? reject(err) : resolve(JSON.parse(stdout) as boolean[]),
            ),
          ),
      ),
    );
    expect(outputs.flat().filter(Boolean)).toHaveLength(1);
    expect(Buffer.from((await store.get('x/once'))!).toString()).toMatch(/^\d+:\d$/);
    expect(readdirSync(path.join(store.root, 'x'))).toEqual(['once']);
  });

  it('refuses a key that would be both an object and a folder', async () => {
    const store = newLocalStore();
    await store.put('obj', Buffer.from('x'));
    await expect(store.put('obj/child', Buffer.from('y'))).rejects.toThrow(StorageKeyError);
    await store.put('dir/child', Buffer.from('y'));
    await expect(store.put('dir', Buffer.from('z'))).rejects.toThrow(StorageKeyError);
    expect(await store.get('dir')).toBeUndefined();
  });
});

describe('S3Store on the wire', () => {
  const raw = async (bucket: string, k: string) => {
    // The object as the server keeps it, through a bare client: no checksum handling of ours between.
    const out = await rawClient({ responseChecksumValidation: 'WHEN_REQUIRED' }).send(
      new GetObjectCommand({ Bucket: bucket, Key: k }),
    );
    expect(out.ContentEncoding ?? '').not.toMatch(/aws-chunked/);
    return Buffer.from(await out.Body!.transformToByteArray());
  };

  it('stores the bytes themselves (no aws-chunked framing), with their sha256 as checksum and metadata', async () => {
    const store = await newS3Store();
    const b = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    await store.put('wire/证据.bin', b);
    expect((await raw(store.bucket, 'wire/证据.bin')).equals(b)).toBe(true);
    const got = await rawClient().send(
      new GetObjectCommand({ Bucket: store.bucket, Key: 'wire/证据.bin', ChecksumMode: 'ENABLED' }),
    );
    expect(Buffer.from(got.ChecksumSHA256!, 'base64').toString('hex')).toBe(sha256Hex(b));
    expect(got.Metadata?.sha256).toBe(sha256Hex(b));
  });

  it('the server decodes a streamed aws-chunked upload (the SDK default for streams) rather than storing it', async () => {
    const store = await newS3Store();
    const b = Buffer.from('streamed evidence '.repeat(5000));
    await rawClient({ requestChecksumCalculation: 'WHEN_SUPPORTED' }).send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: 'wire/streamed',
        Body: Readable.from([b.subarray(0, 40_000), b.subarray(40_000)]),
        ContentLength: b.length,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const stored = await raw(store.bucket, 'wire/streamed');
    expect(stored.includes(Buffer.from('chunk-signature'))).toBe(false);
    expect(stored.includes(Buffer.from('x-amz-checksum'))).toBe(false);
    expect(stored.equals(b)).toBe(true);
    expect(await store.head('wire/streamed')).toEqual({ size: b.length, sha256: sha256Hex(b) });
  });

  it('keeps installations apart by key prefix within one bucket', async () => {
    const base = await newS3Store();
    const opts = { bucket: base.bucket, region: 'us-east-1', endpoint: moto.endpoint, credentials: CREDENTIALS };
    const a = new S3Store({ ...opts, keyPrefix: 'city-a' });
    const b = new S3Store({ ...opts, keyPrefix: 'city-b/' });
    await a.put('evidence/x', Buffer.from('a'));
    await b.put('evidence/x', Buffer.from('b'));
    expect(await a.list('')).toEqual(['evidence/x']);
    expect(Buffer.from((await b.get('evidence/x'))!).toString()).toBe('b');
    expect(await base.list('')).toEqual(['city-a/evidence/x', 'city-b/evidence/x']);
  });

  it('refuses to hand back an object whose bytes are not its recorded sha256', async () => {
    const store = await newS3Store();
    await rawClient().send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: 'wire/altered',
        Body: Buffer.from('altered'),
        Metadata: { sha256: sha256Hex(Buffer.from('original')) },
      }),
    );
    await expect(store.get('wire/altered')).rejects.toThrow(StorageIntegrityError);
  });
});

describe('storage configuration', () => {
  it('defaults to the data directory on local disk', () => {
    const config = loadConfig({ GUIDANCE_DATA_DIR: '/srv/guidance' }, '/');
    expect(config.storage).toEqual({ kind: 'local' });
    const store = storeFromConfig(config, {});
    expect(store).toBeInstanceOf(LocalDiskStore);
    expect((store as LocalDiskStore).root).toBe(path.resolve('/srv/guidance'));
  });

  it('builds the S3 store from the variables, the secret read by name and never kept', () => {
    const env = {
      GUIDANCE_STORAGE: 's3',
      GUIDANCE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      GUIDANCE_S3_BUCKET: 'guidance',
      GUIDANCE_S3_ACCESS_KEY_ID: 'id',
      GUIDANCE_S3_SECRET_ACCESS_KEY: 'very-secret',
    };
    const config = loadConfig(env, '/');
    expect(config.storage).toEqual({
      kind: 's3',
      bucket: 'guidance',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: 'id',
    });
    expect(JSON.stringify(config)).not.toContain('very-secret');
    expect(storeFromConfig(config, env)).toBeInstanceOf(S3Store);
    expect(() => storeFromConfig(config, { ...env, GUIDANCE_S3_SECRET_ACCESS_KEY: '' })).toThrow(
      /GUIDANCE_S3_SECRET_ACCESS_KEY/,
    );
  });

  it('refuses s3 without a bucket and an unknown kind, naming the variable', () => {
    expect(() => loadConfig({ GUIDANCE_STORAGE: 's3' }, '/')).toThrow(ConfigError);
    expect(() => loadConfig({ GUIDANCE_STORAGE: 's3' }, '/')).toThrow(/GUIDANCE_S3_BUCKET/);
    expect(() => loadConfig({ GUIDANCE_STORAGE: 'nfs' }, '/')).toThrow(/GUIDANCE_STORAGE/);
    expect(() =>
      loadConfig({ GUIDANCE_STORAGE: 's3', GUIDANCE_S3_BUCKET: 'b', GUIDANCE_S3_ENDPOINT: 'ftp://x' }, '/'),
    ).toThrow(/GUIDANCE_S3_ENDPOINT/);
  });
});
