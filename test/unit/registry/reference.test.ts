// The name, tag and digest grammars of the distribution API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidName, isTag, parseDigest, parseReference } from '../../../main/registry/reference';
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
