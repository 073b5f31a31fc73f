/**
 * The browser fixture: Debian's chromium driven by playwright-core (docs/testing.md: the flags
 * below; never `playwright install`), launched once per test file. Each page gets its own
 * browser context, closed after the test. Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const ARTIFACTS = 'test-results';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface BrowserSuite {
  /** A fresh page of the web chat at `url`, signed in with `token`, online. */
  signedIn(url: string, token: string): Promise<Page>;
  /** Saves a screenshot of `page` as test-results/`name`.png. */
  screenshot(page: Page, name: string): Promise<void>;
}

/**
 * Registers the suite's hooks. Call it after the hooks that stop the gateway, so that (hooks
 * run in reverse order) the pages close before the gateway does.
 */
export function useBrowser(): BrowserSuite {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  return {
    async signedIn(url, token) {
      const context = await browser!.newContext({ viewport: { width: 1100, height: 640 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(5000);
      await page.goto(url);
      await page.fill('#token', token);
      await page.click('#signin-form button');
      await page.waitForSelector('#conn[data-state="online"]');
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
    },
  };
}

/** Types `text` into the message box and sends it. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}
