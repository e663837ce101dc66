/**
 * The programme's doors on the HTTP API (client/http/routes-programme.ts) over real workflows: the
 * schedule read, reschedule, add and cancel a county, the statistics import, and voiding a number
 * of the register — each accepted call seen in the workflow's state, each refusal answered with
 * its Chinese message and nothing changed. Roles are covered route by route in test/parity.test.ts.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocNumberActivities } from '../../activities/docnumber';
import { numberRegister } from '../../client/numbers';
import { getProgramme } from '../../client/programme';
import { visitWorkflowId } from '../../workflows/contracts/common';
import { editCsv, xuchangCsvText } from '../stats/helpers';
import { login, multipart, sha256, skipTo, startStack, waitForCase, type Stack } from './helpers';

let s: Stack;
let cookies: Record<string, string>;
let year: number;

const schedule = () => getProgramme(s.env.client, s.plan.year, s.plan.bureau.code);
const register = () => numberRegister(s.env.client, s.plan.year, s.plan.bureau.code);

function post(who: string, route: string, body: unknown): Promise<LightMyRequestResponse> {
  return s.app.inject({
    method: 'POST',
    url: `/api/years/${year}/${route}`,
    headers: { cookie: cookies[who]!, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}
function upload(
  who: string,
  fields: Record<string, string>,
  files: { name: string; filename: string; content: Buffer; type?: string }[],
) {
  const m = multipart(fields, files);
  return s.app.inject({
    method: 'POST',
    url: `/api/years/${year}/programme/statistics`,
    headers: { ...m.headers, cookie: cookies[who]! },
    payload: m.payload,
  });
}

/** A refusal: its status, its Chinese message, and the state read by `state` unchanged. */
async function refused(
  run: () => Promise<LightMyRequestResponse>,
  status: number,
  message: RegExp,
  state: () => Promise<unknown> = schedule,
): Promise<void> {
  const before = await state();
  const res = await run();
  expect(res.statusCode, res.body).toBe(status);
  expect((res.json() as { error: { message: string } }).error.message).toMatch(message);
  expect(await state()).toEqual(before);
}

/** The `n`-th weekday `day` (0 Sunday … 6 Saturday) of March of the plan's year: March has no holidays in China. */
function march(day: number, n: number): string {
  const d = new Date(Date.UTC(year, 2, 1));
  while (d.getUTCDay() !== day) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCDate(d.getUTCDate() + 7 * (n - 1));
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  s = await startStack();
  year = s.plan.year;
  cookies = await login(s.app, ['admin', 'sun-li', 'zheng-yuan']);
});
afterAll(async () => {
  await s?.teardown();
});

