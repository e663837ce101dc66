/**
 * Evidence is never lost (real HTTP server, real workflows on the time-skipping server): a file
 * stays in the store as long as a case may point at it, whatever the client saw of the Update,
 * and a genuinely refused upload leaves nothing behind — neither the file nor its pin.
 */
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceStore } from '../../activities/evidence/store';
import { sweepPins } from '../../activities/evidence/sweep';
import { createServer } from '../../client/http/server';
import { caseFilesById, visitOps } from '../../client/visit';
import type { VisitCase } from '../../workflows/contracts/visit';
import { listFiles, multipart, pdfBytes, sha256, skipTo, startStack, waitForCase, type Stack } from './helpers';

let s: Stack;
let store: EvidenceStore;
const XS = 'xiangshan';
const QH = 'qinghe';
const ref = (county: string) => ({ year: s.plan.year, bureau: s.plan.bureau.code, county });
const caseOf = (county: string) => visitOps.get(s.env.client, ref(county));

/** What the client does around each addEvidence Update; the real Update runs in `run`. */
type Around = (run: () => Promise<unknown>) => Promise<unknown>;

/** The stack's client, with every addEvidence Update going through `around` (nothing else changes). */
function clientAround(client: Client, around: Around): Client {
  const wrapHandle = (h: WorkflowHandle) =>
    new Proxy(h, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop !== 'executeUpdate' || typeof value !== 'function')
          return typeof value === 'function' ? value.bind(target) : value;
        return (def: { name: string }, ...rest: unknown[]) => {
          const run = () => (value as (...a: unknown[]) => Promise<unknown>).call(target, def, ...rest);
          return def.name === 'addEvidence' ? around(run) : run();
        };
      },
    });
  const workflow = new Proxy(client.workflow, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'getHandle')
        return (...args: Parameters<typeof target.getHandle>) => wrapHandle(target.getHandle(...args));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'workflow') return workflow;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A second HTTP server over the same store and workflows whose client goes through `around`. */
