// Route matching for /v2/ paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute } from '../../../../main/registry/http/routes';

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
