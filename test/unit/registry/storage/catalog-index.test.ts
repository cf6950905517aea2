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
  assert.deepEqual(await idx.all(), ['a', 'a/b', 'a-b', 'b', 'c/d/e']);
  assert.deepEqual(await idx.page(2), { names: ['a', 'a/b'], more: true });
  assert.deepEqual(await idx.page(2, 'a/b'), { names: ['a-b', 'b'], more: true });
  assert.deepEqual(await idx.page(2, 'b'), { names: ['c/d/e'], more: false });
  assert.deepEqual(await idx.page(10, 'aa'), { names: ['b', 'c/d/e'], more: false }, '`last` need not exist');
  idx.remove('a/b');
  assert.deepEqual(await idx.all(), ['a', 'a-b', 'b', 'c/d/e']);
});

test('the catalog index is rebuilt from distribution\'s layout on disk', async () => {
  const d = new InMemoryDriver();
  const root = '/docker/registry/v2/repositories';
  await d.putContent(`${root}/library/alpine/_manifests/tags/x/current/link`, Buffer.from('sha256:' + 'a'.repeat(64)));
  await d.putContent(`${root}/only-layers/_layers/sha256/${'b'.repeat(64)}/link`, Buffer.from('x'));
  await d.putContent(`${root}/nested/a/_manifests/revisions/sha256/${'c'.repeat(64)}/link`, Buffer.from('x'));
  await d.putContent(`${root}/nested/_manifests/revisions/sha256/${'c'.repeat(64)}/link`, Buffer.from('x'));
  const idx = new CatalogIndex(d);
  await idx.load();
  assert.deepEqual(await idx.all(), ['library/alpine', 'nested', 'nested/a']);
});

test('the tree is read in the background: listing waits for it, and pushes and deletes meanwhile are kept', async () => {
  const d = new InMemoryDriver();
  const root = '/docker/registry/v2/repositories';
  const names = Array.from({ length: 2000 }, (_, i) => `team/r${String(i).padStart(4, '0')}`);
  for (const n of names) await d.putContent(`${root}/${n}/_manifests/tags/x/current/link`, Buffer.from('sha256:' + 'a'.repeat(64)));
  const idx = new CatalogIndex(d);
  const loading = idx.load();
  // While the tree is read (thousands of listings, so many turns of the event loop): a push to
  // a new repository, and the deletion of one the read may already have seen.
  idx.add('zzz/new');
  idx.remove('team/r0001');
  assert.ok(idx.size < names.length, 'the read has not finished yet');
  const page = await idx.page(3);
  assert.deepEqual(page, { names: ['team/r0000', 'team/r0002', 'team/r0003'], more: true });
  await loading;
  const all = await idx.all();
  assert.equal(all.length, names.length);
  assert.equal(all.at(-1), 'zzz/new');
  assert.equal(await idx.has('team/r0001'), false);
});

test('a read that failed is tried again by the next call that lists', async () => {
  const d = new InMemoryDriver();
  let failing = true;
  const list = d.list.bind(d);
  d.list = async (path) => {
    if (failing) throw new Error('EIO');
    return list(path);
  };
  await d.putContent('/docker/registry/v2/repositories/a/_manifests/tags/x/current/link', Buffer.from('x'));
  const idx = new CatalogIndex(d);
  await assert.rejects(idx.load(), /EIO/);
  failing = false;
  assert.deepEqual(await idx.all(), ['a']);
});
