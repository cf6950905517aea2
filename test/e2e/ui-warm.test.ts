// The kept-warm card on the Home page in a real browser (Debian's Chromium via playwright-core)
// over the web console of a real `berth serve --console` that proxies Debian's docker-registry:
// each listed image shows its cached digest, size and state as fetched at start, an image the
// upstream lacks shows "Not found", and after the upstream moves a tag, the row's Fetch now
// button brings the new digest. The browser console must stay free of errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WarmList } from '../../preload/contract';
import { formatBytes } from '../../preload/contract/format-bytes';
import { shortDigest } from '../../renderer/src/lib/format';
import { consoleCall, startBerthConsole, type BerthConsole } from '../support/berth-console';
import { openChromium, type BrowserSession } from '../support/browser';
import { pushImage } from '../support/oci';
import { useE2EHooks } from '../support/processes';
import { startReferenceRegistry } from '../support/reference-registry';
import type { RegistryProcess } from '../support/registry-process';

useE2EHooks();

let upstream: RegistryProcess;
let berth: BerthConsole;
let browser: BrowserSession;

before(async () => {
  upstream = await startReferenceRegistry();
});
after(async () => {
  if (browser?.errors.length) process.stderr.write(`# browser errors:\n${browser.errors.join('\n')}\n`);
  await upstream?.stop();
});

test('Home: the kept-warm card shows each entry\'s state, and Fetch now picks up a moved tag', { timeout: 180_000 }, async () => {
  const first = await pushImage(upstream.url, 'team/base', '1', { layerCount: 2, layerSize: 30_000 });
  berth = await startBerthConsole({
    extraYaml: ['proxy:', `  remoteurl: ${upstream.url}`, 'berth:', '  proxy:', '    warm:', '      interval: 0', '      images: [team/base:1, team/absent:1]'].join('\n'),
  });
  const page = (browser = await openChromium()).page;
  await page.goto(berth.openUrl);
  await page.getByTestId('registry-status').filter({ hasText: 'Running on' }).waitFor();
  const card = page.getByRole('region', { name: 'Kept-warm images', exact: true });
  await card.waitFor();

  const row = card.getByTestId('warm-team/base:1');
  const absent = card.getByTestId('warm-team/absent:1');
  // Fetched at start; the page may have loaded before that finished, so Fetch all now settles it.
  await card.getByRole('button', { name: 'Fetch all now' }).click();
  await row.getByText(shortDigest(first.digest)).waitFor();
  const list = await consoleCall<WarmList>(berth, 'warm.list');
  const base = list.entries.find((e) => e.image === 'team/base:1')!;
  assert.equal(base.digest, first.digest);
  await row.getByText(formatBytes(base.bytes)).waitFor();
  assert.equal((await row.getByTestId('warm-state').textContent())?.trim(), 'Up to date');
  await absent.getByTestId('warm-state').filter({ hasText: /^Not found/ }).waitFor();
  await browser.screenshot('warm-card');

  const moved = await pushImage(upstream.url, 'team/base', '1', { layerCount: 1, layerSize: 10_000 });
  await row.getByRole('button', { name: 'Fetch team/base:1 now' }).click();
  await row.getByText(shortDigest(moved.digest)).waitFor();
  assert.equal((await consoleCall<WarmList>(berth, 'warm.list')).entries[0]!.digest, moved.digest);
  await browser.screenshot('warm-card-moved');
  assert.deepEqual(browser.errors, []);
});
