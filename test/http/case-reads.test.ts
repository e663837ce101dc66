/**
 * The case page over HTTP with a read budget of 0 ms, so every read of a case read before is the
 * last answer (client/case-reads.ts), as under a worker's backlog: the page says so (`asOf`), and a
 * person's action through the API makes the next read wait for a current answer, so the supervisor
 * sees the finding just recorded, not the page from before it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../client/http/auth';
import { login, skipTo, startStack, waitForCase, type Stack } from './helpers';

let s: Stack;
let cookie: string;
beforeAll(async () => {
  s = await startStack({ caseReadBudgetMs: 0 });
  cookie = (await login(s.app, ['sun-li']))['sun-li']!;
}, 120_000);
afterAll(async () => {
  await s?.teardown();
});

it(
  'serves the last answer marked with its time, and never the page from before a person’s action',
  { timeout: 120_000 },
  async () => {
    expect(cookie).toContain(SESSION_COOKIE);
    await skipTo(s.env, s.dates[0]);
    await waitForCase(s, 'xiangshan', (c) => c.stage === 'onsite', 'onsite');
    const url = `/api/years/${s.plan.year}/cases/xiangshan`;
    const get = async () => {
      const res = await s.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { asOf?: string; case: { findings: { item: string; result: string }[] } };
    };
    const first = await get();
    expect(first.asOf).toBeUndefined();
    const again = await get();
    expect(again.asOf).toMatch(/^\d{4}-\d\d-\d\dT/);

    const posted = await s.app.inject({
      method: 'POST',
      url: `${url}/findings`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ item: 'plan.compile', result: '符合' }),
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const after = await get();
    expect(after.asOf).toBeUndefined();
    expect(after.case.findings.find((f) => f.item === 'plan.compile')?.result).toBe('符合');
  },
);
