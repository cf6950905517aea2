// end-3 (GET/HEAD) and end-7 (PUT) of manifests: every manifest kind, exact bytes, the stored
// media type whatever Accept says, reference checks (MANIFEST_BLOB_UNKNOWN) and the size limit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  ALL_MANIFEST_TYPES, MT, descriptorOf, dockerList, dockerManifest, expectError, expectStatus, hexOf, json,
  ociIndex, ociManifest, pushBlob, pushImage, putManifest, sha256, v2Root,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { testRegistryYaml } from '../support/registry-yaml';

const MiB = 1024 * 1024;

async function getManifest(url: string, repo: string, ref: string, accept?: string, method = 'GET'): Promise<Response> {
  return fetch(`${url}/v2/${repo}/manifests/${ref}`, { method, headers: accept ? { Accept: accept } : {} });
}

/** An OCI manifest padded with an annotation to exactly `size` bytes. */
function manifestOfSize(config: ReturnType<typeof descriptorOf>, size: number): Buffer {
  const base = ociManifest(config, [], { annotations: { pad: '' } });
  const pad = size - base.length;
  assert.ok(pad >= 0);
  const out = ociManifest(config, [], { annotations: { pad: 'x'.repeat(pad) } });
  assert.equal(out.length, size);
  return out;
}

