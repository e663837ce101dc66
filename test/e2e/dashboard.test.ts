/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core) against the
 * real stack: an administrator logs in, sees the board, opens a county's timeline and downloads its
 * letter; the county logs in, uploads its rectification report through the form and sees its case
 * move. Screenshots go to test-results/ (git-ignored); the board's also to docs/board.png for the README.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocumentTools } from '../../scripts/setup-documents';
import { getProgramme } from '../../client/programme';
import { visitOps } from '../../client/visit';
import type { Actor } from '../../workflows/contracts/common';
import { findingsFor, pdfBytes, sha256, skipTo, startStack, tempDir, waitForCase, type Stack } from '../http/helpers';

const ROOT = path.resolve(__dirname, '../..');
const RESULTS = path.join(ROOT, 'test-results');
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
const supervisor: Actor = { id: 'sun-li', role: 'supervisor' };
const leader: Actor = { id: 'zheng-yuan', role: 'leader' };

let s: Stack;
let url: string;
const contexts: BrowserContext[] = [];

/** A fresh browser with its own profile directory (launchPersistentContext is how Playwright takes --user-data-dir). */
async function browser(): Promise<Page> {
  const context = await chromium.launchPersistentContext(tempDir('guidance-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    args: CHROMIUM_ARGS,
  });
  contexts.push(context);
  return context.pages()[0] ?? context.newPage();
}

async function login(page: Page, id: string): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.fill('input[name=id]', id);
  await page.fill('input[name=password]', `heluo-${id}`);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#logout');
}

/** Drives one county from its visit date to the letter, through the shared operations. */
async function toRectification(county: string, date: string) {
  const ref = { year: s.plan.year, bureau: s.plan.bureau.code, county };
  await skipTo(s.env, date);
  const c = await waitForCase(s, county, (x) => x.stage === 'onsite', 'onsite');
  for (const f of findingsFor()) await visitOps.setFinding(s.env.client, ref, { actor: supervisor, ...(f as any) });
  for (const e of c.sample!.enterprises)
    await visitOps.setEnterpriseResult(s.env.client, ref, {
      actor: supervisor,
      enterprise: e.id,
      findings: ['现场检查记录未载明隐患整改期限。'],
    });
  await visitOps.submit(s.env.client, ref, { actor: supervisor });
  await waitForCase(s, county, (x) => x.approval.rounds.length === 1, 'draft');
  await visitOps.approve(s.env.client, ref, { actor: leader, comment: '同意' });
  return waitForCase(s, county, (x) => x.stage === 'rectification', 'rectification');
}

