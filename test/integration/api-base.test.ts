// end-1 and what every route shares: the version header, the JSON envelope for unknown
// endpoints, and 405 UNSUPPORTED with Allow for a method a route does not have.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, expectStatus, raw, headerOf } from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

describe('API base', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('GET /v2/ answers 200 {} with Docker-Distribution-API-Version', async () => {
    const res = await fetch(`${reg.url}/v2/`);
    const body = await expectStatus(res, 200);
    assert.equal(body.toString(), '{}');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('content-length'), '2');
  });

  it('HEAD /v2/ answers 200 with no body', async () => {
    const res = await fetch(`${reg.url}/v2/`, { method: 'HEAD' });
    const body = await expectStatus(res, 200);
    assert.equal(body.length, 0);
  });

  it('GET /v2 without the trailing slash is the same endpoint', async () => {
    const res = await fetch(`${reg.url}/v2`);
    assert.equal((await expectStatus(res, 200)).toString(), '{}');
  });

  it('an unknown path under /v2/ is a 404 with the error envelope and the version header', async () => {
    for (const path of ['/v2/nothing-here', '/v2/a/b/unknown/x', '/v3/', '/v2/a/blobs']) {
      const res = await fetch(`${reg.url}${path}`);
      assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0', path);
      await expectError(res, 404, 'UNSUPPORTED');
    }
  });

  it('GET / is an empty 200 with Cache-Control: no-cache (distribution\'s liveness answer)', async () => {
    const res = await fetch(`${reg.url}/`);
    assert.equal((await expectStatus(res, 200)).length, 0);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
  });

  it('a method the route does not support is 405 UNSUPPORTED with Allow', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['POST', '/v2/', /GET/],
      ['DELETE', '/v2/_catalog', /GET/],
      ['PUT', '/v2/repo/tags/list', /GET/],
      ['POST', '/v2/repo/manifests/latest', /PUT/],
      ['PUT', `/v2/repo/blobs/sha256:${'a'.repeat(64)}`, /DELETE/],
      ['GET', '/v2/repo/blobs/uploads/', /POST/],
      ['POST', `/v2/repo/referrers/sha256:${'a'.repeat(64)}`, /GET/],
    ];
    for (const [method, path, allow] of cases) {
      const res = await raw(reg.url, { method, path });
      await expectError(res, 405, 'UNSUPPORTED');
      assert.match(headerOf(res, 'allow') ?? '', allow, `${method} ${path}`);
      assert.equal(headerOf(res, 'docker-distribution-api-version'), 'registry/2.0');
    }
  });
});
