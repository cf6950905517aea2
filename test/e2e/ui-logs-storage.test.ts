// The Storage and Logs pages in a real browser (Debian's Chromium via playwright-core) over the web
// console of a real `berth serve --console`: images pushed over the registry API show up on the
// Storage page largest first; a repository deleted behind the page's back shows as unreferenced
// space, which the garbage collection offered there (dry run, then the run) frees, and the totals
// follow. A 404 and a 401 are then found on the Logs page by filtering on level and repository,
// reached from the navigation by keyboard. Screenshots go to test-results/screenshots/, and the
// browser console must stay free of errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { StorageUsage } from '../../preload/contract';
import { formatBytes } from '../../preload/contract/format-bytes';
import { consoleCall, startBerthConsole, type BerthConsole } from '../support/berth-console';
import { openChromium, type BrowserSession } from '../support/browser';
import { expectStatus, pushImage } from '../support/oci';
import { useE2EHooks } from '../support/processes';

useE2EHooks();

let berth: BerthConsole;
let browser: BrowserSession;
let page: Page;

before(async () => {
  berth = await startBerthConsole();
  browser = await openChromium();
  page = browser.page;
});

after(() => {
  if (browser?.errors.length) process.stderr.write(`# browser errors:\n${browser.errors.join('\n')}\n`);
});

function card(name: string) {
  return page.getByRole('region', { name, exact: true });
}

/** The repository names in the size table, top to bottom. */
async function sizeOrder(): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Repositories by size' });
  await table.waitFor();
  return (await table.locator('tbody tr td:first-child a').allTextContents()).map((s) => s.trim());
}

test('Storage: pushed repositories largest first; GC from the page frees what a deleted repository left', { timeout: 180_000 }, async () => {
  await pushImage(berth.registryUrl, 'shop/small', 'v1', { layerCount: 1, layerSize: 2_000 });
  await pushImage(berth.registryUrl, 'shop/big', 'v1', { layerCount: 2, layerSize: 400_000 });
  await pushImage(berth.registryUrl, 'shop/medium', 'v1', { layerCount: 2, layerSize: 60_000 });
  await pushImage(berth.registryUrl, 'doomed', 'v1', { layerCount: 3, layerSize: 250_000 });

  await page.goto(berth.openUrl);
  await page.getByTestId('registry-status').filter({ hasText: 'Running on' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Storage' }).click();
  await page.getByRole('heading', { level: 1, name: 'Storage' }).waitFor();
  assert.deepEqual(await sizeOrder(), ['shop/big', 'doomed', 'shop/medium', 'shop/small']);
  const before = await consoleCall<StorageUsage>(berth, 'storage.usage');
  await page.getByTestId('stored-bytes').filter({ hasText: formatBytes(before.totals.blobBytes) }).waitFor();
  assert.equal(await page.getByTestId('unreferenced-bytes').textContent(), '0 B');
  await browser.screenshot('storage-by-size');

  // Deleted elsewhere (another window, the API): the page shows the space as unreferenced.
  await consoleCall(berth, 'catalog.deleteRepository', { repository: 'doomed' });
  const doomed = before.repositories.find((r) => r.name === 'doomed')!;
  await card('Space').getByRole('button', { name: 'Refresh' }).click();
  await page.getByTestId('unreferenced-bytes').filter({ hasText: formatBytes(doomed.bytes) }).waitFor();
  assert.deepEqual(await sizeOrder(), ['shop/big', 'shop/medium', 'shop/small']);

  const gc = card('Garbage collection');
  await gc.getByRole('button', { name: 'Dry run' }).click();
  await gc.locator('.notice-info').filter({ hasText: `free ${formatBytes(doomed.bytes)}` }).waitFor();
  await gc.getByRole('button', { name: 'Collect garbage…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete unreferenced data' }).click();
  await gc.locator('.notice-success').filter({ hasText: `freeing ${formatBytes(doomed.bytes)}` }).waitFor();

  const afterGc = await consoleCall<StorageUsage>(berth, 'storage.usage');
  assert.equal(afterGc.totals.blobBytes, before.totals.blobBytes - doomed.bytes, 'the space is really freed');
  await page.getByTestId('stored-bytes').filter({ hasText: formatBytes(afterGc.totals.blobBytes) }).waitFor();
  assert.equal(await page.getByTestId('unreferenced-bytes').textContent(), '0 B');
  await browser.screenshot('storage-after-gc');
});

test('Logs: a 404 and a 401 found by level and repository, reached by keyboard', { timeout: 120_000 }, async () => {
  await expectStatus(await fetch(`${berth.registryUrl}/v2/shop/small/manifests/no-such-tag`), 404);
  await consoleCall(berth, 'users.add', { user: 'alice', password: 'logs-e2e-password', role: 'write' });
  await consoleCall(berth, 'settings.update', { auth: { enabled: true } });
  await expectStatus(await fetch(`${berth.registryUrl}/v2/shop/small/tags/list`), 401);
  await expectStatus(await fetch(`${berth.registryUrl}/v2/shop/medium/tags/list`, { headers: { authorization: `Basic ${Buffer.from('alice:wrong-password').toString('base64')}` } }), 401);

  // To the Logs entry of the navigation with the keyboard only.
  await page.goto(`${berth.url}/#/registry`);
  await page.getByTestId('registry-status').filter({ hasText: 'Running on' }).waitFor();
  const logsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs' });
  for (let i = 0; i < 40 && !(await logsLink.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
  const table = page.getByRole('table', { name: 'Log entries' });
  const row = (text: string) => table.getByRole('row').filter({ hasText: text });
  await row('PUT /v2/shop/small/manifests/v1').first().waitFor();

  await page.getByLabel('Level').selectOption({ label: 'Warnings and errors' });
  await page.getByLabel('Repository').fill('shop/small');
  await row('shop/medium').first().waitFor({ state: 'detached' });
  await row('GET /v2/shop/small/tags/list').filter({ hasText: '401' }).waitFor();
  await row('GET /v2/shop/small/manifests/no-such-tag').filter({ hasText: '404' }).waitFor();
  await row('PUT /v2/shop/small/manifests/v1').first().waitFor({ state: 'detached' });
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-level'), tr.textContent ?? '']));
  assert.ok(rows.length >= 2 && rows.every(([level, text]) => level !== 'info' && text!.includes('shop/small')), JSON.stringify(rows));
  assert.ok(!rows.some(([, text]) => text!.includes('shop/medium')), 'the other repository is filtered out');
  await browser.screenshot('logs-warnings-by-repository');

  await page.getByLabel('Repository').fill('shop/medium');
  await row('GET /v2/shop/medium/tags/list').filter({ hasText: '401' }).waitFor();
  await page.getByLabel('Level').selectOption({ label: 'Errors only' });
  await page.getByText('No entry matches these filters.').waitFor();
  await page.getByLabel('Repository').fill('Shop/');
  await page.locator('.field-error').filter({ hasText: 'lower case' }).waitFor();

  const text = await page.locator('main').textContent();
  assert.ok(!text?.includes('logs-e2e-password') && !text?.includes('wrong-password'));
  assert.deepEqual(browser.errors, []);
});
