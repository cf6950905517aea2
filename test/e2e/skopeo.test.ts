// skopeo and a two-platform OCI image index: the registry must store an index and its child
// manifests as pushed (byte for byte, so digests hold), resolve one platform for a client that
// asks for it, copy between repositories, and hand every blob back intact.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { layoutTagDescriptor, OCI_INDEX, readVerifiedBlobs, writeMultiPlatformLayout, type OciLayout } from '../support/oci-layout';
import { useE2EHooks } from '../support/processes';
import { startTargetRegistry, type RegistryProcess } from '../support/registry-process';
import { fetchManifest } from '../support/registry-http';
import { sha256 } from '../support/oci';

useE2EHooks();

let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
let registry: RegistryProcess;
let layout: OciLayout;

before(async () => {
  [skopeo, registry] = await Promise.all([prepareSkopeo(), startTargetRegistry()]);
  layout = await writeMultiPlatformLayout(join(await tempDir('berth-oci-'), 'layout'), { tag: 'v1', label: 'skopeo-e2e' });
  await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${registry.addr}/e2e/multi:v1`]);
});

test('skopeo copy --all stores the index byte for byte; inspect --raw returns it', async () => {
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registry.addr}/e2e/multi:v1`]);
  assert.ok(raw.stdoutBytes.equals(layout.index), `index bytes differ:\n${raw.stdout}`);

  const served = await fetchManifest(registry.url, 'e2e/multi', 'v1');
  assert.equal(served.contentType, OCI_INDEX);
  assert.equal(served.digest, layout.indexDigest);
  for (const img of layout.images) {
    const child = await fetchManifest(registry.url, 'e2e/multi', img.manifestDigest);
    assert.ok(child.body.equals(img.manifest), `${img.platform.architecture} manifest stored as pushed`);
  }
});

test('skopeo inspect --override-arch arm64 resolves the arm64 image from the index', async () => {
  const arm64 = layout.images.find((i) => i.platform.architecture === 'arm64')!;
  const out = await skopeo(['inspect', '--tls-verify=false', '--override-os', 'linux', '--override-arch', 'arm64', `docker://${registry.addr}/e2e/multi:v1`]);
  const info = JSON.parse(out.stdout) as { Digest: string; RepoTags: string[]; Architecture: string; Os: string; Layers: string[] };
  // skopeo reports the digest of what the tag points to (the index), and the chosen image's details.
  assert.equal(info.Digest, layout.indexDigest);
  assert.deepEqual(info.RepoTags, ['v1'], 'tags/list');
  assert.equal(info.Architecture, 'arm64');
  assert.equal(info.Os, 'linux');
  assert.deepEqual(info.Layers, [arm64.layerDigest]);
});

test('skopeo copy --all registry to registry (another repository) keeps the index digest', async () => {
  await skopeo(['copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false',
    `docker://${registry.addr}/e2e/multi:v1`, `docker://${registry.addr}/e2e/multi-copy:v1`]);
  const copied = await fetchManifest(registry.url, 'e2e/multi-copy', 'v1');
  assert.ok(copied.body.equals(layout.index));
});

test('skopeo copy --all back out to an OCI layout: every blob hashes to its digest', async () => {
  const out = join(await tempDir('berth-oci-out-'), 'layout');
  await skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${registry.addr}/e2e/multi:v1`, `oci:${out}:v1`]);

  const tagged = await layoutTagDescriptor(out, 'v1');
  assert.equal(tagged.digest, layout.indexDigest, 'the copied-out index is the pushed index');
  const blobs = await readVerifiedBlobs(out); // throws if any blob does not match its name
  for (const [digest, data] of layout.blobs) {
    assert.ok(blobs.get(digest)?.equals(data), `blob ${digest} came back identical`);
  }
  assert.equal(sha256(blobs.get(layout.indexDigest)!), layout.indexDigest);
});