async function appAround(around: Around): Promise<{ app: FastifyInstance; cookie: string }> {
  const app = await createServer({
    client: clientAround(s.env.client, around),
    config: s.config,
    users: s.users,
    evidenceDir: s.evidenceDir,
    archiveDir: s.dirs.archiveDir,
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { id: 'sun-li', password: 'heluo-sun-li' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { app, cookie: String(res.headers['set-cookie']).split(';')[0]! };
}

function uploadEvidence(
  app: FastifyInstance,
  cookie: string,
  county: string,
  content: Buffer,
  filename = '现场照片.pdf',
): Promise<LightMyRequestResponse> {
  const m = multipart({ item: 'standard.archive' }, [{ name: 'file', filename, content }]);
  return app.inject({
    method: 'POST',
    url: `/api/years/${s.plan.year}/cases/${county}/evidence`,
    payload: m.payload,
    headers: { ...m.headers, cookie },
  });
}

/** The file is in the store, matches its hash, and the case's evidence list points at it. */
async function expectKept(c: VisitCase, bytes: Buffer) {
  const hash = sha256(bytes);
  expect(c.evidence.filter((e) => e.sha256 === hash)).toHaveLength(1);
  expect(await store.has(hash)).toBe(true);
  expect(await store.verify(hash)).toBe(true);
}

/** The file's pins: `count` of them, all held for the county's case and marked accepted. */
async function expectPinnedFor(county: string, bytes: Buffer, count: number) {
  const hash = sha256(bytes);
  const ids = await store.pins.list(hash);
  expect(ids).toHaveLength(count);
  const caseId = (await caseOf(county)).caseId;
  for (const id of ids) expect(await store.pins.read(hash, id)).toMatchObject({ caseId, accepted: true });
}

/** A promise and the function that resolves it. */
function signal(): [() => void, Promise<void>] {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return [resolve, done];
}

/** Everything on disk the store and its pins hold, to prove a refusal left nothing behind. */
const onDisk = () => ({ files: listFiles(s.evidenceDir), pins: listFiles(`${s.evidenceDir}.pins`) });

let main: { app: FastifyInstance; cookie: string };

beforeAll(async () => {
  s = await startStack();
  store = new EvidenceStore({ dir: s.evidenceDir });
  main = { app: s.app, cookie: '' };
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { id: 'sun-li', password: 'heluo-sun-li' },
  });
  main.cookie = String(res.headers['set-cookie']).split(';')[0]!;
  // 香山县 is on site (evidence accepted); 清河县's visit is a week later (evidence refused).
  await skipTo(s.env, s.dates[0]);
  await waitForCase(s, XS, (c) => c.stage === 'onsite', 'onsite');
});
afterAll(async () => {
  await s?.teardown();
});

describe('evidence is never lost', () => {
  // The Update reaches the workflow and is applied, but the reply never reaches the client.
  it.each([
    ['times out', () => new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout expired')],
    // A refusal that arrives for an Update which did apply: only the case can say what holds.
    [
      'comes back as a refusal',
      () =>
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.create({ type: 'InvalidState', message: '当前阶段不能添加证据材料', nonRetryable: true }),
        ),
    ],
  ])('keeps the file when the Update was applied but the reply %s', async (_label, lostReply) => {
    const { app, cookie } = await appAround(async (run) => {
      await run();
      throw lostReply();
    });
    try {
      const scan = pdfBytes('lost-reply');
      const res = await uploadEvidence(app, cookie, XS, scan);
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      // The cleanup has run (the request is answered); the case holds the file, so it stays.
      await expectKept(await caseOf(XS), scan);
      const download = await main.app.inject({
        method: 'GET',
        url: `/api/years/${s.plan.year}/cases/${XS}/files/${sha256(scan)}`,
        headers: { cookie: main.cookie },
      });
      expect(download.statusCode, download.body).toBe(200);
      expect(download.rawPayload.equals(scan)).toBe(true);
      await expectPinnedFor(XS, scan, 1);
    } finally {
      await app.close();
    }
  });

  // Two requests with the same file at once; one is held at its Update until the other has been
  // answered, so the interleaving is fixed. The content-addressed store writes the file once; the
  // Update that comes second is refused as a duplicate, and its cleanup must not remove the file.
  it.each([
    ['the upload that wrote the file', true],
    ['the upload that found it already stored', false],
  ])(
    'keeps the file shared by two identical uploads when %s is refused as a duplicate',
    async (_label, firstIsRefused) => {
      const [arrived, firstAtUpdate] = signal();
      const [release, gate] = signal();
      // The upload held at its Update until the other has been answered is the one refused.
      const held = firstIsRefused ? 0 : 1;
      let calls = 0;
      const { app, cookie } = await appAround(async (run) => {
        const n = calls++;
        if (n === 0) arrived();
        if (n === held) await gate;
        return run();
      });
      try {
        const scan = pdfBytes('twice');
        // The first request stores the file (nobody has it yet) and reaches its Update; the second,
        // sent meanwhile, finds the content already stored.
        const first = uploadEvidence(app, cookie, XS, scan, '案卷扫描.pdf');
        await firstAtUpdate;
        const second = uploadEvidence(app, cookie, XS, scan, '案卷扫描（副本）.pdf');
        const [accepted, refused] = firstIsRefused
          ? [await second, (release(), await first)]
          : [await first, (release(), await second)];
        expect(accepted.statusCode, accepted.body).toBe(200);
        expect(accepted.json().deduplicated).toBe(firstIsRefused);
        expect(refused.statusCode, refused.body).toBe(400);
        expect(refused.json().error.message).toMatch(/同一文件已作为证据 E\d+/);
        await expectKept(await caseOf(XS), scan);
        // Both pins stay, each marked as held for this case (the case points at the file).
        await expectPinnedFor(XS, scan, 2);
      } finally {
        release();
        await app.close();
      }
    },
  );

  it('keeps the file of an Update that timed out unapplied until the sweep finds that no case holds it', async () => {
    const { app, cookie } = await appAround(async () => {
      throw new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout expired');
    });
    try {
      const scan = pdfBytes('timeout-unapplied');
      const hash = sha256(scan);
      expect((await uploadEvidence(app, cookie, XS, scan)).statusCode).toBeGreaterThanOrEqual(500);
      expect((await caseOf(XS)).evidence.some((e) => e.sha256 === hash)).toBe(false);
      // The request cannot know whether the Update will yet apply: file and pin stay.
      expect(await store.verify(hash)).toBe(true);
      expect(await store.pins.list(hash)).toHaveLength(1);
      const references = (caseId: string) => caseFilesById(s.env.client, caseId);
      const hour = 3_600_000;
      // Within the grace period the sweep leaves it alone; after it, the case is asked.
      expect(await sweepPins(store, { graceMs: hour, references })).toMatchObject({ checked: 0, removed: [] });
      expect(await store.has(hash)).toBe(true);
      const report = await sweepPins(store, { graceMs: hour, references, now: new Date(Date.now() + 2 * hour) });
      expect(report).toMatchObject({ checked: 1, released: 1, removed: [hash], unknown: 0 });
      expect(await store.has(hash)).toBe(false);
      expect(await store.pins.list(hash)).toEqual([]);
      // Every file the case holds is still there.
      for (const e of (await caseOf(XS)).evidence) expect(await store.verify(e.sha256), e.id).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('removes a refused upload that nothing else holds: no file and no pin left behind', async () => {
    const before = onDisk();
    const scan = pdfBytes('wrong-stage');
    // 清河县's visit has not begun: the workflow refuses evidence in this stage.
    expect((await caseOf(QH)).stage).not.toBe('onsite');
    const res = await uploadEvidence(main.app, main.cookie, QH, scan);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.type).toBe('InvalidState');
    expect(await store.has(sha256(scan))).toBe(false);
    expect(onDisk()).toEqual(before);
  });

  it('keeps a file another case holds when the same content is refused for this one', async () => {
    const scan = pdfBytes('two-cases');
    expect((await uploadEvidence(main.app, main.cookie, XS, scan)).statusCode).toBe(200);
    const before = onDisk();
    const res = await uploadEvidence(main.app, main.cookie, QH, scan);
    expect(res.statusCode, res.body).toBe(409);
    await expectKept(await caseOf(XS), scan);
    expect(onDisk()).toEqual(before);
  });
});
