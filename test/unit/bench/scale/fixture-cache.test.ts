// The --scale bench's fixture cache: a store is generated once per spec and reused after, a
// different seed or size is another store, and a generation that never finished (no marker) is
// thrown away and done again rather than served half-written, as is one damaged since.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { ensureFixture, fixtureDir } from '../../../../bench/scale/fixture-cache';
import { runCleanups, tempDir } from '../../../support/cleanup';

after(runCleanups);

const spec = { repositories: 3, tags: 2, layersPerImage: 1, seed: 'cache' };

test('generates once, reuses after, and keys by spec', async () => {
  const cache = await tempDir('berth-scale-cache-');
  const first = await ensureFixture(cache, spec);
  assert.equal(first.reused, false);
  assert.equal(first.blobs, 3 * 3 + 4);
  assert.ok(existsSync(path.join(first.root, 'docker/registry/v2/repositories/ns-0000/app-0000002/_manifests/tags/latest/current/link')));
  const again = await ensureFixture(cache, spec);
  assert.equal(again.reused, true);
  assert.equal(again.root, first.root);
  assert.notEqual(fixtureDir(cache, { ...spec, seed: 'other' }), fixtureDir(cache, spec));
  assert.notEqual(fixtureDir(cache, { ...spec, repositories: 4 }), fixtureDir(cache, spec));
});

test('a store without its marker is generated again from scratch', async () => {
  const cache = await tempDir('berth-scale-cache-');
  const { root } = await ensureFixture(cache, spec);
  await rm(path.join(fixtureDir(cache, spec), 'fixture.json'));
  const stray = path.join(root, 'stray-from-an-interrupted-run');
  await writeFile(stray, 'x');
  const r = await ensureFixture(cache, spec);
  assert.equal(r.reused, false);
  assert.equal(existsSync(stray), false);
});

test('a store with repositories removed since it was generated is generated again', async () => {
  const cache = await tempDir('berth-scale-cache-');
  const { root } = await ensureFixture(cache, spec);
  await rm(path.join(root, 'docker/registry/v2/repositories/ns-0000/app-0000000'), { recursive: true });
  const logged: string[] = [];
  const r = await ensureFixture(cache, spec, (m) => logged.push(m));
  assert.equal(r.reused, false);
  assert.match(logged[0]!, /lacks ns-0000\/app-0000000: generating it again/);
  assert.ok(existsSync(path.join(root, 'docker/registry/v2/repositories/ns-0000/app-0000000/_manifests')));
});
