// Debian's Chromium driven by playwright-core (never a downloaded browser): a fresh profile per
// test file, every console error and uncaught page error collected, screenshots kept under
// test-results/screenshots/ as artifacts.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './berth-process';
import { deferCleanup, tempDir } from './cleanup';

const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(repoRoot, 'test-results', 'screenshots');

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** "console.error: …" and "pageerror: …" lines seen so far. */
  errors: string[];
  /** Saves a full-page screenshot as test-results/screenshots/<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
}

export async function openChromium(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (apt-get install -y --no-install-recommends chromium)`);
  }
  const profile = await tempDir('berth-chr-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  deferCleanup('close chromium', () => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(30_000);
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    errors,
    async screenshot(name) {
      const file = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };
}

/**
 * Starts recording every [value, max] the page's progress bars take, however briefly they
 * show (a fast transfer passes through them between two polls); the function returned reads them.
 */
export async function recordProgress(page: Page): Promise<() => Promise<Array<[number, number]>>> {
  await page.evaluate(() => {
    const seen: Array<[number, number]> = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      for (const p of document.querySelectorAll('progress')) seen.push([p.value, p.max]);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  return () => page.evaluate(() => (window as unknown as { progressSeen: Array<[number, number]> }).progressSeen);
}