beforeAll(async () => {
  await ensureDocumentTools({ chromium: true });
  mkdirSync(RESULTS, { recursive: true });
  // Both formats: the case page offers each letter's OFD beside its PDF.
  s = await startStack({ refreshSeconds: 2, formats: ['pdf', 'ofd'] });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const address = s.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // 香山县 and 清河县 reach rectification; 清河县 then runs past its due date (催办, overdue).
  await toRectification('xiangshan', s.dates[0]);
  const q = await toRectification('qinghe', s.dates[1]);
  const due = q.rectification!.dueDate;
  await skipTo(s.env, new Date(Date.parse(`${due}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10));
  await waitForCase(s, 'qinghe', (x) => x.rectification!.overdue && x.rectification!.rung !== 'none', 'overdue');
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await s?.teardown();
});

describe('dashboard in headless Chromium', () => {
  it("admin: board, a county's timeline, the letter downloaded", async () => {
    const page = await browser();
    await login(page, 'admin');
    // Every role opens on its inbox (待办); this stack has no visibility, so it says it cannot read it.
    await page.waitForSelector('#todo-error');
    expect(await page.textContent('h1')).toBe('我的待办');
    await page.click('nav a:has-text("计划看板")');
    await page.waitForSelector('table#board tr[data-county=xiangshan]');
    expect(await page.textContent('h1')).toContain(`${s.plan.year} 年度执法指导计划`);
    const qinghe = page.locator('table#board tr[data-county=qinghe]');
    await expect.poll(() => qinghe.locator('.badge.overdue').count()).toBe(1);
    expect(await qinghe.locator('.badge.rung').textContent()).toBe('催办');
    expect(await page.locator('table#board tr[data-county=xiangshan] .badge.stage').first().textContent()).toMatch(
      /整改中|逾期/,
    );
    await page.screenshot({ path: path.join(RESULTS, 'e2e-board.png'), fullPage: true });
    copyFileSync(path.join(RESULTS, 'e2e-board.png'), path.join(ROOT, 'docs/board.png'));

    // The board refreshes itself (every 2 s here, 12 s by default).
    const first = await page.textContent('#refreshed');
    await expect.poll(() => page.textContent('#refreshed'), { timeout: 10_000 }).not.toBe(first);

    // Print: navigation and forms are hidden.
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('header.top')).toBe(false);
    await page.pdf({ path: path.join(RESULTS, 'e2e-board-print.pdf'), landscape: true });
    await page.emulateMedia({ media: 'screen' });

    // A county's timeline, with every step and its documents.
    await page.click('table#board tr[data-county=xiangshan] td.county a');
    await page.waitForSelector('table#documents');
    expect(await page.locator('#timeline li').count()).toBeGreaterThan(5);
    expect(await page.textContent('#timeline')).toContain('出具意见书');
    await page.screenshot({ path: path.join(RESULTS, 'e2e-timeline.png'), fullPage: true });
    const c = await visitOps.get(s.env.client, { year: s.plan.year, bureau: s.plan.bureau.code, county: 'xiangshan' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a.download.kind-opinion:not(.ofd)'),
    ]);
    expect(download.suggestedFilename()).toBe(`${c.letter!.docNumber}-安全生产执法指导意见书.pdf`);
    const saved = path.join(RESULTS, 'e2e-letter.pdf');
    await download.saveAs(saved);
    expect(sha256(readFileSync(saved))).toBe(c.letter!.document.sha256);
    // The same letter as OFD, from the link beside it.
    const [ofd] = await Promise.all([page.waitForEvent('download'), page.click('a.download.ofd.kind-opinion')]);
    expect(ofd.suggestedFilename()).toBe(`${c.letter!.docNumber}-安全生产执法指导意见书.ofd`);
    const savedOfd = path.join(RESULTS, 'e2e-letter.ofd');
    await ofd.saveAs(savedOfd);
    expect(sha256(readFileSync(savedOfd))).toBe(c.letter!.document.ofd!.sha256);
  });

  it('county: sees only its case, uploads its rectification report, sees the case move', async () => {
    const page = await browser();
    await login(page, 'xiangshan');
    // The county opens on its inbox; its case is one click away; it has no board link.
    await page.click('nav a:has-text("本县区案件")');
    await page.waitForSelector('#form-report');
    expect(await page.locator('nav a', { hasText: '计划看板' }).count()).toBe(0);
    expect(await page.locator('#case-stage').textContent()).toContain('整改中');
    expect(await page.locator('#documents a.kind-draft').count()).toBe(0);

    const report = pdfBytes('county-report');
    await page.setInputFiles('#form-report input[name=files]', {
      name: '香山县整改报告.pdf',
      mimeType: 'application/pdf',
      buffer: report,
    });
    await page.selectOption('#form-report select[name=status-0]', '整改完成');
    await page.fill('#form-report textarea[name=note]', '已对照意见书逐项整改。');
    await page.click('#form-report button[type=submit]');
    await page.waitForSelector('#reports');
    expect(await page.textContent('#reports')).toContain('待审核');
    expect(await page.textContent('#files')).toContain('香山县整改报告.pdf');
    // Waiting for review: no second report form.
    expect(await page.locator('#form-report').count()).toBe(0);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-county-report.png'), fullPage: true });
    const ref = { year: s.plan.year, bureau: s.plan.bureau.code, county: 'xiangshan' };
    const after = await visitOps.get(s.env.client, ref);
    expect(after.rectification!.reports.at(-1)!.files[0]!.sha256).toBe(sha256(report));

    // The supervisor accepts it; the county's page shows the case closed.
    await visitOps.reviewReport(s.env.client, ref, { actor: supervisor, decision: 'accept' });
    await waitForCase(s, 'xiangshan', (x) => x.stage === 'closed', 'closed');
    await page.reload();
    await expect.poll(() => page.locator('#case-stage').textContent()).toContain('已验收归档');
    expect(await page.locator('#form-report').count()).toBe(0);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-county-closed.png'), fullPage: true });
  });

  it("supervisor: reschedules a county from the board's form (a rest day refused with its message); admin: the void form on 发文登记", async () => {
    const schedule = () => getProgramme(s.env.client, s.plan.year, s.plan.bureau.code);
    const entry = (await schedule()).entries.find((e) => e.status === 'scheduled')!;
    // Weekdays from 16 November have no public holidays; a Saturday then is a rest day.
    const nov = (day: number) =>
      new Date(Date.UTC(s.plan.year, 10, 16 + ((day - new Date(Date.UTC(s.plan.year, 10, 16)).getUTCDay() + 7) % 7)))
        .toISOString()
        .slice(0, 10);
    const page = await browser();
    await login(page, 'sun-li');
    await page.click('nav a:has-text("计划看板")');
    await page.waitForSelector('#form-reschedule');
    await page.selectOption('#form-reschedule select[name=county]', entry.county);
    await page.fill('#form-reschedule input[name=date]', nov(6));
    await page.fill('#form-reschedule input[name=reason]', '县区申请调整');
    await page.click('#form-reschedule button[type=submit]');
    await expect.poll(() => page.textContent('#form-reschedule-feedback')).toContain('是休息日或法定节假日');
    expect((await schedule()).entries.find((e) => e.county === entry.county)!.date).toBe(entry.date);

    await page.fill('#form-reschedule input[name=date]', nov(2));
    await page.click('#form-reschedule button[type=submit]');
    await expect.poll(() => page.textContent('#form-reschedule-feedback')).toContain('调整指导日期：已完成');
    expect((await schedule()).entries.find((e) => e.county === entry.county)).toMatchObject({
      date: nov(2),
      origin: 'rescheduled',
    });
    await page.screenshot({ path: path.join(RESULTS, 'e2e-board-forms.png'), fullPage: true });

    const admin = await browser();
    await login(admin, 'admin');
    await admin.goto(`${url}/#/numbers/${s.plan.year}`);
    await admin.waitForSelector('#form-void-number');
    expect(await admin.locator('#form-void-number select[name=series] option').count()).toBe(6);
  });

  it("admin: the official calendar from the board's form moves a scheduled visit off a new holiday; supervisors have no such form", async () => {
    const schedule = () => getProgramme(s.env.client, s.plan.year, s.plan.bureau.code);
    const entry = (await schedule()).entries.find((e) => e.status === 'scheduled')!;
    const year = s.plan.year;
    const supervisorPage = await browser();
    await login(supervisorPage, 'sun-li');
    await supervisorPage.goto(`${url}/#/board/${year}`);
    await supervisorPage.waitForSelector('#form-reschedule');
    expect(await supervisorPage.locator('#form-calendar').count()).toBe(0);

    const page = await browser();
    await login(page, 'admin');
    await page.goto(`${url}/#/board/${year}`);
    await page.waitForSelector('#form-calendar');
    await page.fill('#form-calendar input[name=source]', `国务院办公厅关于${year}年部分节假日安排的通知（测试）`);
    // One holiday on the scheduled county's date, written as the notice gives it.
    await page.fill(
      '#form-calendar textarea[name=holidays]',
      `元旦，${year}-01-01，${year}-01-01\n测试假日,${entry.date},${entry.date}`,
    );
    await page.click('#form-calendar button[type=submit]');
    await page.waitForSelector('#calendar-results');
    expect(await page.textContent('#form-calendar-feedback')).toContain(`${year} 年节假日安排已应用`);
    const moved = (await schedule()).entries.find((e) => e.county === entry.county)!;
    expect(moved.date > entry.date).toBe(true);
    expect(await page.textContent('#calendar-results')).toContain(`${entry.date} → ${moved.date}`);
    // The board redraws itself every 2 s here: the results stay under the form.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await page.locator('#calendar-results').count()).toBe(1);
    await page.screenshot({ path: path.join(RESULTS, 'e2e-calendar.png'), fullPage: true });
  });
});
