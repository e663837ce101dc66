/**
 * Headless Chromium for the dashboard tests (Debian's `chromium`, driven by playwright-core): each
 * page in a fresh context with its own profile directory, closed together at the end.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../http/helpers';

export const CHROMIUM = '/usr/bin/chromium';

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
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      contexts.push(context);
      return context.pages()[0] ?? context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
    },
  };
}
