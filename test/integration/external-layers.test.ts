// Non-distributable (foreign) layers end to end: OCI nondistributable layers (tar, +gzip, +zstd)
// and Docker foreign layers with `urls` are pushed without their blobs, under
// validation.manifests.urls allow/deny as distribution applies them, then served byte for byte,
// listed in tags, left alone by GC and fsck, and shown with their URLs by the control API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startControl, type ControlFixture } from '../support/control';
import {
  ALL_MANIFEST_TYPES, MT, descriptorOf, expectError, expectStatus, hexOf, json, pushBlob, putManifest, sha256, v2Root,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { testRegistryYaml } from '../support/registry-yaml';

const NONDIST = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
const FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
const ALLOWED = 'https://layers.example.com/base/';
const VALIDATION = [
  'validation:',
  '  manifests:',
  '    urls:',
  '      allow:',
  "        - '^https://layers\\.example\\.com/'",
  '      deny:',
  "        - '/denied/'",
];

interface Layer { mediaType: string; digest: string; size: number; urls?: string[] }

/** A layer descriptor for bytes that are never pushed (unless the test pushes them). */
function layer(mediaType: string, urls?: string[], bytes = randomBytes(64)): Layer & { bytes: Buffer } {
  return { mediaType, digest: sha256(bytes), size: bytes.length, ...(urls ? { urls } : {}), bytes };
}

const strip = ({ mediaType, digest, size, urls }: Layer): Layer => ({ mediaType, digest, size, ...(urls ? { urls } : {}) });

/** Pushes a config to `repo` and returns an OCI (or Docker) manifest over it and `layers`. */
async function manifestWith(url: string, repo: string, layers: Layer[], docker = false): Promise<{ bytes: Buffer; mediaType: string }> {
  const cfg = json({ architecture: 'amd64', os: 'windows', nonce: randomBytes(4).toString('hex') });
  await pushBlob(url, repo, cfg);
  const mediaType = docker ? MT.dockerManifest : MT.ociManifest;
  const config = descriptorOf(docker ? MT.dockerConfig : MT.ociConfig, cfg);
  return { bytes: json({ schemaVersion: 2, mediaType, config, layers: layers.map(strip) }), mediaType };
}

async function pushWith(url: string, repo: string, tag: string, layers: Layer[], docker = false): Promise<{ res: Response; bytes: Buffer }> {
  const m = await manifestWith(url, repo, layers, docker);
  return { res: await putManifest(url, repo, tag, m.bytes, m.mediaType), bytes: m.bytes };
}

describe('non-distributable layers with allow and deny lists', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: VALIDATION }) }); });
  after(async () => { await reg.stop(); });

  it('OCI nondistributable (tar, +gzip, +zstd) with allowed URLs: accepted without blobs, served byte for byte by tag and digest, listed', async () => {
    const layers = ['', '+gzip', '+zstd'].map((s) => layer(NONDIST + s, [`${ALLOWED}${s || 'tar'}`]));
    const { res, bytes } = await pushWith(reg.url, 'ext/oci', 'win', layers);
    await expectStatus(res, 201);
    assert.equal(res.headers.get('docker-content-digest'), sha256(bytes));
    for (const ref of ['win', sha256(bytes)]) {
      const got = await fetch(`${reg.url}/v2/ext/oci/manifests/${ref}`, { headers: { Accept: ALL_MANIFEST_TYPES } });
      assert.ok((await expectStatus(got, 200)).equals(bytes), ref);
      assert.equal(got.headers.get('content-type'), MT.ociManifest);
      assert.equal(got.headers.get('docker-content-digest'), sha256(bytes));
      const head = await fetch(`${reg.url}/v2/ext/oci/manifests/${ref}`, { method: 'HEAD' });
      await expectStatus(head, 200);
      assert.equal(head.headers.get('content-length'), String(bytes.length));
      assert.equal(head.headers.get('docker-content-digest'), sha256(bytes));
    }
    const tags = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/ext/oci/tags/list`), 200)).toString()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['win']);
    // The registry does not pretend to hold them: clients fetch them from the URLs.
    await expectError(await fetch(`${reg.url}/v2/ext/oci/blobs/${layers[0]!.digest}`), 404, 'BLOB_UNKNOWN');
  });

  it('a Docker foreign layer with an allowed URL: accepted without its blob, served with the Docker type', async () => {
    const { res, bytes } = await pushWith(reg.url, 'ext/docker', 'win', [layer(FOREIGN, [`${ALLOWED}foreign`])], true);
    await expectStatus(res, 201);
    const got = await fetch(`${reg.url}/v2/ext/docker/manifests/win`, { headers: { Accept: MT.dockerManifest } });
    assert.ok((await expectStatus(got, 200)).equals(bytes));
    assert.equal(got.headers.get('content-type'), MT.dockerManifest);
  });

  it('refused URLs are 400 MANIFEST_BLOB_UNKNOWN naming the URL, and nothing is tagged', async () => {
    const refused: Array<[string, string[]]> = [
      ['denied', [`${ALLOWED}denied/x`]],
      ['not in allow', ['https://elsewhere.example.org/x']],
      ['not http', ['ftp://layers.example.com/x']],
      ['fragment', [`${ALLOWED}x#part`]],
      ['not a URL', ['layers.example.com/x']],
      ['one bad of two', [`${ALLOWED}ok`, `${ALLOWED}denied/y`]],
    ];
    for (const [why, urls] of refused) {
      for (const [type, docker] of [[`${NONDIST}+gzip`, false], [FOREIGN, true]] as const) {
        const { res } = await pushWith(reg.url, 'ext/refused', 'bad', [layer(type, urls)], docker);
        const env = await expectError(res, 400, 'MANIFEST_BLOB_UNKNOWN').catch((e: Error) => { throw new Error(`${why} (${type}): ${e.message}`); });
        assert.equal((env.errors[0]!.detail as { url: string }).url, urls.at(-1), why);
      }
    }
    await expectError(await fetch(`${reg.url}/v2/ext/refused/manifests/bad`), 404, 'MANIFEST_UNKNOWN');
  });

  it('a non-distributable layer without URLs is an ordinary layer: refused until its blob is pushed', async () => {
    for (const [type, docker] of [[NONDIST, false], [FOREIGN, true]] as const) {
      const l = layer(type);
      const missing = await pushWith(reg.url, 'ext/nourls', 'v', [l], docker);
      const env = await expectError(missing.res, 400, 'MANIFEST_BLOB_UNKNOWN');
      assert.deepEqual(env.errors[0]!.detail, { digest: l.digest }, type);
      await pushBlob(reg.url, 'ext/nourls', l.bytes);
      await expectStatus((await pushWith(reg.url, 'ext/nourls', 'v', [l], docker)).res, 201);
    }
  });

  it('distributable layers: URLs on OCI layer types are checked, yet the blob is still required; other types\' URLs are ignored', async () => {
    const gz = layer(MT.ociLayer, [`${ALLOWED}gz`]);
    await expectError((await pushWith(reg.url, 'ext/dist', 'a', [gz])).res, 400, 'MANIFEST_BLOB_UNKNOWN');
    await pushBlob(reg.url, 'ext/dist', gz.bytes);
    await expectStatus((await pushWith(reg.url, 'ext/dist', 'a', [gz])).res, 201);
    const deniedButPushed = layer(MT.ociLayer, [`${ALLOWED}denied/gz`]);
    await pushBlob(reg.url, 'ext/dist', deniedButPushed.bytes);
    await expectError((await pushWith(reg.url, 'ext/dist', 'b', [deniedButPushed])).res, 400, 'MANIFEST_BLOB_UNKNOWN');
    // A Docker rootfs layer's urls are not validated (distribution checks only the foreign type).
    const docker = layer(MT.dockerLayer, ['ftp://anything/at/all']);
    await pushBlob(reg.url, 'ext/dist', docker.bytes);
    await expectStatus((await pushWith(reg.url, 'ext/dist', 'c', [docker], true)).res, 201);
  });
});

