// The rules for non-distributable layers as pure functions: which layers are external, and
// which URLs validation.manifests.urls lets through (distribution's semantics, edge by edge).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidationConfig } from '../../../../main/config/types';
import { isExternalLayer, urlPolicy } from '../../../../main/registry/manifest/external-layers';

function validation(allow: string[], deny: string[], disabled = false): ValidationConfig {
  return { disabled, manifests: { urls: { allow, deny }, indexes: { platforms: 'all', platformlist: [] } } };
}

test('external means a non-distributable media type with at least one URL', () => {
  const nd = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
  for (const mediaType of [nd, `${nd}+gzip`, `${nd}+zstd`, 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip']) {
    assert.ok(isExternalLayer({ mediaType, urls: ['https://x/'] }), mediaType);
    assert.ok(!isExternalLayer({ mediaType, urls: [] }), `${mediaType} without urls`);
    assert.ok(!isExternalLayer({ mediaType }), `${mediaType} without urls`);
  }
  for (const mediaType of ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip', undefined]) {
    assert.ok(!isExternalLayer({ mediaType, urls: ['https://x/'] }), String(mediaType));
  }
});

test('URL policy: scheme and fragment always, then distribution\'s allow/deny', () => {
  const none = urlPolicy(validation([], []));
  assert.match(none('https://a.example/x') ?? '', /allow is empty/, 'no lists: nothing is allowed');

  const both = urlPolicy(validation(['^https://a\\.example/', 'mirror'], ['/denied/']));
  assert.equal(both('https://a.example/x'), undefined);
  assert.equal(both('http://b.example/mirror/x'), undefined, 'patterns are unanchored searches, any one of them');
  assert.equal(both('https://a.example/x#'), undefined, 'an empty fragment is no fragment');
  assert.match(both('https://a.example/denied/x') ?? '', /deny/);
  assert.match(both('https://c.example/x') ?? '', /allow/);
  assert.match(both('HTTPS://a.example/x') ?? '', /allow/, 'patterns see the URL as written');
  assert.match(both('ftp://a.example/x') ?? '', /http/);
  assert.match(both('https://a.example/x#y') ?? '', /fragment/);
  assert.match(both('a.example/x') ?? '', /not a URL/);

  const denyOnly = urlPolicy(validation([], ['bad']));
  assert.equal(denyOnly('https://good.example/'), undefined);
  assert.match(denyOnly('https://bad.example/') ?? '', /deny/);

  const off = urlPolicy(validation([], ['bad'], true));
  assert.equal(off('https://bad.example/'), undefined, 'validation disabled: no lists apply');
  assert.match(off('file:///etc/passwd') ?? '', /http/);
});
