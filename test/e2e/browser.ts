/**
 * Headless Chromium for the dashboard tests (Debian's `chromium`, driven by playwright-core): each
 * page in a fresh context with its own profile directory, closed together at the end.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../http/helpers';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

export { CHROMIUM } from './chromium';

export interface Browsers {
  /** A page in a new profile; the viewport defaults to 1360 × 820. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export function openBrowser(): Browsers {
  const contexts: BrowserContext[] = [];
  return {
    async page(viewport = { width: 1360, height: 820 }) {
      const context = await chromium.launchPersistentContext(tempDir('guidance-chromium-'), {
        executablePath: CHROMIUM,
        headless: true,
        acceptDownloads: true,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        viewport,
        args: CHROMIUM_ARGS,
      });
      contexts.push(context);
      return context.pages()[0] ?? context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
    },
  };
}
