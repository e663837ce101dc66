/**
 * The receipt links' key file (`<data dir>/receipt-link.key`): a file without a usable key (empty
 * after a full disk, short, not hex) is never signed with, it is replaced by 32 fresh random
 * bytes; a good key is kept; and processes that start together, on a missing or a bad file,
 * agree on one key (real child processes released at the same instant).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  receiptLinkKey,
  receiptToken,
  RECEIPT_KEY_BYTES,
  checkReceiptToken,
} from '../../activities/email/receipt-link';
import { tempDir } from './helpers';

const KEY_FILE = 'receipt-link.key';
const ROOT = path.resolve(__dirname, '../..');

/** The key file's key, as hex; the file must hold exactly the key the call returned. */
function onDisk(dir: string): string {
  return readFileSync(path.join(dir, KEY_FILE), 'utf8').trim();
}

describe('the receipt key file', () => {
  it('made on first use: 32 random bytes, mode 0600, nothing else left in the folder', () => {
    const dir = tempDir('guidance-key-');
    const key = receiptLinkKey({ dataDir: dir });
    expect(key.length).toBe(RECEIPT_KEY_BYTES);
    expect(onDisk(dir)).toBe(key.toString('hex'));
    if (process.platform !== 'win32') expect(statSync(path.join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([KEY_FILE]);
    expect(receiptLinkKey({ dataDir: dir }).equals(key)).toBe(true);
  });

  it.each([
    ['empty (a full disk, or read between create and write)', ''],
    ['only a newline', '\n'],
    ['short: 16 bytes', 'ab'.repeat(16)],
    ['not hex', 'z'.repeat(64)],
    ['an odd number of hex digits', 'a'.repeat(65)],
  ])('a file that is %s is refused and replaced by a fresh 32-byte key', (_what, content) => {
    const dir = tempDir('guidance-key-');
    writeFileSync(path.join(dir, KEY_FILE), content);
    const key = receiptLinkKey({ dataDir: dir });
    expect(key.length).toBeGreaterThanOrEqual(RECEIPT_KEY_BYTES);
    expect(onDisk(dir)).toBe(key.toString('hex'));
    expect(existsSync(path.join(dir, `${KEY_FILE}.lock`))).toBe(false);
    // A token forged with the empty key is not accepted.
    const forged = receiptToken(Buffer.alloc(0), {
      caseId: 'visit-2031-heluo-xin-cheng',
      receipt: 'R1',
      expires: '2099-12-31',
    });
    expect(checkReceiptToken(key, forged, '2031-01-01')).toEqual({ ok: false, reason: 'signature' });
  });

  it('a good key is kept', () => {
    const dir = tempDir('guidance-key-');
    const hex = 'c0ffee'.repeat(11).slice(0, 64);
    writeFileSync(path.join(dir, KEY_FILE), `${hex}\n`);
    expect(receiptLinkKey({ dataDir: dir }).toString('hex')).toBe(hex);
  });

  it('a configured secret shorter than 32 bytes is refused', () => {
    expect(() => receiptLinkKey({ secret: 'short', dataDir: tempDir('guidance-key-') })).toThrow(
      'GUIDANCE_RECEIPT_SECRET 至少需要 32 个字符',
    );
    expect(receiptLinkKey({ secret: 'x'.repeat(32), dataDir: tempDir('guidance-key-') }).toString()).toBe(
      'x'.repeat(32),
    );
  });

  /** Starts `n` processes that each wait for the same instant, then read the key; their answers. */
  async function race(dir: string, n: number): Promise<string[]> {
    const at = Date.now() + 4000;
    const script = `
      const { receiptLinkKey } = require(${JSON.stringify(path.join(ROOT, 'activities/email/receipt-link.ts'))});
      while (Date.now() < ${at}) {}
      process.stdout.write(receiptLinkKey({ dataDir: ${JSON.stringify(dir)} }).toString('hex'));`;
    const one = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
      });
    return Promise.all(Array.from({ length: n }, one));
  }

  it('processes starting together agree on one key, on a missing file and on an empty one', async () => {
    for (const setup of [() => {}, (dir: string) => writeFileSync(path.join(dir, KEY_FILE), '')]) {
      const dir = tempDir('guidance-key-race-');
      setup(dir);
      const keys = await race(dir, 6);
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(onDisk(dir)).toBe(keys[0]);
      expect(
        readdirSync(dir)
          .filter((f) => f !== KEY_FILE)
          .filter((f) => !f.endsWith('.lock')),
      ).toEqual([]);
    }
  }, 60_000);
});