describe('URL policy without lists, with deny only, and with validation disabled', () => {
  const push = async (yaml: string[], urls: string[]) => {
    const reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: yaml }) });
    try {
      return (await pushWith(reg.url, 'ext/policy', 'v', [layer(`${NONDIST}+gzip`, urls)])).res.status;
    } finally {
      await reg.stop();
    }
  };

  it('no lists: nothing is allowed (distribution\'s default)', async () => {
    assert.equal(await push([], [`${ALLOWED}x`]), 400);
  });

  it('deny only: everything http(s) but the denied', async () => {
    const denyOnly = ['validation:', '  manifests:', '    urls:', '      deny:', "        - '^https://bad\\.'"];
    assert.equal(await push(denyOnly, ['https://any.example.net/x']), 201);
    assert.equal(await push(denyOnly, ['https://bad.example.net/x']), 400);
  });

  it('validation disabled: any http(s) URL without a fragment, nothing else', async () => {
    const off = ['validation:', '  disabled: true'];
    assert.equal(await push(off, ['http://any.example.net/x']), 201);
    assert.equal(await push(off, ['file:///etc/passwd']), 400);
    assert.equal(await push(off, ['https://any.example.net/x#y']), 400);
  });
});

describe('GC and fsck on a store holding external layers', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: VALIDATION }) }); });
  after(async () => { await reg.stop(); });
  const exists = (d: string) => stat(`${v2Root(reg.root)}/blobs/sha256/${hexOf(d).slice(0, 2)}/${hexOf(d)}/data`).then(() => true, () => false);

  it('GC deletes only real garbage; fsck reports nothing missing; the manifest still pulls', async () => {
    const external = layer(`${NONDIST}+gzip`, [`${ALLOWED}gc`]);
    // An external layer whose bytes were pushed anyway: GC keeps them, as distribution marks every reference.
    const pushedToo = layer(FOREIGN, [`${ALLOWED}gc2`]);
    await pushBlob(reg.url, 'ext/gc', pushedToo.bytes);
    const { res, bytes } = await pushWith(reg.url, 'ext/gc', 'win', [external, pushedToo]);
    await expectStatus(res, 201);
    const orphan = await pushBlob(reg.url, 'ext/gc', randomBytes(500));
    await new Promise((r) => setTimeout(r, 20)); // older than the GC's start

    const gc = await reg.registry.store.gc();
    assert.deepEqual(gc.deleted.blobs.map((b) => b.digest), [orphan]);
    assert.equal(gc.blobsMarked, 3, 'the manifest, its config and the pushed copy'); // the absent layer is not counted
    assert.equal(await exists(pushedToo.digest), true);
    const got = await fetch(`${reg.url}/v2/ext/gc/manifests/win`);
    assert.ok((await expectStatus(got, 200)).equals(bytes));

    const fsck = await reg.registry.store.fsck();
    assert.equal(fsck.errors, 0, JSON.stringify(fsck.problems));
    assert.equal(fsck.leftovers, 0, JSON.stringify(fsck.problems));
    assert.ok(!JSON.stringify(fsck.problems).includes(hexOf(external.digest)));
  });
});

describe('the control API\'s catalog detail', () => {
  let f: ControlFixture;
  before(async () => { f = await startControl({ extraYaml: VALIDATION.join('\n') }); });
  after(async () => { await f.close(); });

  it('shows external layers with their URLs, stored layers without', async () => {
    const stored = layer(MT.ociLayer);
    await pushBlob(f.url(), 'ext/ui', stored.bytes);
    const urls = [`${ALLOWED}a.tar.gz`, `${ALLOWED}mirror/a.tar.gz`];
    const external = layer(`${NONDIST}+gzip`, urls);
    await expectStatus((await pushWith(f.url(), 'ext/ui', 'win', [external, stored])).res, 201);
    const detail = await f.ok('catalog.image', { repository: 'ext/ui', reference: 'win' });
    assert.deepEqual(detail.layers, [
      { digest: external.digest, mediaType: external.mediaType, size: external.size, urls },
      { digest: stored.digest, mediaType: stored.mediaType, size: stored.size },
    ]);
    const tags = await f.ok('catalog.tags', { repository: 'ext/ui' });
    assert.deepEqual(tags.map((t) => t.tag), ['win']);
  });
});
