// The pull-through cache's bookkeeping: expiry (refreshed by every pull, 0 = never), LRU order
// for the size cap, followed vs pushed tags, and persistence across restarts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../../main/lib/logger';
import { CACHE_STATE_PATH, CacheState } from '../../../../main/registry/proxy/cache-state';
import { InMemoryDriver } from '../../../../main/registry/storage/driver/inmemory';

const D = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

async function fresh(driver = new InMemoryDriver()): Promise<{ cache: CacheState; driver: InMemoryDriver }> {
  const cache = new CacheState(driver, silentLogger);
  await cache.load();
  return { cache, driver };
}

test('entries expire ttl after their last pull; a pull refreshes them; ttl 0 never expires', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 1_000_000 });
  const { cache } = await fresh();
  cache.touch('library/a', D(1), 'blob', 10, 60_000);
  cache.touch('library/a', D(2), 'manifest', 5, 60_000);
  cache.touch('library/a', D(3), 'blob', 10, 0);
  assert.deepEqual(cache.expired(1_000_000 + 59_999), []);
  t.mock.timers.tick(30_000);
  cache.touch('library/a', D(1), 'blob', 10, 60_000); // pulled again
  assert.deepEqual(cache.expired(1_000_000 + 60_000).map((e) => e.digest), [D(2)]);
  assert.deepEqual(cache.expired(1_000_000 + 90_000).map((e) => e.digest).sort(), [D(1), D(2)]);
  assert.ok(!cache.expired(Number.MAX_SAFE_INTEGER).some((e) => e.digest === D(3)), 'ttl 0 keeps forever');
  await cache.close();
});

test('blobsByAge is least recently pulled first; cachedBytes counts blobs only', async (t) => {
  t.mock.timers.enable({ apis: ['Date', 'setInterval'], now: 0 });
  const { cache } = await fresh();
  for (const n of [1, 2, 3]) {
    cache.touch('r', D(n), 'blob', 100 * n, 0);
    t.mock.timers.tick(1000);
  }
  cache.touch('r', D(9), 'manifest', 7, 0);
  cache.touch('r', D(1), 'blob', 100, 0); // D(1) becomes the newest
  assert.deepEqual(cache.blobsByAge().map((e) => e.digest), [D(2), D(3), D(1)]);
  assert.equal(cache.cachedBytes(), 600);
  cache.forget('r', D(2));
  assert.equal(cache.cachedBytes(), 400);
  await cache.close();
});

test('tags follow the upstream until dropped; cached repositories are the ones with upstream content', async () => {
  const { cache } = await fresh();
  cache.setCachedTag('library/a', 'latest', D(1));
  cache.setCachedTag('library/a', 'v1', D(1));
  cache.setCachedTag('library/ab', 'latest', D(1));
  assert.equal(cache.cachedTag('library/a', 'latest'), D(1));
  assert.ok(cache.isCachedRepo('library/a'));
  assert.ok(!cache.isCachedRepo('library'), 'a prefix of a name is not that repository');
  cache.dropTagsOf('library/a', D(1));
  assert.equal(cache.cachedTag('library/a', 'latest'), undefined);
  assert.equal(cache.cachedTag('library/ab', 'latest'), D(1), 'another repository sharing a name prefix keeps its tag');
  assert.ok(!cache.isCachedRepo('library/a'));
  cache.touch('mine/pushed', D(5), 'blob', 1, 0);
  assert.ok(!cache.isCachedRepo('mine/pushed'), 'a cached blob alone does not make a repository cached');
  cache.touch('quay.io/x', D(6), 'manifest', 1, 0);
  assert.ok(cache.isCachedRepo('quay.io/x'));
  await cache.close();
});

test('release forgets what local namespaces hold: entries and tags of those repositories only', async () => {
  const { cache } = await fresh();
  cache.touch('team/app', D(1), 'manifest', 5, 60_000);
  cache.touch('team/app', D(2), 'blob', 10, 60_000);
  cache.setCachedTag('team/app', 'v1', D(1));
  cache.touch('teamwork/app', D(3), 'blob', 10, 60_000);
  cache.setCachedTag('library/a', 'v1', D(1));
  const isLocal = (repo: string) => repo === 'team' || repo.startsWith('team/');
  assert.equal(cache.release(isLocal), 3);
  assert.ok(!cache.isCached('team/app', D(1)) && !cache.isCached('team/app', D(2)));
  assert.equal(cache.cachedTag('team/app', 'v1'), undefined);
  assert.ok(!cache.isCachedRepo('team/app'));
  assert.ok(cache.isCached('teamwork/app', D(3)), 'a name that only starts with the same letters stays cached');
  assert.equal(cache.cachedTag('library/a', 'v1'), D(1));
  assert.deepEqual(cache.expired(Number.MAX_SAFE_INTEGER).map((e) => e.repo), ['teamwork/app'], 'nothing local can expire');
  await cache.close();
});

test('the state survives a restart (saved on close, loaded on start) and a corrupt file starts empty', async () => {
  const { cache, driver } = await fresh();
  cache.touch('library/a', D(1), 'blob', 42, 60_000);
  cache.setCachedTag('library/a', 'latest', D(2));
  await cache.close();
  const saved = JSON.parse((await driver.getContent(CACHE_STATE_PATH)).toString('utf8')) as { version: number };
  assert.equal(saved.version, 1);

  const { cache: again } = await fresh(driver);
  assert.ok(again.isCached('library/a', D(1)));
  assert.equal(again.cachedTag('library/a', 'latest'), D(2));
  assert.equal(again.cachedBytes(), 42);
  assert.equal(again.expired(Date.now() + 61_000).length, 1, 'the expiry time is kept, not restarted');
  await again.close();

  await driver.putContent(CACHE_STATE_PATH, Buffer.from('{not json'));
  const { cache: empty } = await fresh(driver);
  assert.equal(empty.cachedBytes(), 0);
  await empty.close();
});

test('pinned content (the kept-warm list) is never expired nor offered to the size cap; unpinned, it is again', async () => {
  const { cache } = await fresh();
  cache.touch('r', D(1), 'blob', 100, 1);
  cache.touch('r', D(2), 'manifest', 10, 1);
  cache.touch('other', D(1), 'blob', 100, 1);
  let pinned = true;
  cache.pinWith((repo, digest) => pinned && repo === 'r' && (digest === D(1) || digest === D(2)));
  const later = Date.now() + 1000;
  assert.deepEqual(cache.expired(later).map((e) => `${e.repo}@${e.digest}`), [`other@${D(1)}`], 'pinned per repository');
  assert.deepEqual(cache.blobsByAge().map((e) => e.repo), ['other']);
  pinned = false;
  assert.equal(cache.expired(later).length, 3);
  await cache.close();
});
