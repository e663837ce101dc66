/**
 * The case page in Chromium when the engine is busy: with a read budget of 0 ms every read of a
 * case read before is its last answer (client/case-reads.ts), and the page says so with the time
 * it was read; the supervisor's own action then shows at once, without that note.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { skipTo, startStack, waitForCase, type Stack } from '../http/helpers';
import { openBrowser, type Browsers } from './browser';

const RESULTS = path.resolve(__dirname, '../../test-results');
let s: Stack;
let url: string;
let browsers: Browsers;

beforeAll(async () => {
  await ensureDocumentTools({ chromium: true });
  mkdirSync(RESULTS, { recursive: true });
  s = await startStack({ caseReadBudgetMs: 0 });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const address = s.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browsers = openBrowser();
  await skipTo(s.env, s.dates[0]);
  await waitForCase(s, 'xiangshan', (x) => x.stage === 'onsite', 'onsite');
}, 180_000);
afterAll(async () => {
  await browsers?.close();
  await s?.teardown();
});

async function login(page: Page, id: string): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.fill('input[name=id]', id);
  await page.fill('input[name=password]', `heluo-${id}`);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#logout');
}

it('says when the page is the last answer, and shows a person’s own action current', { timeout: 120_000 }, async () => {
  const page = await browsers.page();
  await login(page, 'sun-li');
  const casePage = `${url}/#/case/${s.plan.year}/xiangshan`;
  await page.goto(casePage);
  await page.waitForSelector('#case-stage');
  // The first read was current; a second look is the last answer, said with its time.
  await page.reload();
  const note = page.locator('#case-as-of');
  await note.waitFor({ timeout: 15_000 });
  expect(await note.textContent()).toMatch(/^系统繁忙，此页为 \d{1,2}:\d\d:\d\d 读取的记录，稍后自动刷新。$/);
  await page.screenshot({ path: path.join(RESULTS, 'stale-case.png'), fullPage: false });

  // The supervisor records a finding: the page after it is current (no note) and shows it.
  const form = page.locator('#form-finding');
  await form.scrollIntoViewIfNeeded();
  await form.locator('select[name=item]').selectOption('plan.compile');
  await form.locator('select[name=result]').selectOption('符合');
  await form.locator('button[type=submit]').click();
  await page.getByText('已完成').first().waitFor({ timeout: 15_000 });
  await expect.poll(async () => page.locator('#case-as-of').count(), { timeout: 5000 }).toBe(0);
});

it(
  'keeps looking while the answer stays the last one (the query slower than its look)',
  { timeout: 60_000 },
  async () => {
    const page = await browsers.page();
    await login(page, 'sun-li');
    const api = `/api/years/${s.plan.year}/cases/xiangshan`;
    // As when the query takes longer than the page's 3 s: every look gets the same last answer.
    const reads: number[] = [];
    await page.route(`**${api}`, async (route) => {
      reads.push(Date.now());
      const response = await route.fetch();
      const body = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...body, asOf: '2027-03-01T02:00:00.000Z' } });
    });
    await page.goto(`${url}/#/case/${s.plan.year}/xiangshan`);
    await page.locator('#case-as-of').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(7500);
    // Loaded, then looked at again about every 3 s: before, it looked once and then waited for good.
    expect(reads.length).toBeGreaterThanOrEqual(3);
  },
);
