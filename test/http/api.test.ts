/**
 * The HTTP API over real workflows (time-skipping server, real worker, real activities): every
 * route × role, county scope, no credentials, path traversal, oversized and wrong-type uploads —
 * each refusal checked to change nothing — and the visit driven through the API from on-site
 * findings to the county's rectification report and its review.
 *
 * Over 300 lines because its cases share one Temporal stack started once for the file (a start
 * costs tens of seconds); they read as one story of the same cases.
 */
import os from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitOps } from '../../client/visit';
import { SESSION_COOKIE } from '../../client/http/auth';
import type { Actor } from '../../workflows/contracts/common';
import type { VisitCase } from '../../workflows/contracts/visit';
import {
  ADMIN_TOKEN,
  findingsFor,
  listFiles,
  multipart,
  pdfBytes,
  sha256,
  skipTo,
  startStack,
  waitForCase,
  type Stack,
} from './helpers';

let s: Stack;
const cookies: Record<string, string> = {};
const LOGINS = ['admin', 'sun-li', 'zheng-yuan', 'feng-qing', 'xiangshan', 'qinghe'] as const;
type Who = (typeof LOGINS)[number] | 'nobody';

const XS = 'xiangshan';
const QH = 'qinghe';
let year: number;
const casePath = (county: string) => `/api/years/${year}/cases/${county}`;

async function call(
  who: Who,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const h: Record<string, string> = { ...headers };
  if (who !== 'nobody') h.cookie = cookies[who]!;
  if (body !== undefined && !Buffer.isBuffer(body)) {
    h['content-type'] = 'application/json';
    body = JSON.stringify(body);
  }
  return s.app.inject({ method, url, headers: h, payload: body as string | Buffer | undefined });
}

