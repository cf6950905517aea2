// Export from the desktop app's window in a real browser (Debian's Chromium via playwright-core)
// over its IPC face: the built main process under the Electron stand-in, the real preload in the
// page, every call through registerControlIpc (test/support/desktop-window.ts). Export asks
// where to save in the native save dialog (the stand-in's dialog.showSaveDialog, answered by the
// test as the user would) and the main process writes the archive there, the page showing the
// writing's progress and then the path: a ticked repository gives an archive holding both its
// tags (index.json, and skopeo reading each by name), a ticked tag gives that tag alone, and a
// cancelled dialog writes nothing and shows no error. No download happens on this face.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openChromium, recordProgress, type BrowserSession } from '../support/browser';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { launchDesktopApp, MAIN_BUNDLE, waitUntilRunning, type DesktopApp } from '../support/desktop-app';
import { installPreload, startAppBridge, type AppBridge } from '../support/desktop-window';
import { pushImage, type PushedImage } from '../support/oci';
import { useE2EHooks } from '../support/processes';
import { entryJson, readTarEntries } from '../support/tar-read';

useE2EHooks();

let app: DesktopApp;
let bridge: AppBridge;
let browser: BrowserSession;
let page: Page;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
let v1: PushedImage;
let v2: PushedImage;
let saveDir: string;
const downloads: string[] = [];

before(async () => {
  assert.ok(existsSync(MAIN_BUNDLE), `${MAIN_BUNDLE} is missing: run \`npm run build\` first`);
  skopeo = await prepareSkopeo();
  app = await launchDesktopApp({ name: 'berth desktop (export to file)' });
  await waitUntilRunning(app);
  bridge = await startAppBridge(app);
  browser = await openChromium();
  page = browser.page;
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  await installPreload(page, app, bridge);
  // Layers of a few MB, so the write takes long enough for its progress to show.
  v1 = await pushImage(app.registryUrl, 'e2e/app', 'v1', { layerCount: 2, layerSize: 4_000_000 });
  v2 = await pushImage(app.registryUrl, 'e2e/app', 'v2', { layerCount: 2, layerSize: 4_000_000 });
  await pushImage(app.registryUrl, 'e2e/other', 'v1', { layerCount: 1, layerSize: 1000 });
  saveDir = await tempDir('berth-ui-save-');
});

after(async () => {
  if (browser?.errors.length) process.stderr.write(`# browser errors:\n${browser.errors.join('\n')}\n`);
  const problems = app?.events.filter((e) => e.event === 'process.uncaughtException' || e.event === 'process.unhandledRejection') ?? [];
  assert.deepEqual(problems, [], 'the main process had no uncaught exception or unhandled rejection');
});

function blobBytes(...images: PushedImage[]): number {
  return images.reduce((n, i) => n + i.manifest.length + i.config.bytes.length + i.layers.reduce((m, l) => m + l.bytes.length, 0), 0);
}

function saveDialogsShown(): Array<{ options: { defaultPath: string; filters: Array<{ extensions: string[] }> }; modal: boolean }> {
  return app.events.filter((e) => e.event === 'dialog.showSaveDialog') as never;
}

test('a ticked repository is saved where the save dialog says, holding both its tags', { timeout: 180_000 }, async () => {
  await page.goto(`${bridge.url}/`);
  await page.getByTestId('registry-status').filter({ hasText: 'Running on' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
  const progressSeen = await recordProgress(page);

  const file = join(saveDir, 'whole-repository.tar');
  await app.request('dialog.answerSave', { filePath: file });
  await page.getByRole('checkbox', { name: 'Choose e2e/app for export' }).check();
  await page.getByRole('button', { name: 'Export 1 repository' }).click();
  await page.locator('.notice-success').filter({ hasText: `Exported 2 images` }).filter({ hasText: file }).waitFor();
  await browser.screenshot('ipc-export-saved');

  const [dialog] = saveDialogsShown();
  assert.match(dialog!.options.defaultPath, /\/Downloads\/berth-export-\d{4}-\d\d-\d\d\.tar$/);
  assert.deepEqual(dialog!.options.filters.flatMap((f) => f.extensions), ['tar']);
  assert.equal(dialog!.modal, true, 'the dialog is attached to the window');
  const seen = await progressSeen();
  assert.ok(seen.some(([, max]) => max === blobBytes(v1, v2)), `the writing's progress showed, out of every blob's bytes (${JSON.stringify(seen.slice(0, 5))})`);

  const entries = await readTarEntries(file);
  const index = entryJson<{ manifests: Array<{ digest: string; annotations?: Record<string, string> }> }>(entries, 'index.json');
  assert.deepEqual(index.manifests.map((m) => [m.annotations?.['org.opencontainers.image.ref.name'], m.digest]).sort(), [['e2e/app:v1', v1.digest], ['e2e/app:v2', v2.digest]]);
  for (const [tag, image] of [['v1', v1], ['v2', v2]] as const) {
    const raw = await skopeo(['inspect', '--raw', `oci-archive:${file}:e2e/app:${tag}`]);
    assert.equal(raw.stdout.trim(), image.manifest.toString('utf8').trim(), `skopeo reads e2e/app:${tag} from the saved file`);
  }
  assert.deepEqual(await readdir(saveDir), ['whole-repository.tar'], 'no temporary file is left');
  assert.deepEqual(downloads, [], 'nothing went through a download');
});

test('a cancelled save dialog writes nothing and says nothing; a ticked tag is saved alone', { timeout: 120_000 }, async () => {
  await page.getByRole('list', { name: 'Repository list' }).getByRole('link', { name: /e2e\/app/ }).click();
  await page.getByRole('checkbox', { name: 'Choose v1 for export' }).check();
  const shownBefore = saveDialogsShown().length;
  await app.request('dialog.answerSave', { canceled: true });
  const exportButton = page.getByRole('button', { name: 'Export 1 tag' });
  await exportButton.click();
  await app.waitFor('the save dialog', () => saveDialogsShown().length > shownBefore || undefined);
  await page.waitForFunction(() => !document.querySelector('.archive-export button')?.hasAttribute('disabled'));
  assert.equal(await page.locator('.archive-export [role="alert"], .archive-export .notice').count(), 0, 'no error and no summary');
  assert.deepEqual((await readdir(saveDir)).filter((f) => f !== 'whole-repository.tar'), [], 'nothing was written');

  const file = join(saveDir, 'one-tag.tar');
  await app.request('dialog.answerSave', { filePath: file });
  await exportButton.click();
  await page.locator('.notice-success').filter({ hasText: `Exported 1 image` }).filter({ hasText: file }).waitFor();
  const index = entryJson<{ manifests: Array<{ digest: string }> }>(await readTarEntries(file), 'index.json');
  assert.deepEqual(index.manifests.map((m) => m.digest), [v1.digest]);
  assert.deepEqual(downloads, []);
  assert.deepEqual(browser.errors, []);
});
