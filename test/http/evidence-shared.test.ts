/**
 * Evidence uploaded through one dashboard is downloaded through another on another host (issue
 * 24): two HTTP servers over the same workflows (time-skipping server), each with its own empty
 * evidence folder, sharing only an S3 bucket (moto, worker/moto.ts) as their object store
 * (HttpDeps.evidenceObjects). A dashboard that keeps evidence on its own disk, as every dashboard
 * did before, cannot serve the file: the baseline this test was written against.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../activities/storage';
import { createServer } from '../../client/http/server';
import { startMoto, type MotoServer } from '../../worker/moto';
import { listFiles, multipart, pdfBytes, sha256, skipTo, startStack, waitForCase, type Stack } from './helpers';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const BUCKET = 'dashboards';
const XS = 'xiangshan';
let s: Stack;
let moto: MotoServer;
const apps: FastifyInstance[] = [];

/** A dashboard on a host of its own: an empty evidence folder, the shared bucket unless `localOnly`. */
async function dashboard(localOnly = false): Promise<{ app: FastifyInstance; cookie: string; dir: string }> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dashboard-host-')), 'evidence');
  const objects = new S3Store({
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: CREDENTIALS,
  });
  const app = await createServer({
    client: s.env.client,
    config: s.config,
    users: s.users,
    evidenceDir: dir,
    ...(localOnly ? {} : { evidenceObjects: objects }),
    archiveDir: s.dirs.archiveDir,
  });
  apps.push(app);
  const res = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { id: 'sun-li', password: 'heluo-sun-li' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { app, cookie: String(res.headers['set-cookie']).split(';')[0]!, dir };
}

beforeAll(async () => {
  [s, moto] = await Promise.all([startStack(), startMoto()]);
  const client = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  await skipTo(s.env, s.dates[0]);
  await waitForCase(s, XS, (c) => c.stage === 'onsite', 'onsite');
}, 120_000);
afterAll(async () => {
  for (const app of apps) await app.close();
  await s?.teardown();
  await moto?.stop();
});

describe('evidence shared by dashboards on several hosts', () => {
  it('a file uploaded through dashboard A downloads, intact, through dashboard B; neither keeps it on its disk', async () => {
    const [a, b, alone] = [await dashboard(), await dashboard(), await dashboard(true)];
    const scan = pdfBytes('shared');
    const m = multipart({ item: 'standard.archive' }, [{ name: 'file', filename: '现场照片.pdf', content: scan }]);
    const up = await a.app.inject({
      method: 'POST',
      url: `/api/years/${s.plan.year}/cases/${XS}/evidence`,
      payload: m.payload,
      headers: { ...m.headers, cookie: a.cookie },
    });
    expect(up.statusCode, up.body).toBe(200);

    const url = `/api/years/${s.plan.year}/cases/${XS}/files/${sha256(scan)}`;
    const down = await b.app.inject({ method: 'GET', url, headers: { cookie: b.cookie } });
    expect(down.statusCode, down.body).toBe(200);
    expect(down.rawPayload.equals(scan)).toBe(true);
    expect(down.headers['content-type']).toBe('application/pdf');
    for (const d of [a.dir, b.dir]) expect([...listFiles(d), ...listFiles(`${d}.pins`)]).toEqual([]);

    // Without the shared store a dashboard sees the case's file but not its bytes.
    const missing = await alone.app.inject({ method: 'GET', url, headers: { cookie: alone.cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { type: 'NotFound', message: '文件不在证据库中，请联系管理员' } });
  });
});