describe('manifests', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('PUT by tag answers 201 with Location and Docker-Content-Digest; GET serves the exact bytes', async () => {
    const img = await pushImage(reg.url, 'man/oci', 'v1');
    const res = await getManifest(reg.url, 'man/oci', 'v1', ALL_MANIFEST_TYPES);
    const body = await expectStatus(res, 200);
    assert.ok(body.equals(img.manifest));
    assert.equal(res.headers.get('content-type'), MT.ociManifest);
    assert.equal(res.headers.get('docker-content-digest'), img.digest);
    assert.equal(res.headers.get('etag'), `"${img.digest}"`);
    assert.equal(res.headers.get('content-length'), String(img.manifest.length));
  });

  it('PUT response headers', async () => {
    const img = await pushImage(reg.url, 'man/put', 'first');
    const res = await putManifest(reg.url, 'man/put', 'second', img.manifest, MT.ociManifest);
    await expectStatus(res, 201);
    assert.equal(res.headers.get('docker-content-digest'), img.digest);
    assert.equal(new URL(res.headers.get('location')!, reg.url).pathname, `/v2/man/put/manifests/${img.digest}`);
    assert.equal(res.headers.get('content-length'), '0');
    assert.equal(res.headers.get('oci-subject'), null);
  });

  it('GET by digest and HEAD by tag and by digest', async () => {
    const img = await pushImage(reg.url, 'man/head', 'latest');
    const byDigest = await getManifest(reg.url, 'man/head', img.digest);
    assert.ok((await expectStatus(byDigest, 200)).equals(img.manifest));
    assert.equal(byDigest.headers.get('docker-content-digest'), img.digest);
    for (const ref of ['latest', img.digest]) {
      const head = await getManifest(reg.url, 'man/head', ref, ALL_MANIFEST_TYPES, 'HEAD');
      assert.equal((await expectStatus(head, 200)).length, 0);
      assert.equal(head.headers.get('content-length'), String(img.manifest.length));
      assert.equal(head.headers.get('content-type'), MT.ociManifest);
      assert.equal(head.headers.get('docker-content-digest'), img.digest);
      assert.equal(head.headers.get('etag'), `"${img.digest}"`);
    }
  });

  it('a stored OCI manifest is served even when Accept lists only the Docker schema2 type (or nothing)', async () => {
    const img = await pushImage(reg.url, 'man/accept', 'v1');
    for (const accept of [MT.dockerManifest, undefined, 'application/json', '*/*']) {
      for (const ref of ['v1', img.digest]) {
        const res = await getManifest(reg.url, 'man/accept', ref, accept);
        assert.ok((await expectStatus(res, 200)).equals(img.manifest), `Accept ${accept} ref ${ref}`);
        assert.equal(res.headers.get('content-type'), MT.ociManifest);
      }
    }
  });

  it('Docker schema2 manifests keep their media type', async () => {
    const img = await pushImage(reg.url, 'man/docker', 'v1', { docker: true });
    const res = await getManifest(reg.url, 'man/docker', 'v1', MT.ociManifest);
    assert.ok((await expectStatus(res, 200)).equals(img.manifest));
    assert.equal(res.headers.get('content-type'), MT.dockerManifest);
  });

  it('every kind, under the Accept headers real clients send: the stored bytes, their exact type and Docker-Content-Digest on 200, HEAD and 304', async () => {
    const oci = await pushImage(reg.url, 'man/matrix');
    const docker = await pushImage(reg.url, 'man/matrix', undefined, { docker: true });
    const index = ociIndex([oci.descriptor]);
    const list = dockerList([{ ...docker.descriptor, mediaType: MT.dockerManifest }]);
    // An index without its mediaType field is served as what its shape says (as distribution).
    const bareIndex = json({ schemaVersion: 2, manifests: [oci.descriptor] });
    const kinds: Array<[string, Buffer, string]> = [
      ['oci', oci.manifest, MT.ociManifest], ['docker', docker.manifest, MT.dockerManifest],
      ['index', index, MT.ociIndex], ['list', list, MT.dockerList], ['bare-index', bareIndex, MT.ociIndex],
    ];
    for (const [tag, bytes, type] of kinds) await expectStatus(await putManifest(reg.url, 'man/matrix', tag, bytes, type), 201);
    const accepts = [
      // containerd's and the Docker engine's lists, containers/image's (buildah, podman, skopeo) with schema1, q-values, one foreign type, none.
      `${MT.dockerManifest}, ${MT.dockerList}, ${MT.ociManifest}, ${MT.ociIndex}, */*`,
      `${MT.ociIndex}, ${MT.ociManifest}, ${MT.dockerList}, ${MT.dockerManifest}, application/vnd.docker.distribution.manifest.v1+prettyjws, application/json`,
      `${MT.ociManifest};q=0.9, ${MT.dockerManifest};q=0.5, */*;q=0.1`,
      MT.dockerManifest, undefined,
    ];
    for (const [tag, bytes, type] of kinds) {
      const digest = sha256(bytes);
      for (const accept of accepts) {
        for (const ref of [tag, digest]) {
          const what = `${tag} by ${ref === tag ? 'tag' : 'digest'}, Accept ${accept}`;
          const get = await getManifest(reg.url, 'man/matrix', ref, accept);
          assert.ok((await expectStatus(get, 200)).equals(bytes), what);
          assert.equal(get.headers.get('content-type'), type, what);
          assert.equal(get.headers.get('docker-content-digest'), digest, what);
          const head = await getManifest(reg.url, 'man/matrix', ref, accept, 'HEAD');
          await expectStatus(head, 200);
          assert.equal(head.headers.get('content-type'), type, what);
          assert.equal(head.headers.get('docker-content-digest'), digest, what);
        }
      }
      const cached = await fetch(`${reg.url}/v2/man/matrix/manifests/${tag}`, { headers: { 'If-None-Match': `"${digest}"` } });
      assert.equal(cached.status, 304);
      await cached.arrayBuffer();
      assert.equal(cached.headers.get('docker-content-digest'), digest, `${tag}: 304`);
    }
  });

  it('OCI index and Docker manifest list, with children pushed by digest', async () => {
    const amd = await pushImage(reg.url, 'man/multi', undefined, { platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await pushImage(reg.url, 'man/multi', undefined, { platform: { os: 'linux', architecture: 'arm64' } });
    const index = ociIndex([amd.descriptor, arm.descriptor]);
    await expectStatus(await putManifest(reg.url, 'man/multi', 'oci', index, MT.ociIndex), 201);
    const res = await getManifest(reg.url, 'man/multi', 'oci', MT.dockerManifest);
    assert.ok((await expectStatus(res, 200)).equals(index));
    assert.equal(res.headers.get('content-type'), MT.ociIndex);
    assert.equal(res.headers.get('docker-content-digest'), sha256(index));

    const damd = await pushImage(reg.url, 'man/multi', undefined, { docker: true });
    const list = dockerList([{ ...damd.descriptor, mediaType: MT.dockerManifest }]);
    await expectStatus(await putManifest(reg.url, 'man/multi', 'docker', list, MT.dockerList), 201);
    const got = await getManifest(reg.url, 'man/multi', 'docker', ALL_MANIFEST_TYPES);
    assert.ok((await expectStatus(got, 200)).equals(list));
    assert.equal(got.headers.get('content-type'), MT.dockerList);
    // The children are manifests of the repository in their own right.
    const child = await getManifest(reg.url, 'man/multi', amd.digest);
    assert.ok((await expectStatus(child, 200)).equals(amd.manifest));
  });

  it('keeps the exact bytes: unusual whitespace, key order and escapes survive, and the digest is of those bytes', async () => {
    const cfg = Buffer.from('{"os":"linux","architecture":"amd64"}');
    const layer = randomBytes(100);
    await pushBlob(reg.url, 'man/bytes', cfg);
    await pushBlob(reg.url, 'man/bytes', layer);
    const text = '\n\t{  "layers" : [ {"size":100 ,\t"digest":"' + sha256(layer) + '","mediaType":"' + MT.ociLayer + '"}],\r\n' +
      '"config":{"digest":"' + sha256(cfg) + '", "mediaType":"' + MT.ociConfig + '","size":' + cfg.length + '},' +
      '"annotations":{"note":"caf\\u00e9 \u00e9t\u00e9 \\/ slash"},   "schemaVersion":2 }\n\n';
    const bytes = Buffer.from(text, 'utf8');
    const res = await putManifest(reg.url, 'man/bytes', 'odd', bytes, MT.ociManifest);
    await expectStatus(res, 201);
    assert.equal(res.headers.get('docker-content-digest'), sha256(bytes));
    const got = await getManifest(reg.url, 'man/bytes', 'odd');
    assert.ok((await expectStatus(got, 200)).equals(bytes));
    assert.equal(got.headers.get('content-type'), MT.ociManifest, 'no mediaType field: served as OCI by shape');
    // And the bytes on disk are the pushed bytes.
    const onDisk = await readFile(`${v2Root(reg.root)}/blobs/sha256/${hexOf(sha256(bytes)).slice(0, 2)}/${hexOf(sha256(bytes))}/data`);
    assert.ok(onDisk.equals(bytes));
  });

  it('PUT by digest stores under that digest; a mismatching digest is DIGEST_INVALID', async () => {
    const img = await pushImage(reg.url, 'man/bydigest');
    const res = await getManifest(reg.url, 'man/bydigest', img.digest);
    assert.ok((await expectStatus(res, 200)).equals(img.manifest));
    const other = Buffer.concat([img.manifest, Buffer.from(' ')]);
    await expectError(await putManifest(reg.url, 'man/bydigest', img.digest, other, MT.ociManifest), 400, 'DIGEST_INVALID');
  });

  it('If-None-Match with the digest answers 304', async () => {
    const img = await pushImage(reg.url, 'man/etag', 'v1');
    const res = await fetch(`${reg.url}/v2/man/etag/manifests/v1`, { headers: { 'If-None-Match': `"${img.digest}"` } });
    assert.equal(res.status, 304);
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('retagging moves the tag to the new manifest', async () => {
    const a = await pushImage(reg.url, 'man/retag', 'v');
    const b = await pushImage(reg.url, 'man/retag', 'v');
    const res = await getManifest(reg.url, 'man/retag', 'v');
    assert.ok((await expectStatus(res, 200)).equals(b.manifest));
    // The old revision is still there by digest.
    assert.ok((await expectStatus(await getManifest(reg.url, 'man/retag', a.digest), 200)).equals(a.manifest));
  });

  it('unknown tags, digests and repositories are 404 MANIFEST_UNKNOWN', async () => {
    await pushImage(reg.url, 'man/unknown', 'v1');
    await expectError(await getManifest(reg.url, 'man/unknown', 'nope'), 404, 'MANIFEST_UNKNOWN');
    await expectError(await getManifest(reg.url, 'man/unknown', sha256('nothing')), 404, 'MANIFEST_UNKNOWN');
    await expectError(await getManifest(reg.url, 'no/such/repo', 'latest'), 404, 'MANIFEST_UNKNOWN');
    const head = await getManifest(reg.url, 'man/unknown', 'nope', undefined, 'HEAD');
    assert.equal(head.status, 404);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('a manifest of another repository is not served here', async () => {
    const img = await pushImage(reg.url, 'man/iso-a', 'v1');
    await expectError(await getManifest(reg.url, 'man/iso-b', img.digest), 404, 'MANIFEST_UNKNOWN');
  });

  it('a missing layer or config is MANIFEST_BLOB_UNKNOWN, and so is a blob only linked in another repository', async () => {
    const cfg = json({ os: 'linux' });
    const layer = randomBytes(64);
    await pushBlob(reg.url, 'man/refs', cfg);
    const missingLayer = ociManifest(descriptorOf(MT.ociConfig, cfg), [descriptorOf(MT.ociLayer, layer)]);
    const env = await expectError(await putManifest(reg.url, 'man/refs', 'x', missingLayer, MT.ociManifest), 400, 'MANIFEST_BLOB_UNKNOWN');
    assert.match(JSON.stringify(env.errors[0]!.detail), new RegExp(hexOf(sha256(layer))));

    await pushBlob(reg.url, 'man/refs', layer);
    const missingConfig = dockerManifest(descriptorOf(MT.dockerConfig, json({ other: 1 })), [descriptorOf(MT.dockerLayer, layer)]);
    await expectError(await putManifest(reg.url, 'man/refs', 'y', missingConfig, MT.dockerManifest), 400, 'MANIFEST_BLOB_UNKNOWN');

    // Blobs pushed to another repository only.
    const elsewhere = randomBytes(64);
    await pushBlob(reg.url, 'man/refs-other', elsewhere);
    const foreign = ociManifest(descriptorOf(MT.ociConfig, cfg), [descriptorOf(MT.ociLayer, elsewhere)]);
    await expectError(await putManifest(reg.url, 'man/refs', 'z', foreign, MT.ociManifest), 400, 'MANIFEST_BLOB_UNKNOWN');
    // Nothing was tagged by the refused pushes.
    for (const t of ['x', 'y', 'z']) await expectError(await getManifest(reg.url, 'man/refs', t), 404, 'MANIFEST_UNKNOWN');
  });

  it('an index whose children are missing is MANIFEST_BLOB_UNKNOWN', async () => {
    const present = await pushImage(reg.url, 'man/idx');
    const absent = descriptorOf(MT.ociManifest, json({ schemaVersion: 2, nothing: true }));
    for (const [bytes, type] of [
      [ociIndex([present.descriptor, absent]), MT.ociIndex],
      [dockerList([{ ...absent, mediaType: MT.dockerManifest }]), MT.dockerList],
    ] as const) {
      const env = await expectError(await putManifest(reg.url, 'man/idx', 'all', bytes, type), 400, 'MANIFEST_BLOB_UNKNOWN');
      assert.match(JSON.stringify(env.errors[0]!.detail), new RegExp(hexOf(absent.digest)));
    }
    // A child that exists in another repository does not count either.
    const other = await pushImage(reg.url, 'man/idx-other');
    await expectError(await putManifest(reg.url, 'man/idx', 'other', ociIndex([other.descriptor]), MT.ociIndex), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('malformed manifests are MANIFEST_INVALID', async () => {
    const img = await pushImage(reg.url, 'man/invalid');
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('not json'), MT.ociManifest],
      [Buffer.from('[]'), MT.ociManifest],
      [json({ schemaVersion: 1, mediaType: MT.ociManifest }), MT.ociManifest],
      // Body says Docker, header says OCI.
      [dockerManifest(img.descriptor, []), MT.ociManifest],
      // Unsupported media type.
      [img.manifest, 'application/x-not-a-manifest'],
      // An image manifest with manifests, and an index with layers.
      [json({ schemaVersion: 2, mediaType: MT.ociManifest, config: img.descriptor, layers: [], manifests: [] }), MT.ociManifest],
      [json({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [], layers: [] }), MT.ociIndex],
      // A descriptor with a bad digest.
      [json({ schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: 'sha256:nope', size: 1 }, layers: [] }), MT.ociManifest],
    ];
    for (const [bytes, type] of cases) {
      await expectError(await putManifest(reg.url, 'man/invalid', 'bad', bytes, type), 400, 'MANIFEST_INVALID');
    }
  });

  it('the default manifest size limit is 4 MiB: exactly 4 MiB is accepted, one byte more is 413 with an envelope', async () => {
    const cfg = json({ os: 'linux', big: true });
    await pushBlob(reg.url, 'man/size', cfg);
    const desc = descriptorOf(MT.ociConfig, cfg);
    const atLimit = manifestOfSize(desc, 4 * MiB);
    await expectStatus(await putManifest(reg.url, 'man/size', 'limit', atLimit, MT.ociManifest), 201);
    const got = await getManifest(reg.url, 'man/size', 'limit');
    assert.ok((await expectStatus(got, 200)).equals(atLimit));

    const over = manifestOfSize(desc, 4 * MiB + 1);
    const env = await expectError(await putManifest(reg.url, 'man/size', 'over', over, MT.ociManifest), 413, 'MANIFEST_INVALID');
    assert.ok(env.errors[0]!.message.length > 0);
    // Also when the client streams it without a Content-Length.
    const streamed = await fetch(`${reg.url}/v2/man/size/manifests/over`, {
      method: 'PUT',
      headers: { 'Content-Type': MT.ociManifest },
      body: new ReadableStream({ start(c) { c.enqueue(over.subarray(0, MiB)); c.enqueue(over.subarray(MiB)); c.close(); } }),
      duplex: 'half',
    } as RequestInit);
    await expectError(streamed, 413, 'MANIFEST_INVALID');
    await expectError(await getManifest(reg.url, 'man/size', 'over'), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('manifests with a configured berth.manifestmaxbytes', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['berth:', '  manifestmaxbytes: 2048'] }) }); });
  after(async () => { await reg.stop(); });

  it('accepts up to the configured size and refuses more with 413', async () => {
    const cfg = json({ os: 'linux' });
    await pushBlob(reg.url, 'small/limit', cfg);
    const desc = descriptorOf(MT.ociConfig, cfg);
    await expectStatus(await putManifest(reg.url, 'small/limit', 'ok', manifestOfSize(desc, 2048), MT.ociManifest), 201);
    await expectError(await putManifest(reg.url, 'small/limit', 'big', manifestOfSize(desc, 2049), MT.ociManifest), 413, 'MANIFEST_INVALID');
    // Far below the default: a 100 KiB manifest is refused too.
    await expectError(await putManifest(reg.url, 'small/limit', 'big', manifestOfSize(desc, 100 * 1024), MT.ociManifest), 413, 'MANIFEST_INVALID');
  });
});
