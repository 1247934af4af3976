/**
 * A real browser for the e2e tests: Debian's chromium (`apt-get install chromium`) driven by playwright-core,
 * headless, with its profile in the test's temporary directory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { tempDir, type RunningProgram } from './harness.js';

export const CHROMIUM = '/usr/bin/chromium';

/** in a `before` hook: skips the suite when chromium is missing (fails it in CI) */
export function skipWithoutChromium(context: Mocha.Context, suite: string): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  console.warn(`      ${CHROMIUM} missing (apt-get install chromium): ${suite} e2e skipped`);
  context.skip();
}

/** chromium with its profile in `dir` (1366×900, zh-CN), its first page, whose uncaught errors go to `pageErrors` */
export async function launchChromium(
  dir: string,
  options: BrowserContextOptions & { defaultTimeout: number; pageErrors: string[] },
): Promise<{ browser: BrowserContext; page: Page }> {
  const { defaultTimeout, pageErrors, ...contextOptions } = options;
  const browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    ...contextOptions,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(defaultTimeout);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { browser, page };
}

/** in an `afterEach` hook: when the test failed, a screenshot of the page and the program's output */
export async function reportFailure(context: Mocha.Context, page: Page | undefined, program: RunningProgram | undefined, prefix: string): Promise<void> {
  if (context.currentTest?.state !== 'failed' || !page) return;
  const path = join(tempDir(prefix), 'page.png');
  await page.screenshot({ path, fullPage: true }).catch(() => undefined);
  console.error(`      the page when it failed: ${path}\n      program output:\n${program?.output().slice(-2000)}`);
}
