// Every failure is the OCI error envelope; the name, tag and digest grammars are enforced; and
// no request, however its path is encoded, can read or write a file outside the storage root.
// Traversal paths go out through node:http with a raw path, since fetch would normalise them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  MT, expectError, expectStatus, headerOf, pushBlob, pushImage, putManifest, raw, sha256,
} from '../support/oci';
import { JOURNAL_DIR } from '../../main/registry/storage/driver/filesystem';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { testRegistryYaml } from '../support/registry-yaml';

const SECRET = `berth-secret-${randomBytes(8).toString('hex')}`;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

describe('name, tag and digest grammar', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('invalid repository names are NAME_INVALID on every route', async () => {
    const names = ['Upper', 'a/B', '-a', 'a-', 'a_', '_a', 'a___b', 'a/_manifests', 'a/_layers/x', 'a//b', 'a/', '.a', 'a..b', 'a%20b', 'a%00b', 'a%2F..%2Fb', 'x'.repeat(256)];
    for (const name of names) {
      for (const [method, suffix] of [
        ['GET', '/tags/list'], ['GET', '/manifests/latest'], ['PUT', '/manifests/latest'],
        ['GET', `/blobs/${sha256('x')}`], ['POST', '/blobs/uploads/'], ['GET', `/referrers/${sha256('x')}`],
      ] as const) {
        const res = await raw(reg.url, { method, path: `/v2/${name}${suffix}`, headers: { 'Content-Type': MT.ociManifest }, body: method === 'PUT' ? Buffer.from('{}') : undefined });
        await expectError(res, 400, 'NAME_INVALID').catch((err: Error) => { throw new Error(`${method} /v2/${name}${suffix}: ${err.message}`); });
      }
    }
  });

  it('valid unusual names are accepted', async () => {
    for (const name of ['a', 'a0/b-c', 'a--b', 'a__b', 'a.b_c', 'x'.repeat(255), 'deeply/nested/path/of/components']) {
      const res = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
      await expectStatus(res, 202);
    }
  });

  it('invalid tags are TAG_INVALID on PUT and MANIFEST_UNKNOWN on GET, HEAD and DELETE; 128 characters is the longest valid tag', async () => {
    const img = await pushImage(reg.url, 'gram/tags', 'ok');
    for (const tag of ['-x', '.x', '.INVALID_MANIFEST_NAME', 'x'.repeat(129), 'a%2Fb', 'a+b', 'a%20b', 'tag!', 'caf%C3%A9']) {
      const res = await raw(reg.url, { method: 'PUT', path: `/v2/gram/tags/manifests/${tag}`, headers: { 'Content-Type': img.mediaType }, body: img.manifest });
      await expectError(res, 400, 'TAG_INVALID').catch((err: Error) => { throw new Error(`tag ${tag}: ${err.message}`); });
      // Nothing can exist under such a name: a lookup is "not found", as distribution and the spec's conformance suite expect.
      for (const method of ['GET', 'DELETE']) {
        const lookup = await raw(reg.url, { method, path: `/v2/gram/tags/manifests/${tag}` });
        await expectError(lookup, 404, 'MANIFEST_UNKNOWN').catch((err: Error) => { throw new Error(`${method} ${tag}: ${err.message}`); });
      }
      assert.equal((await raw(reg.url, { method: 'HEAD', path: `/v2/gram/tags/manifests/${tag}` })).status, 404, `HEAD ${tag}`);
    }
    for (const tag of ['x'.repeat(128), '_', 'A.b-c_D', '0']) {
      await expectStatus(await putManifest(reg.url, 'gram/tags', tag, img.manifest, img.mediaType), 201);
    }
  });

  it('invalid digests are DIGEST_INVALID on manifests, blobs, referrers and uploads', async () => {
    const bad = ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`, `sha256:${'a'.repeat(65)}`, 'sha256:', ':abc', `SHA256:${'a'.repeat(64)}`, `sha512:${'a'.repeat(64)}`];
    for (const d of bad) {
      await expectError(await raw(reg.url, { path: `/v2/gram/dig/manifests/${d}` }), 400, 'DIGEST_INVALID');
      await expectError(await raw(reg.url, { path: `/v2/gram/dig/blobs/${d}` }), 400, 'DIGEST_INVALID');
      await expectError(await raw(reg.url, { path: `/v2/gram/dig/referrers/${d}` }), 400, 'DIGEST_INVALID');
      await expectError(await raw(reg.url, { method: 'POST', path: `/v2/gram/dig/blobs/uploads/?digest=${encodeURIComponent(d)}`, body: Buffer.from('x') }), 400, 'DIGEST_INVALID');
    }
  });
});

describe('no request reaches outside the storage root', () => {
  let reg: TestRegistry;
  let dataDir: string;
  let blob: string;
  let manifest: Buffer;
  before(async () => {
    reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { dataDir: `${root}/outer/inner/data` }) });
    dataDir = `${reg.root}/outer/inner/data`;
    // Bait outside the root: files a traversal would reach, with content we can recognise.
    await mkdir(`${reg.root}/outer/inner`, { recursive: true });
    await writeFile(`${reg.root}/outer/secret`, SECRET);
    await writeFile(`${reg.root}/outer/inner/link`, SECRET);
    await mkdir(`${reg.root}/outer/inner/data-sibling`, { recursive: true });
    await writeFile(`${reg.root}/outer/inner/data-sibling/data`, SECRET);
    blob = await pushBlob(reg.url, 'a', Buffer.from('legit'));
    manifest = (await pushImage(reg.url, 'a', 'latest')).manifest;
  });
  after(async () => { await reg.stop(); });

  it('traversal attempts in names, tags, digests and upload ids are refused with 4xx envelopes', async () => {
    const hex = blob.slice('sha256:'.length);
    const reads = [
      '/v2/../../etc/passwd',
      '/v2/../../../../../../etc/passwd',
      '/v2/..%2f..%2fetc%2fpasswd/tags/list',
      '/v2/a/%2e%2e/%2e%2e/blobs/' + blob,
      '/v2/a/%252e%252e/%252e%252e/tags/list',
      '/v2/%2e%2e/%2e%2e/%2e%2e/secret/tags/list',
      '/v2/a/..%2f..%2f..%2f..%2f..%2fsecret/tags/list',
      '/v2/a/..%2F..%2F..%2F..%2F..%2F..%2Fouter/tags/list',
      '/v2/a/manifests/..%2f..%2f..%2f..%2f..%2f..%2fsecret',
      '/v2/a/manifests/..%5c..%5c..%5csecret',
      '/v2/a/manifests/%252e%252e',
      '/v2/a/blobs/sha256:..%2f..%2f..%2fsecret',
      `/v2/a/blobs/sha256:${hex}%2f..%2f..`,
      '/v2/a/blobs/uploads/..%2f..%2f..%2fsecret',
      '/v2/a/blobs/uploads/%252e%252e',
      '/v2/a/blobs/uploads/...',
      '/v2/a/blobs/uploads/.x',
      '/v2/a/blobs/uploads/..%5c..%5csecret',
      '/v2/a/referrers/..%2f..%2fsecret',
      '/v2/a%2f..%2f..%2f..%2f..%2f..%2fouter/tags/list',
      '/v2/a%00/tags/list',
      '/v2/%2e%2e%2f%2e%2e%2fouter/tags/list',
    ];
    // `fallback`: the spec's answer to an unusable mount is a fresh upload session (202).
    const writes: Array<{ method: string; path: string; body?: Buffer; headers?: Record<string, string>; fallback?: true }> = [
      { method: 'PUT', path: '/v2/a/manifests/..%2f..%2f..%2f..%2f..%2f..%2fpwned', body: manifest, headers: { 'Content-Type': MT.ociManifest } },
      { method: 'PUT', path: '/v2/..%2f..%2f..%2fpwned/manifests/latest', body: manifest, headers: { 'Content-Type': MT.ociManifest } },
      { method: 'PUT', path: '/v2/a/%2e%2e/%2e%2e/pwned/manifests/latest', body: manifest, headers: { 'Content-Type': MT.ociManifest } },
      { method: 'POST', path: '/v2/..%2f..%2f..%2fpwned/blobs/uploads/' },
      { method: 'POST', path: '/v2/a/%252e%252e/pwned/blobs/uploads/' },
      { method: 'POST', path: `/v2/a/blobs/uploads/?mount=${blob}&from=..%2F..%2F..%2Fouter` },
      { method: 'POST', path: '/v2/a/blobs/uploads/?mount=sha256:..%2F..%2Fsecret&from=a', fallback: true },
      { method: 'POST', path: '/v2/a/blobs/uploads/?mount=sha256:..%2F..%2Fsecret', fallback: true },
      { method: 'POST', path: `/v2/a/blobs/uploads/?digest=sha256:..%2F..%2Fpwned`, body: Buffer.from('x') },
      { method: 'PATCH', path: '/v2/a/blobs/uploads/..%2f..%2f..%2fpwned', body: Buffer.from('x') },
      { method: 'PATCH', path: '/v2/a/blobs/uploads/...', body: Buffer.from('x') },
      { method: 'PUT', path: `/v2/a/blobs/uploads/..%2f..%2fpwned?digest=${sha256('x')}`, body: Buffer.from('x') },
      { method: 'PUT', path: `/v2/a/blobs/uploads/.pwned?digest=${sha256('x')}`, body: Buffer.from('x') },
      { method: 'DELETE', path: '/v2/a/manifests/..%2f..%2f..%2f..%2fouter' },
      { method: 'DELETE', path: '/v2/..%2f..%2fouter/blobs/' + blob },
      { method: 'DELETE', path: '/v2/a/blobs/uploads/..%2f..%2f..' },
      { method: 'DELETE', path: '/v2/a/blobs/uploads/...' },
    ];
    const all: Array<{ method: string; path: string; body?: Buffer; headers?: Record<string, string>; fallback?: true }> =
      [...reads.map((path) => ({ method: 'GET', path })), ...reads.map((path) => ({ method: 'HEAD', path })), ...writes];
    for (const req of all) {
      const res = await raw(reg.url, req);
      const what = `${req.method} ${req.path} → ${res.status} ${res.body.toString()}`;
      if (req.fallback) {
        assert.equal(res.status, 202, what);
        assert.match(headerOf(res, 'location') ?? '', /\/v2\/a\/blobs\/uploads\/[0-9a-f-]{36}$/, what);
        continue;
      }
      assert.ok(res.status >= 400 && res.status < 500, what);
      assert.equal(headerOf(res, 'docker-distribution-api-version'), 'registry/2.0', what);
      assert.ok(!res.body.includes(SECRET), what);
      assert.ok(!res.body.includes('root:'), what);
      if (req.method !== 'HEAD') assert.ok(JSON.parse(res.body.toString()).errors?.length > 0, what);
    }
  });

  it('nothing was created or removed outside the root, and the bait is intact', async () => {
    const outside = (await walk(reg.root))
      .map((p) => relative(reg.root, p))
      .filter((p) => p !== 'outer/inner/data' && !p.startsWith('outer/inner/data/'))
      .sort();
    assert.deepEqual(outside, ['outer', 'outer/inner', 'outer/inner/data-sibling', 'outer/inner/data-sibling/data', 'outer/inner/link', 'outer/secret']);
    const inside = (await walk(dataDir)).map((p) => relative(dataDir, p));
    assert.ok(inside.every((p) => p === 'docker' || p === 'docker/registry' || p.startsWith('docker/registry/v2') || p === JOURNAL_DIR || p.startsWith(`${JOURNAL_DIR}/`)), inside.join('\n'));
    assert.ok(!inside.some((p) => /pwned|secret|outer/.test(p)), inside.join('\n'));
    // The legitimate content is still served.
    assert.equal((await expectStatus(await fetch(`${reg.url}/v2/a/blobs/${blob}`), 200)).toString(), 'legit');
  });
});
