// The catalog's ordering and pagination, and rebuilding it from the layout on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CatalogIndex, catalogOrder } from '../../../../main/registry/storage/catalog-index';
import { InMemoryDriver } from '../../../../main/registry/storage/driver/inmemory';

test('the catalog orders component-wise and pages strictly after `last`', async () => {
  assert.ok(catalogOrder('a/b', 'a-b') < 0, "'/' sorts before '-' as in distribution");
  const idx = new CatalogIndex(new InMemoryDriver());
  for (const n of ['b', 'a-b', 'a/b', 'c/d/e', 'a']) idx.add(n);
  idx.add('a'); // idempotent
  assert.deepEqual(idx.all(), ['a', 'a/b', 'a-b', 'b', 'c/d/e']);
  assert.deepEqual(idx.page(2), { names: ['a', 'a/b'], more: true });
  assert.deepEqual(idx.page(2, 'a/b'), { names: ['a-b', 'b'], more: true });
  assert.deepEqual(idx.page(2, 'b'), { names: ['c/d/e'], more: false });
  assert.deepEqual(idx.page(10, 'aa'), { names: ['b', 'c/d/e'], more: false }, '`last` need not exist');
  idx.remove('a/b');
  assert.deepEqual(idx.all(), ['a', 'a-b', 'b', 'c/d/e']);
});

test('the catalog index is rebuilt from distribution\'s layout on disk', async () => {
  const d = new InMemoryDriver();
  const root = '/docker/registry/v2/repositories';
  await d.putContent(`${root}/library/alpine/_manifests/tags/x/current/link`, Buffer.from('sha256:' + 'a'.repeat(64)));
  await d.putContent(`${root}/only-layers/_layers/sha256/${'b'.repeat(64)}/link`, Buffer.from('x'));
  await d.putContent(`${root}/nested/a/_manifests/revisions/sha256/${'c'.repeat(64)}/link`, Buffer.from('x'));
  await d.putContent(`${root}/nested/_manifests/revisions/sha256/${'c'.repeat(64)}/link`, Buffer.from('x'));
  const idx = new CatalogIndex(d);
  await idx.rebuild();
  assert.deepEqual(idx.all(), ['library/alpine', 'nested', 'nested/a']);
});
