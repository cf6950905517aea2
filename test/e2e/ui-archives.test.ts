// Import and export on the Catalog page in a real browser (Debian's Chromium via playwright-core)
// over the web console of a real `berth serve --console`: an archive written by Berth's export
// code (from a separate registry, in this test) is set on the page's file input; the upload's
// progress bar shows, then the summary, and the image is in the catalog and pullable over the
// registry API. Then one tag is ticked and exported: the download is a valid archive holding
// that tag's manifest and blobs (the desktop app saves through its save dialog instead:
// ui-archives-desktop.test.ts). An archive dropped on the import card (a real drop event carrying
// a File in its DataTransfer) is imported the same way. Screenshots ui-import-summary, ui-export
// and ui-import-dropped.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { exportImages } from '../../main/archive/export';
import { parseExportRef } from '../../main/archive/export-ref';
import { startBerthConsole, type BerthConsole } from '../support/berth-console';
import { openChromium, recordProgress, type BrowserSession } from '../support/browser';
import { tempDir } from '../support/cleanup';
import { startControl, type ControlFixture } from '../support/control';
import { expectStatus, pushImage, type PushedImage } from '../support/oci';
import { useE2EHooks } from '../support/processes';
import { entryJson, readTarEntries } from '../support/tar-read';

useE2EHooks();

let berth: BerthConsole;
let source: ControlFixture;
let browser: BrowserSession;
let page: Page;

before(async () => {
  berth = await startBerthConsole();
  source = await startControl();
  browser = await openChromium();
  page = browser.page;
});

after(async () => {
  if (browser?.errors.length) process.stderr.write(`# browser errors:\n${browser.errors.join('\n')}\n`);
  await source?.close();
});

function card(name: string) {
  return page.getByRole('region', { name, exact: true });
}

test('Catalog: import an archive with a progress bar and a summary, export a ticked tag as a download', { timeout: 180_000 }, async () => {
  // Three layers of 1.5 MB: the upload takes several 1 MiB chunks.
  const image: PushedImage = await pushImage(source.url(), 'e2e/imported', 'v1', { layerCount: 3, layerSize: 1_500_000 });
  const archive = join(await tempDir('berth-ui-archive-'), 'imported.tar');
  await exportImages(source.runtime.registry!.store, { refs: [parseExportRef('e2e/imported:v1')], file: archive });

  await page.goto(berth.openUrl);
  await page.getByTestId('registry-status').filter({ hasText: 'Running on' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();

  // Every value the progress bar takes is recorded, however fast the upload.
  const progressSeen = await recordProgress(page);
  const importCard = card('Import archive');
  await importCard.getByRole('button', { name: 'Choose an archive…' }).waitFor();
  await importCard.getByLabel('Archive file').setInputFiles(archive);
  const summary = importCard.locator('.notice-success');
  await summary.filter({ hasText: 'e2e/imported:v1' }).waitFor();
  assert.match(await summary.textContent() ?? '', /Imported 1 image: stored 4 blobs/);
  const seen = await progressSeen();
  assert.ok(seen.length >= 2, `the progress bar showed (${JSON.stringify(seen)})`);
  assert.ok(seen.some(([v, max]) => v > 0 && v < max), 'it showed the transfer part-way');
  await page.getByRole('list', { name: 'Repository list' }).getByRole('link', { name: /e2e\/imported/ }).waitFor();
  await browser.screenshot('ui-import-summary');

  const pulled = await expectStatus(await fetch(`${berth.registryUrl}/v2/e2e/imported/manifests/v1`, { headers: { Accept: image.mediaType } }), 200);
  assert.ok(pulled.equals(image.manifest), 'the imported image is pullable');

  await page.getByRole('list', { name: 'Repository list' }).getByRole('link', { name: /e2e\/imported/ }).click();
  await page.getByRole('checkbox', { name: 'Choose v1 for export' }).check();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export 1 tag' }).click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'e2e_imported.tar');
  const saved = join(await tempDir('berth-ui-export-'), 'exported.tar');
  await download.saveAs(saved);
  await page.locator('.notice-success').filter({ hasText: 'Exported 1 image' }).waitFor();
  await browser.screenshot('ui-export');

  const entries = await readTarEntries(saved);
  const index = entryJson<{ manifests: Array<{ digest: string }> }>(entries, 'index.json');
  assert.ok(index.manifests.some((m) => m.digest === image.digest), 'index.json names the tag\'s manifest');
  for (const d of [image.digest, image.config.digest, ...image.layers.map((l) => l.digest)]) {
    assert.ok(entries.some((e) => e.name === `blobs/sha256/${d.slice(7)}` && e.digest === d), `blob ${d} is in the download`);
  }
  assert.deepEqual(browser.errors, []);
});

test('Catalog: an archive dropped on the import card is imported, listed and pullable', { timeout: 120_000 }, async () => {
  const image = await pushImage(source.url(), 'e2e/dropped', 'v1', { layerCount: 1, layerSize: 200_000 });
  const archive = join(await tempDir('berth-ui-drop-'), 'dropped.tar');
  await exportImages(source.runtime.registry!.store, { refs: [parseExportRef('e2e/dropped:v1')], file: archive });

  await page.goto(berth.openUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
  const importCard = card('Import archive');
  const zone = importCard.locator('.drop-zone');
  await zone.waitFor();
  // What a drag from the file manager hands the page: a DataTransfer holding the file.
  const dataTransfer = await page.evaluateHandle(({ base64, name }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'application/x-tar' }));
    return dt;
  }, { base64: (await readFile(archive)).toString('base64'), name: 'dropped.tar' });
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await importCard.locator('.drop-zone-over').waitFor();
  await zone.dispatchEvent('drop', { dataTransfer });

  const summary = importCard.locator('.notice-success');
  await summary.filter({ hasText: 'e2e/dropped:v1' }).waitFor();
  assert.match(await summary.textContent() ?? '', /Imported 1 image: stored 2 blobs/);
  assert.equal(await importCard.locator('.drop-zone-over').count(), 0, 'the drop zone is no longer highlighted');
  await page.getByRole('list', { name: 'Repository list' }).getByRole('link', { name: /e2e\/dropped/ }).waitFor();
  await browser.screenshot('ui-import-dropped');

  const pulled = await expectStatus(await fetch(`${berth.registryUrl}/v2/e2e/dropped/manifests/v1`, { headers: { Accept: image.mediaType } }), 200);
  assert.ok(pulled.equals(image.manifest), 'the dropped image is pullable');
  assert.deepEqual(browser.errors, []);
});
