// Restart and upgrade: a store written by Berth 0.1.0 (test/fixtures/store-v0.1.0) still serves
// everything it holds with verified digests (tags sharing a digest, a multi-arch index, a
// cross-mounted layer, referrers with and without an artifactType filter), and an upload started
// before a restart of the server is completed after it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, startBerth } from '../support/berth-process';
import { tempDir } from '../support/cleanup';
import { MT, bodyOf, pushImage, sha256 } from '../support/oci';
import { useE2EHooks } from '../support/processes';
import { fetchTags, MANIFEST_ACCEPT } from '../support/registry-http';

useE2EHooks();

interface Expected {
  repositories: Record<string, {
    tags: Record<string, string>;
    manifests: Record<string, { mediaType: string; blobs: string[] }>;
    referrers: Record<string, Array<{ digest: string; artifactType: string }>>;
  }>;
}

async function getVerified(url: string, what: string, digest: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, `${what}: ${res.status} ${body.toString('utf8').slice(0, 200)}`);
  assert.equal(sha256(body), digest, `${what}: content does not match its digest`);
  return res;
}

/** Pulls every tag, manifest, blob and referrer `expected` lists, verifying every digest. */
async function assertServesFixture(url: string, expected: Expected): Promise<number> {
  let checks = 0;
  const catalog = (await (await fetch(`${url}/v2/_catalog`)).json()) as { repositories: string[] };
  for (const name of Object.keys(expected.repositories)) assert.ok(catalog.repositories.includes(name), `${name} missing from the catalog`);
  for (const [name, repo] of Object.entries(expected.repositories)) {
    assert.deepEqual(await fetchTags(url, name), Object.keys(repo.tags).sort(), `${name}: tags`);
    for (const [tag, digest] of Object.entries(repo.tags)) {
      const res = await getVerified(`${url}/v2/${name}/manifests/${tag}`, `${name}:${tag}`, digest, { Accept: MANIFEST_ACCEPT });
      assert.equal(res.headers.get('docker-content-digest'), digest);
      checks++;
    }
    for (const [digest, m] of Object.entries(repo.manifests)) {
      const res = await getVerified(`${url}/v2/${name}/manifests/${digest}`, `${name}@${digest}`, digest, { Accept: MANIFEST_ACCEPT });
      assert.equal(res.headers.get('content-type'), m.mediaType, `${name}@${digest}: media type`);
      checks++;
      for (const b of m.blobs) {
        await getVerified(`${url}/v2/${name}/blobs/${b}`, `${name} blob ${b}`, b);
        checks++;
      }
    }
    for (const [subject, refs] of Object.entries(repo.referrers)) {
      const all = (await (await fetch(`${url}/v2/${name}/referrers/${subject}`)).json()) as { manifests: Array<{ digest: string; artifactType?: string }> };
      assert.deepEqual(all.manifests.map((m) => m.digest).sort(), refs.map((r) => r.digest).sort(), `${name}: referrers of ${subject}`);
      for (const r of refs) {
        const res = await fetch(`${url}/v2/${name}/referrers/${subject}?artifactType=${encodeURIComponent(r.artifactType)}`);
        const filtered = (await res.json()) as { manifests: Array<{ digest: string }> };
        assert.deepEqual(filtered.manifests.map((m) => m.digest), [r.digest]);
        assert.equal(res.headers.get('oci-filters-applied'), 'artifactType');
      }
      checks++;
    }
  }
  return checks;
}

describe('restart and upgrade', () => {
  it('a store written by Berth 0.1.0 serves everything, before and after a restart, and takes new pushes', async () => {
    const fixture = join(repoRoot, 'test', 'fixtures', 'store-v0.1.0');
    const expected = JSON.parse(await readFile(join(fixture, 'expected.json'), 'utf8')) as Expected;
    const root = join(await tempDir('berth-upg-'), 'data');
    await cp(join(fixture, 'docker'), join(root, 'docker'), { recursive: true });

    let berth = await startBerth({ root });
    const checks = await assertServesFixture(berth.url, expected);
    process.stdout.write(`# fixture store-v0.1.0: ${checks} tag/manifest/blob/referrer checks passed\n`);
    const added = await pushImage(berth.url, 'fixture/added', 'new', { layerCount: 1 });
    const port = Number(new URL(berth.url).port);
    assert.equal((await berth.stop()).code, 0);

    berth = await startBerth({ root, port });
    await assertServesFixture(berth.url, expected);
    await getVerified(`${berth.url}/v2/fixture/added/manifests/new`, 'pushed after upgrade', added.digest, { Accept: MT.ociManifest });
    assert.equal((await berth.stop()).code, 0);
  });

  it('an upload started before a restart is completed after it', async () => {
    const root = join(await tempDir('berth-rst-'), 'data');
    let berth = await startBerth({ root });
    const blob = randomBytes(300_000);
    const digest = sha256(blob);
    const post = await fetch(`${berth.url}/v2/restart/up/blobs/uploads/`, { method: 'POST' });
    await post.arrayBuffer();
    const path = new URL(post.headers.get('location')!, berth.url).pathname;
    const first = await fetch(`${berth.url}${path}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-99999` }, body: bodyOf(blob.subarray(0, 100_000)),
    });
    await first.arrayBuffer();
    assert.equal(first.status, 202);
    const port = Number(new URL(berth.url).port);
    assert.equal((await berth.stop()).code, 0);

    berth = await startBerth({ root, port });
    // The session survived: the server reports the bytes it has, and the client carries on from there.
    const status = await fetch(`${berth.url}${path}`);
    await status.arrayBuffer();
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-99999');
    const second = await fetch(`${berth.url}${path}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `100000-199999` }, body: bodyOf(blob.subarray(100_000, 200_000)),
    });
    await second.arrayBuffer();
    assert.equal(second.status, 202);
    const put = await fetch(`${berth.url}${path}?digest=${digest}`, {
      method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bodyOf(blob.subarray(200_000)),
    });
    await put.arrayBuffer();
    assert.equal(put.status, 201, 'completing the upload after the restart');
    await getVerified(`${berth.url}/v2/restart/up/blobs/${digest}`, 'blob completed after restart', digest);
    assert.equal((await berth.stop()).code, 0);
  });
});
