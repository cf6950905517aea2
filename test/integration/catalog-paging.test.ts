// The catalog browser with 10,000 repositories: pages and filters are served from the in-memory
// catalog index, so a page costs no disk reads and stays fast. The repositories are written in
// distribution's layout directly on disk (a `_manifests` folder each), then the index rebuilt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startControl, type ControlFixture } from '../support/control';
import { eachLimited } from '../../main/lib/each-limited';

const N = 10_000;
let f: ControlFixture;

before(async () => {
  f = await startControl();
  const repos = join(f.dir, 'data', 'docker', 'registry', 'v2', 'repositories');
  const names = Array.from({ length: N }, (_, i) => `team-${String(i % 100).padStart(2, '0')}/app-${String(i).padStart(5, '0')}`);
  await eachLimited(names, 64, async (n) => { await mkdir(join(repos, n, '_manifests', 'tags'), { recursive: true }); });
  await f.runtime.registry!.store.catalog.load();
});
after(async () => { await f.close(); });

test('pages of 10,000 repositories are fast and complete', async () => {
  const first = await f.ok('catalog.repositories', { limit: 100 });
  assert.equal(first.total, N);
  assert.equal(first.items.length, 100);
  assert.equal(first.items[0]!.name, 'team-00/app-00000');

  const timings: number[] = [];
  for (const offset of [0, 2500, 5000, 9900]) {
    const t0 = performance.now();
    const page = await f.ok('catalog.repositories', { offset, limit: 100 });
    timings.push(performance.now() - t0);
    assert.equal(page.items.length, 100);
  }
  const t0 = performance.now();
  const filtered = await f.ok('catalog.repositories', { filter: 'team-42/', limit: 50 });
  timings.push(performance.now() - t0);
  assert.equal(filtered.total, 100);
  assert.ok(filtered.items.every((r) => r.name.startsWith('team-42/')));
  // Generous for slow CI machines; a per-repository disk read would take far longer.
  assert.ok(Math.max(...timings) < 50, `page calls took ${timings.map((t) => t.toFixed(1)).join(', ')} ms`);

  const last = await f.ok('catalog.repositories', { offset: N - 10, limit: 100 });
  assert.equal(last.items.length, 10);
});

test('the overview counts 10,000 repositories', async () => {
  const o = await f.ok('registry.overview', {});
  assert.equal(o.repositories, N);
  assert.equal(o.tags, 0);
  assert.ok(o.storageBytes >= 0);
});
