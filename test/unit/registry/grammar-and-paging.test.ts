// Pure pieces of the registry: the name/tag/digest grammars, Range parsing, the catalog's
// ordering and pagination, and the upload Content-Range forms clients send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidName, isTag, parseDigest, parseReference } from '../../../main/registry/reference';
import { parseRange } from '../../../main/registry/http/range';
import { CatalogIndex, catalogOrder } from '../../../main/registry/storage/catalog-index';
import { InMemoryDriver } from '../../../main/registry/storage/driver/inmemory';
import { matchRoute } from '../../../main/registry/http/routes';
import { RegistryError } from '../../../main/registry/errors';

test('repository names follow the distribution grammar and length limit', () => {
  for (const ok of ['a', 'library/alpine', 'a-b/c.d/e__f', 'x0/y1', 'a--b']) assert.ok(isValidName(ok), ok);
  for (const bad of ['', 'A', 'a/', '/a', 'a//b', '..', 'a/../b', 'a/.b', '-a', 'a_', 'a___b', 'a b', 'a'.repeat(256)]) {
    assert.ok(!isValidName(bad), bad);
  }
});

test('tags are 1-128 word characters, dots and dashes, not starting with . or -', () => {
  assert.ok(isTag('latest'));
  assert.ok(isTag('_x'));
  assert.ok(isTag('a'.repeat(128)));
  assert.ok(!isTag('a'.repeat(129)));
  assert.ok(!isTag('.hidden'));
  assert.ok(!isTag('-x'));
  assert.ok(!isTag('a/b'));
});

test('digests need a registered algorithm with exact lower-case hex', () => {
  const hex = 'a'.repeat(64);
  assert.equal(parseDigest(`sha256:${hex}`)?.hex, hex);
  assert.equal(parseDigest(`sha256:${'A'.repeat(64)}`), undefined);
  assert.equal(parseDigest(`sha256:${hex}0`), undefined);
  assert.equal(parseDigest(`md5:${'a'.repeat(32)}`), undefined);
  assert.ok(parseDigest(`sha512:${'b'.repeat(128)}`));
  assert.throws(() => parseReference('sha256:zz'), (e: unknown) => e instanceof RegistryError && e.kind === 'digest-invalid');
  assert.throws(() => parseReference('.bad'), (e: unknown) => e instanceof RegistryError && e.kind === 'tag-invalid');
});

test('Range headers: single ranges, suffixes, open ends, unsatisfiable and ignored forms', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'range', start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'range', start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'range', start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=50-500', 100), { kind: 'range', start: 50, end: 99 });
  assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=9-3', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-1,5-6', 100), { kind: 'none' });
  assert.deepEqual(parseRange('items=0-1', 100), { kind: 'none' });
});

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

test('routes anchor on their suffix, so names may contain route words', () => {
  assert.deepEqual(pick(matchRoute('/v2/a/blobs/blobs/sha256:x')), { id: 'blob', name: 'a/blobs', param: 'sha256:x' });
  assert.deepEqual(pick(matchRoute('/v2/a/manifests/manifests/latest')), { id: 'manifest', name: 'a/manifests', param: 'latest' });
  assert.deepEqual(pick(matchRoute('/v2/a/blobs/uploads/')), { id: 'uploads', name: 'a', param: undefined });
  assert.deepEqual(pick(matchRoute('/v2/a/blobs/sha256%3Aabc')), { id: 'blob', name: 'a', param: 'sha256:abc' });
  assert.equal(matchRoute('/v3/a'), undefined);
});

function pick(m: ReturnType<typeof matchRoute>) {
  return m && { id: m.id, name: m.name, param: m.param };
}