/** The error shape, a Chinese message, and nothing that looks like a stack trace or a path. */
function expectError(res: LightMyRequestResponse, status: number, type?: string): { type: string; message: string } {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { type: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
  expect(res.body).not.toMatch(/\bat .*\(|\.ts:\d+|node_modules|\/tmp\/|stack/);
  if (type) expect(body.error.type).toBe(type);
  return body.error;
}

const ref = (county: string) => ({ year: s.plan.year, bureau: s.plan.bureau.code, county });
const caseOf = (county: string) => visitOps.get(s.env.client, ref(county));

/** Runs a refused request and proves the case and the evidence store are unchanged. */
async function refusedWithoutChange(
  county: string,
  run: () => Promise<LightMyRequestResponse>,
  status: number,
  type?: string,
) {
  const before = await caseOf(county);
  const stored = listFiles(s.evidenceDir);
  const res = await run();
  const err = expectError(res, status, type);
  expect(await caseOf(county)).toEqual(before);
  expect(listFiles(s.evidenceDir)).toEqual(stored);
  return err;
}

beforeAll(async () => {
  // Both formats, as a bureau that archives OFD asks: every document is downloadable as either.
  s = await startStack({ formats: ['pdf', 'ofd'] });
  year = s.plan.year;
  for (const id of LOGINS) {
    const res = await s.app.inject({ method: 'POST', url: '/api/login', payload: { id, password: `heluo-${id}` } });
    expect(res.statusCode, res.body).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    cookies[id] = setCookie.split(';')[0]!;
  }
  // 香山县's visit date: the programme has started its visit, the notice is out, sampling done.
  await skipTo(s.env, s.dates[0]);
  await waitForCase(s, XS, (c) => c.stage === 'onsite', 'onsite');
});
afterAll(async () => {
  await s?.teardown();
});

describe('HTTP API (real workflows on the time-skipping server)', () => {
  it('answers 401 without credentials, with a bad password, a forged cookie or an unknown token', async () => {
    const pdf = pdfBytes();
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/me'],
      ['GET', `/api/years/${year}/board`],
      ['GET', `/api/years/${year}/overdue`],
      ['GET', `/api/years/${year}/cases`],
      ['GET', casePath(XS)],
      ['GET', `${casePath(XS)}/documents/x`],
      ['GET', `${casePath(XS)}/files/${'a'.repeat(64)}`],
      ['POST', `${casePath(XS)}/findings`, { item: 'plan.compile', result: '符合' }],
      ['POST', `${casePath(XS)}/enterprises`, { enterprise: 'X', findings: ['x'] }],
      ['POST', `${casePath(XS)}/submit`, {}],
      ['POST', `${casePath(XS)}/approve`, {}],
      ['POST', `${casePath(XS)}/return`, { comment: '退回意见' }],
      ['POST', `${casePath(XS)}/review`, { decision: 'accept' }],
      ['POST', `${casePath(XS)}/extend`, { newDueDate: `${year}-12-01`, reason: '理由充分' }],
    ];
    for (const [method, url, body] of routes) {
      await refusedWithoutChange(XS, () => call('nobody', method as 'GET', url, body), 401, 'Unauthorized');
    }
    for (const route of ['evidence', 'report']) {
      const m = multipart({ item: 'plan.compile', items: '[]' }, [{ name: 'file', filename: 'a.pdf', content: pdf }]);
      await refusedWithoutChange(
        XS,
        () => s.app.inject({ method: 'POST', url: `${casePath(XS)}/${route}`, payload: m.payload, headers: m.headers }),
        401,
      );
    }
    expectError(
      await s.app.inject({ method: 'POST', url: '/api/login', payload: { id: 'admin', password: 'wrong-password' } }),
      401,
    );
    expectError(
      await s.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { id: 'no-such-user', password: 'heluo-admin' },
      }),
      401,
    );
    // A cookie whose payload names another user but keeps the old signature.
    const [name, value] = cookies.xiangshan!.split('=') as [string, string];
    const forged = `${name}=${Buffer.from(JSON.stringify({ u: 'admin', exp: Date.now() + 3_600_000 })).toString('base64url')}.${value.split('.').pop()}`;
    expectError(
      await s.app.inject({ method: 'GET', url: `/api/years/${year}/board`, headers: { cookie: forged } }),
      401,
    );
    expectError(
      await s.app.inject({
        method: 'GET',
        url: `/api/years/${year}/board`,
        headers: { authorization: 'Bearer not-a-real-token-at-all' },
      }),
      401,
    );
    // The admin API token works.
    const ok = await s.app.inject({
      method: 'GET',
      url: `/api/years/${year}/board`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(name).toBe(SESSION_COOKIE);
    // Logout clears the cookie and ends the session on the server (a session of its own: the
    // shared admin cookie is used by the tests below).
    const own = await s.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { id: 'admin', password: 'heluo-admin' },
    });
    const ownCookie = String(own.headers['set-cookie']).split(';')[0]!;
    const out = await s.app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: ownCookie } });
    expect(String(out.headers['set-cookie'])).toMatch(new RegExp(`${SESSION_COOKIE}=;`));
    expectError(
      await s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: ownCookie } }),
      401,
      'Unauthorized',
    );
  });

  it('refuses every route to the roles and counties it is not for, changing nothing', async () => {
    const pdf = pdfBytes('matrix');
    const evidence = () => multipart({ item: 'plan.compile' }, [{ name: 'file', filename: '证据.pdf', content: pdf }]);
    const report = () =>
      multipart({ items: JSON.stringify([{ index: 0, status: '整改完成' }]) }, [
        { name: 'files', filename: '整改报告.pdf', content: pdf },
      ]);
    const post = (who: Who, county: string, route: string, body: unknown) => () =>
      call(who, 'POST', `${casePath(county)}/${route}`, body);
    const upload = (who: Who, county: string, route: string, m: ReturnType<typeof multipart>) => () =>
      s.app.inject({
        method: 'POST',
        url: `${casePath(county)}/${route}`,
        payload: m.payload,
        headers: { ...m.headers, cookie: cookies[who as 'admin']! },
      });

    // [route, roles allowed]; everyone else gets 403.
    const actions: [string, Who[], (who: Who, county: string) => () => Promise<LightMyRequestResponse>][] = [
      ['evidence', ['sun-li'], (w, c) => upload(w, c, 'evidence', evidence())],
      ['findings', ['sun-li'], (w, c) => post(w, c, 'findings', { item: 'plan.compile', result: '符合' })],
      ['enterprises', ['sun-li'], (w, c) => post(w, c, 'enterprises', { enterprise: 'X', findings: ['x'] })],
      ['submit', ['sun-li'], (w, c) => post(w, c, 'submit', {})],
      ['approve', ['zheng-yuan', 'feng-qing'], (w, c) => post(w, c, 'approve', {})],
      ['return', ['zheng-yuan', 'feng-qing'], (w, c) => post(w, c, 'return', { comment: '请补充' })],
      ['review', ['sun-li'], (w, c) => post(w, c, 'review', { decision: 'accept' })],
      ['extend', ['sun-li'], (w, c) => post(w, c, 'extend', { newDueDate: `${year}-12-01`, reason: '理由充分' })],
      ['report', ['sun-li', 'xiangshan'], (w, c) => upload(w, c, 'report', report())],
    ];
    for (const [route, allowed, make] of actions) {
      for (const who of LOGINS) {
        if (allowed.includes(who)) continue;
        const err = await refusedWithoutChange(XS, make(who, XS), 403, 'Forbidden');
        expect(err.message, `${route} by ${who}`).toMatch(/无权|只能/);
      }
    }
    // Another county's case: qinghe can neither act on nor read 香山县's, nor 香山县 qinghe's.
    await refusedWithoutChange(XS, upload('qinghe', XS, 'report', report()), 403, 'Forbidden');
    await refusedWithoutChange(QH, upload('xiangshan', QH, 'report', report()), 403, 'Forbidden');
    for (const url of [casePath(XS), `${casePath(XS)}/documents/anything`, `${casePath(XS)}/files/${sha256(pdf)}`]) {
      await refusedWithoutChange(XS, () => call('qinghe', 'GET', url), 403, 'Forbidden');
    }
    await refusedWithoutChange(QH, () => call('xiangshan', 'GET', casePath(QH)), 403, 'Forbidden');
    // Counties have no board and no overdue list.
    for (const url of [`/api/years/${year}/board`, `/api/years/${year}/overdue`]) {
      expectError(await call('xiangshan', 'GET', url), 403, 'Forbidden');
    }
    // Reads allowed: staff everywhere, a county its own case.
    for (const who of ['admin', 'sun-li', 'zheng-yuan', 'feng-qing', 'xiangshan'] as const) {
      expect((await call(who, 'GET', casePath(XS))).statusCode, who).toBe(200);
    }
    for (const who of ['admin', 'sun-li', 'zheng-yuan', 'feng-qing'] as const) {
      expect((await call(who, 'GET', `/api/years/${year}/board`)).statusCode, who).toBe(200);
    }
  });

  it('refuses oversized and wrong-type uploads, path-traversal names and bad input, storing nothing', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20);
    big.write('%PDF-1.4\n');
    const m = multipart({ item: 'plan.compile' }, [{ name: 'file', filename: 'big.pdf', content: big }]);
    const up =
      (mm: ReturnType<typeof multipart>, route = 'evidence', who: Who = 'sun-li') =>
      () =>
        s.app.inject({
          method: 'POST',
          url: `${casePath(XS)}/${route}`,
          payload: mm.payload,
          headers: { ...mm.headers, cookie: cookies[who as 'admin']! },
        });
    expect((await refusedWithoutChange(XS, up(m), 413, 'TooLarge')).message).toMatch(/文件过大/);
    const html = multipart({ item: 'plan.compile' }, [
      { name: 'file', filename: 'scan.pdf', content: Buffer.from('<html><script>alert(1)</script></html>') },
    ]);
    expect((await refusedWithoutChange(XS, up(html), 415, 'TypeRefused')).message).toMatch(/不接受的文件类型/);
    const empty = multipart({ item: 'plan.compile' }, [
      { name: 'file', filename: 'empty.pdf', content: Buffer.alloc(0) },
    ]);
    await refusedWithoutChange(XS, up(empty), 400, 'Empty');
    // A stored file whose Update is refused (unknown checklist item) is removed again.
    const badItem = multipart({ item: 'plan.nope' }, [
      { name: 'file', filename: 'a.pdf', content: pdfBytes('bad-item') },
    ]);
    await refusedWithoutChange(XS, up(badItem), 400, 'InvalidInput');
    // A report is refused by the workflow before rectification: its files are not kept either.
    const early = multipart({ items: JSON.stringify([{ index: 0, status: '整改完成' }]) }, [
      { name: 'files', filename: 'r.pdf', content: pdfBytes('early') },
    ]);
    await refusedWithoutChange(XS, up(early, 'report', 'xiangshan'), 409, 'InvalidState');
    const badJson = multipart({ items: '{not json' }, [
      { name: 'files', filename: 'r.pdf', content: pdfBytes('json') },
    ]);
    await refusedWithoutChange(XS, up(badJson, 'report', 'xiangshan'), 400, 'InvalidInput');

    // Document ids and file ids are looked up in the case, never used as paths.
    for (const id of ['..%2F..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows', '%2Fetc%2Fpasswd', '.hidden', 'a%00b']) {
      const res = await call('admin', 'GET', `${casePath(XS)}/documents/${id}`);
      expect([400, 404], `${id}: ${res.body}`).toContain(res.statusCode);
      expectError(res, res.statusCode);
    }
    for (const id of ['..%2F..%2Fetc%2Fpasswd', 'A'.repeat(64), `${'a'.repeat(63)}/`]) {
      const res = await call('admin', 'GET', `${casePath(XS)}/files/${id}`);
      expect([400, 404], `${id}: ${res.body}`).toContain(res.statusCode);
      expectError(res, res.statusCode);
    }
    expectError(await call('admin', 'GET', '/api/years/abc/board'), 400, 'InvalidInput');
    expectError(await call('admin', 'GET', `/api/years/${year}/cases/..%2Fetc`), 400, 'InvalidInput');
    expectError(await call('admin', 'GET', `/api/years/${year}/cases/nosuchcounty`), 404, 'NotFound');
    await refusedWithoutChange(
      XS,
      () => call('sun-li', 'POST', `${casePath(XS)}/findings`, { item: 'plan.compile', result: '很好' }),
      400,
      'InvalidInput',
    );
    await refusedWithoutChange(
      XS,
      () =>
        call('sun-li', 'POST', `${casePath(XS)}/findings`, Buffer.from('{"item":'), {
          'content-type': 'application/json',
        }),
      400,
    );
    // A form posted from another site is refused before anything else.
    await refusedWithoutChange(
      XS,
      () => call('sun-li', 'POST', `${casePath(XS)}/submit`, {}, { origin: 'http://evil.example' }),
      403,
      'Forbidden',
    );
  });

  it('drives the visit through the API: evidence, findings, submit, approval, then board, timeline and letter download', async () => {
    const scan = pdfBytes('scan');
    const m = multipart({ item: 'standard.archive', note: '案卷扫描' }, [
      { name: 'file', filename: '../../../etc/行政处罚案卷.pdf', content: scan },
    ]);
    const res = await s.app.inject({
      method: 'POST',
      url: `${casePath(XS)}/evidence`,
      payload: m.payload,
      headers: { ...m.headers, cookie: cookies['sun-li']! },
    });
    expect(res.statusCode, res.body).toBe(200);
    const ev = res.json().result as VisitCase['evidence'][number];
    // The name is a label only: the file lives under its sha256 in the store, nowhere else.
    expect(ev.filename).toBe('行政处罚案卷.pdf');
    expect(ev.sha256).toBe(sha256(scan));
    expect(listFiles(s.evidenceDir)).toEqual([path.join(ev.sha256.slice(0, 2), ev.sha256)]);

    // Submitting before the findings are complete: the workflow's list of what is missing.
    await refusedWithoutChange(XS, () => call('sun-li', 'POST', `${casePath(XS)}/submit`, {}), 400, 'InvalidInput');
    for (const f of findingsFor(ev.id))
      expect((await call('sun-li', 'POST', `${casePath(XS)}/findings`, f)).statusCode).toBe(200);
    const c = await caseOf(XS);
    for (const e of c.sample!.enterprises) {
      expect(
        (
          await call('sun-li', 'POST', `${casePath(XS)}/enterprises`, {
            enterprise: e.id,
            findings: ['现场检查记录未载明隐患整改期限。'],
          })
        ).statusCode,
      ).toBe(200);
    }
    const submitted = await call('sun-li', 'POST', `${casePath(XS)}/submit`, {});
    expect(submitted.json().result.stage).toBe('approval');
    await waitForCase(s, XS, (x) => x.approval.rounds.length === 1, 'draft');
    // The deputy is a leader but not the approver: the workflow refuses, 403, nothing changes.
    expect(
      (await refusedWithoutChange(XS, () => call('feng-qing', 'POST', `${casePath(XS)}/approve`, {}), 403, 'Forbidden'))
        .message,
    ).toMatch(/只有审批人/);
    expect((await call('zheng-yuan', 'POST', `${casePath(XS)}/approve`, { comment: '同意' })).statusCode).toBe(200);
    // Approving again is refused; checked once the letter is out, so the workflow's own progress
    // (numbering, rendering, mailing the letter) is not mistaken for a change made by the refusal.
    const issued = await waitForCase(s, XS, (x) => x.stage === 'rectification', 'rectification');
    await refusedWithoutChange(
      XS,
      () => call('zheng-yuan', 'POST', `${casePath(XS)}/approve`, {}),
      409,
      'InvalidState',
    );

    // The board: every county in its month, 香山县 in rectification with its letter and due date.
    const board = (await call('admin', 'GET', `/api/years/${year}/board`)).json();
    expect(board.rows).toHaveLength(s.plan.counties.length);
    const row = board.rows.find((r: { county: string }) => r.county === XS);
    expect(row).toMatchObject({
      month: 3,
      stage: 'rectification',
      stageLabel: '整改中',
      docNumber: issued.letter!.docNumber,
      dueDate: issued.rectification!.dueDate,
      overdue: false,
    });
    expect(row.temporalUi).toBe(
      `http://localhost:8233/namespaces/${s.config.namespace}/workflows/${encodeURIComponent(issued.caseId)}`,
    );
    // 清河县's notice went out five working days before its date: started, waiting for the day.
    const qh = board.rows.find((r: { county: string }) => r.county === QH);
    expect(qh).toMatchObject({ status: 'started', month: 3, overdue: false });
    expect(['notice', 'waiting']).toContain(qh.stage);

    // The number register (发文登记), administrators only: the notices and the letter, each on its case.
    expect((await call('sun-li', 'GET', `/api/years/${year}/numbers`)).statusCode).toBe(403);
    const register = (await call('admin', 'GET', `/api/years/${year}/numbers`)).json();
    expect(register.rows).toEqual(
      expect.arrayContaining([
        { series: 'opinion', number: 1, requestId: `${issued.caseId}:opinion`, status: 'issued' },
      ]),
    );
    expect(register.series.opinion).toMatch(/意见书/);

    // The staff timeline: every step, the documents (draft included), the emails.
    const t = (await call('admin', 'GET', casePath(XS))).json();
    // Staff see the whole case, but no path of the server's disk (documents go by id).
    expect(JSON.stringify(t.case)).not.toMatch(
      new RegExp(`"path"|"dir"|${os.tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(t.kind).toBe('staff');
    expect(t.timeline.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['notice', 'sample', 'addEvidence', 'submit', 'approve', 'issue']),
    );
    expect(t.documents.map((d: { kind: string }) => d.kind)).toEqual(['notice', 'draft', 'opinion']);
    expect(t.emails.length).toBeGreaterThanOrEqual(2);
    const letter = t.documents.find((d: { kind: string }) => d.kind === 'opinion');
    const pdf = await call('admin', 'GET', `${casePath(XS)}/documents/${letter.documentId}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(String(pdf.headers['content-disposition'])).toContain(
      `filename*=UTF-8''${encodeURIComponent(`${issued.letter!.docNumber}-安全生产执法指导意见书.pdf`)}`,
    );
    expect(sha256(pdf.rawPayload)).toBe(issued.letter!.document.sha256);
    // Its OFD, by the same id: the bytes the case recorded, under the letter's name.
    expect(letter.ofd.sha256).toBe(issued.letter!.document.ofd!.sha256);
    const ofd = await call('admin', 'GET', `${casePath(XS)}/documents/${letter.documentId}?format=ofd`);
    expect(ofd.statusCode).toBe(200);
    expect(ofd.headers['content-type']).toBe('application/ofd');
    expect(String(ofd.headers['content-disposition'])).toContain(
      `filename*=UTF-8''${encodeURIComponent(`${issued.letter!.docNumber}-安全生产执法指导意见书.ofd`)}`,
    );
    expect(sha256(ofd.rawPayload)).toBe(issued.letter!.document.ofd!.sha256);
    expectError(await call('admin', 'GET', `${casePath(XS)}/documents/${letter.documentId}?format=docx`), 400);
    const file = await call('sun-li', 'GET', `${casePath(XS)}/files/${ev.sha256}`);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(scan)).toBe(true);
    expect(String(file.headers['content-disposition'])).toMatch(/^attachment;/);

    // The county's view: its letters, not the evidence, the drafts or the internal log.
    const cv = (await call('xiangshan', 'GET', casePath(XS))).json();
    expect(cv.kind).toBe('county');
    expect(cv.documents.map((d: { kind: string }) => d.kind)).toEqual(['notice', 'opinion']);
    expect(cv.files).toEqual([]);
    expect(JSON.stringify(cv)).not.toContain('evidence');
    expect(cv.case.rectification.problems.length).toBeGreaterThan(0);
    const own = await call('xiangshan', 'GET', `${casePath(XS)}/documents/${letter.documentId}`);
    expect(sha256(own.rawPayload)).toBe(issued.letter!.document.sha256);
    const draft = t.documents.find((d: { kind: string }) => d.kind === 'draft');
    expectError(await call('xiangshan', 'GET', `${casePath(XS)}/documents/${draft.documentId}`), 404);
    const ownOfd = await call('xiangshan', 'GET', `${casePath(XS)}/documents/${letter.documentId}?format=ofd`);
    expect(sha256(ownOfd.rawPayload)).toBe(issued.letter!.document.ofd!.sha256);
    expectError(await call('xiangshan', 'GET', `${casePath(XS)}/documents/${draft.documentId}?format=ofd`), 404);
    expectError(await call('xiangshan', 'GET', `${casePath(XS)}/files/${ev.sha256}`), 404);
    // Another county's document id through one's own case is not found either.
    expectError(await call('qinghe', 'GET', `${casePath(QH)}/documents/${letter.documentId}`), 404);

    // An archived file altered on disk is not served; the message names no path.
    const archived = path.join(s.dirs.archiveDir, issued.caseId, `${letter.documentId}.pdf`);
    const original = readFileSync(archived);
    writeFileSync(archived, Buffer.concat([original, Buffer.from('x')]));
    try {
      expectError(await call('admin', 'GET', `${casePath(XS)}/documents/${letter.documentId}`), 500, 'IntegrityError');
    } finally {
      writeFileSync(archived, original);
    }
    const archivedOfd = archived.replace(/\.pdf$/, '.ofd');
    const originalOfd = readFileSync(archivedOfd);
    writeFileSync(archivedOfd, Buffer.concat([originalOfd, Buffer.from('x')]));
    try {
      const url = `${casePath(XS)}/documents/${letter.documentId}?format=ofd`;
      expectError(await call('admin', 'GET', url), 500, 'IntegrityError');
      // The PDF is still served: only the altered file is refused.
      expect((await call('admin', 'GET', `${casePath(XS)}/documents/${letter.documentId}`)).statusCode).toBe(200);
    } finally {
      writeFileSync(archivedOfd, originalOfd);
    }
  });

  it("takes the county's rectification report, the review and an extension through the same Updates", async () => {
    const c = await caseOf(XS);
    const r = c.rectification!;
    const reportPdf = pdfBytes('report');
    const items = r.problems.map((_, index) => ({ index, status: '整改完成' }));
    const m = multipart({ items: JSON.stringify(items), note: '已逐项整改' }, [
      { name: 'files', filename: '整改报告.pdf', content: reportPdf },
    ]);
    const res = await s.app.inject({
      method: 'POST',
      url: `${casePath(XS)}/report`,
      payload: m.payload,
      headers: { ...m.headers, cookie: cookies.xiangshan! },
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = await caseOf(XS);
    expect(after.rectification!.reports).toHaveLength(1);
    expect(after.rectification!.reports[0]!.files[0]!.sha256).toBe(sha256(reportPdf));
    expect(after.rectification!.reports[0]!.by).toBe('xiangshan');
    // The county sees and downloads its own report file.
    const cv = (await call('xiangshan', 'GET', casePath(XS))).json();
    expect(cv.files.map((f: { sha256: string }) => f.sha256)).toEqual([sha256(reportPdf)]);
    expect(
      (await call('xiangshan', 'GET', `${casePath(XS)}/files/${sha256(reportPdf)}`)).rawPayload.equals(reportPdf),
    ).toBe(true);

    // Review: a leader may not; the supervisor returns it with reasons.
    await refusedWithoutChange(
      XS,
      () => call('zheng-yuan', 'POST', `${casePath(XS)}/review`, { decision: 'accept' }),
      403,
    );
    const back = await call('sun-li', 'POST', `${casePath(XS)}/review`, {
      decision: 'return',
      reasons: ['整改佐证材料不足'],
    });
    expect(back.statusCode, back.body).toBe(200);
    // The return letter follows from the workflow's script; wait for it, so its arrival is not
    // mistaken for a change made by the refused extension below.
    await waitForCase(s, XS, (x) => Boolean(x.rectification?.reports[0]?.review?.letter), 'the return letter');
    // Extension: a reason is required; with one the due date moves.
    await refusedWithoutChange(
      XS,
      () => call('sun-li', 'POST', `${casePath(XS)}/extend`, { newDueDate: `${year}-12-01` }),
      400,
      'InvalidInput',
    );
    const due = (await caseOf(XS)).rectification!.dueDate;
    const later = new Date(Date.parse(`${due}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
    const ext = await call('sun-li', 'POST', `${casePath(XS)}/extend`, {
      newDueDate: later,
      reason: '涉及县政府审批，需延长时间',
    });
    expect(ext.statusCode, ext.body).toBe(200);
    expect((await caseOf(XS)).rectification!.dueDate).not.toBe(due);
  });

  it('shows an overdue county on the board and the overdue list with its escalation rung', async () => {
    // 清河县: its visit date, then on-site work and approval straight through the shared ops.
    await skipTo(s.env, s.dates[1]);
    const q = await waitForCase(s, QH, (c) => c.stage === 'onsite', 'onsite');
    const sup: Actor = { id: 'sun-li', role: 'supervisor' };
    for (const f of findingsFor()) await visitOps.setFinding(s.env.client, ref(QH), { actor: sup, ...(f as any) });
    for (const e of q.sample!.enterprises)
      await visitOps.setEnterpriseResult(s.env.client, ref(QH), {
        actor: sup,
        enterprise: e.id,
        findings: ['未载明整改期限。'],
      });
    await visitOps.submit(s.env.client, ref(QH), { actor: sup });
    await waitForCase(s, QH, (c) => c.approval.rounds.length === 1, 'draft');
    await visitOps.approve(s.env.client, ref(QH), { actor: { id: 'zheng-yuan', role: 'leader' } });
    const issued = await waitForCase(s, QH, (c) => c.stage === 'rectification', 'rectification');
    // Two days past the due date: 催办 has gone out.
    const due = issued.rectification!.dueDate;
    await skipTo(s.env, new Date(Date.parse(`${due}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10));
    await waitForCase(
      s,
      QH,
      (c) => c.rectification!.overdue && c.rectification!.rung !== 'none',
      'overdue with a rung',
    );

    const board = (await call('sun-li', 'GET', `/api/years/${year}/board`)).json();
    const row = board.rows.find((r: { county: string }) => r.county === QH);
    expect(row).toMatchObject({ overdue: true, rung: 'urge', rungLabel: '催办', dueDate: due });
    expect(row.daysOverdue).toBeGreaterThanOrEqual(1);
    expect(board.counts.overdue).toBeGreaterThanOrEqual(1);
    const overdue = (await call('admin', 'GET', `/api/years/${year}/overdue`)).json();
    expect(overdue.rows.map((r: { county: string }) => r.county)).toContain(QH);
    // The escalation letter is in the county's own view and downloadable by it.
    const cv = (await call('qinghe', 'GET', casePath(QH))).json();
    const urge = cv.documents.find((d: { kind: string }) => d.kind === 'urge');
    expect(urge).toBeDefined();
    expect((await call('qinghe', 'GET', `${casePath(QH)}/documents/${urge.documentId}`)).statusCode).toBe(200);
  });
});