describe('programme routes (real workflows on the time-skipping server)', () => {
  it('GET …/programme: the schedule and its log, without server paths or internal progress', async () => {
    const res = await s.app.inject({
      method: 'GET',
      url: `/api/years/${year}/programme`,
      headers: { cookie: cookies['zheng-yuan']! },
    });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json() as Record<string, unknown> & { entries: { county: string }[] };
    expect(p.entries.map((e) => e.county).sort()).toEqual(s.plan.counties.map((c) => c.code).sort());
    expect(p).not.toHaveProperty('progress');
    expect(res.body).not.toMatch(/documentPath|\/tmp\//);
  });

  it('reschedule: moves a scheduled county; a rest day, no reason or an unknown county is refused', async () => {
    const to = march(2, 3);
    await refused(
      () => post('sun-li', 'programme/reschedule', { county: 'linchuan', date: march(6, 2), reason: '县区申请调整' }),
      400,
      /是休息日或法定节假日，请选择工作日/,
    );
    await refused(
      () => post('sun-li', 'programme/reschedule', { county: 'linchuan', date: to, reason: '改' }),
      400,
      /必须填写理由（至少 2 个字）/,
    );
    await refused(
      () => post('sun-li', 'programme/reschedule', { county: 'nowhere', date: to, reason: '县区申请调整' }),
      400,
      /计划中没有县区 nowhere/,
    );
    const res = await post('sun-li', 'programme/reschedule', { county: 'linchuan', date: to, reason: '县区申请调整' });
    expect(res.statusCode, res.body).toBe(200);
    const entry = (await schedule()).entries.find((e) => e.county === 'linchuan')!;
    expect(entry).toMatchObject({ date: to, origin: 'rescheduled', note: '县区申请调整' });
    expect((await schedule()).audit.at(-1)).toMatchObject({ by: 'sun-li', action: 'reschedule' });
  });

  it('add a county: placed on its date; a bad code or a code already in the plan is refused', async () => {
    const county = {
      code: 'beishan',
      name: '北山县',
      bureauName: '北山县应急管理局',
      emails: ['yjj@beishan.example.cn'],
      contact: { name: '周明', phone: '0379-6890-1009' },
      enterprises: [{ id: 'BEI-001', name: '北山机械厂', industry: '工贸', tier: '一般' }],
    };
    const date = march(3, 4);
    await refused(
      () =>
        post('admin', 'programme/counties', { county: { ...county, code: 'Bei Shan' }, date, reason: '区划调整新设' }),
      400,
      /代码只能由小写字母、数字和连字符组成/,
    );
    const res = await post('admin', 'programme/counties', { county, date, reason: '区划调整新设' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await schedule()).entries.find((e) => e.county === 'beishan')).toMatchObject({
      countyName: '北山县',
      date,
      origin: 'added',
      status: 'scheduled',
    });
    await refused(
      () => post('admin', 'programme/counties', { county, date, reason: '区划调整新设' }),
      400,
      /已在计划中（县区代码相同）/,
    );
  });

  it('cancel: a scheduled visit is cancelled; a second cancel is refused', async () => {
    const res = await post('sun-li', 'programme/cancel', { county: 'yunling', reason: '并入相邻县区' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await schedule()).entries.find((e) => e.county === 'yunling')).toMatchObject({
      status: 'cancelled',
      note: '并入相邻县区',
    });
    await refused(
      () => post('sun-li', 'programme/cancel', { county: 'yunling', reason: '并入相邻县区' }),
      409,
      /云岭县 的执法指导已取消，不能取消/,
    );
  });

  it("statistics: a table is imported (drafts for the schedule's counties); bad tables and forms are refused", async () => {
    const csv = Buffer.from(xuchangCsvText().replace(/魏都区/g, '香山县'));
    const file = (content: Buffer, filename = '执法统计.csv') => [
      { name: 'file', filename, content, type: 'text/csv' },
    ];
    await refused(
      () => upload('sun-li', { period: `${year}年1—6月` }, file(Buffer.from(editCsv(xuchangCsvText(), { J6: '30' })))),
      400,
      /统计表有 1 处逻辑问题，请先用 guidance stats check 核对并修正：\n {2}- 魏都区 /,
    );
    await refused(() => upload('sun-li', {}, file(csv)), 400, /必须写明统计期/);
    await refused(() => upload('sun-li', { period: `${year}年1—6月` }, []), 400, /请选择统计表文件/);
    await refused(
      () => upload('sun-li', { period: `${year}年1—6月` }, file(Buffer.from('%PDF-1.4\n%%EOF\n'), '统计.pdf')),
      400,
      /统计表/,
    );
    await refused(
      () => post('sun-li', 'programme/statistics', { period: `${year}年1—6月` }),
      400,
      /请以 multipart\/form-data 上传统计表/,
    );

    const res = await upload('sun-li', { period: `${year}年1—6月` }, file(csv));
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { result: { drafts: string[] } }).result.drafts).toEqual(['xiangshan']);
    expect((await schedule()).statistics).toMatchObject({ period: `${year}年1—6月`, sourceSha256: sha256(csv) });
    expect((await schedule()).statistics!.rows.map((r) => r.county)).toContain('香山县');
  });

  it('void a number: refused while its case runs, when used on a letter, unknown or void already; voided once its case ended unused', async () => {
    await skipTo(s.env, s.dates[0]);
    const c = await waitForCase(s, 'xiangshan', (x) => x.stage === 'onsite', 'onsite');
    const noticeNo = (await register()).find((r) => r.requestId === `${c.caseId}:notice`)!.number;
    await refused(
      () => post('admin', 'numbers/void', { series: 'notice', number: noticeNo, reason: '误取号' }),
      409,
      new RegExp(`属于仍在办理的 ${c.caseId}：由该工作流在不再使用时自行作废`),
      register,
    );
    await refused(
      () => post('admin', 'numbers/void', { series: 'notice', number: 99, reason: '误取号' }),
      400,
      /函（通知、警示函）系列第 99 号尚未分配（本系列已分配至第 \d+ 号）/,
      register,
    );
    await refused(
      () => post('admin', 'numbers/void', { series: 'summons', number: 1, reason: '误取号' }),
      404,
      new RegExp(`${year} 年度约（约谈通知书）系列尚未分配文号`),
      register,
    );
    await refused(
      () => post('admin', 'numbers/void', { series: 'notice', number: noticeNo, reason: '误' }),
      400,
      /作废须写明理由（至少 2 个字）/,
      register,
    );

    // The opinion's number drawn, then the case ended by hand before its letter was recorded.
    const numbers = createDocNumberActivities({ client: s.env.client, taskQueue: s.queue });
    const opinionNo = await numbers.allocateDocNumber({
      year,
      bureau: s.plan.bureau.code,
      series: 'opinion',
      requestId: `${c.caseId}:opinion`,
    });
    await s.env.client.workflow
      .getHandle(visitWorkflowId(year, s.plan.bureau.code, 'xiangshan'))
      .terminate('test: ended by hand');

    await refused(
      () => post('admin', 'numbers/void', { series: 'notice', number: noticeNo, reason: '误取号' }),
      409,
      new RegExp(`已用于已发出的文书（${c.notice!.docNumber.replace(/[〔〕]/g, '.')}），不能作废`),
      register,
    );
    const res = await post('admin', 'numbers/void', {
      series: 'opinion',
      number: opinionNo,
      reason: '案件终止，意见书未出具',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await register()).find((r) => r.series === 'opinion' && r.number === opinionNo)).toMatchObject({
      status: 'void',
      reason: '案件终止，意见书未出具（经办：admin）',
    });
    await refused(
      () => post('admin', 'numbers/void', { series: 'opinion', number: opinionNo, reason: '再次作废' }),
      409,
      new RegExp(`第 ${opinionNo} 号已作废`),
      register,
    );
  });
});
