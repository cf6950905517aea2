// On-disk compatibility with distribution, proven with real clients: one registry writes a
// storage root, it is stopped, the other registry serves the SAME root on the same address, and
// docker (after forgetting every local image) pulls and runs what the first one stored; skopeo
// does the same for a two-platform OCI index. Both directions, so Berth reads distribution's
// layout and writes a layout distribution reads (main/registry/storage/paths.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { pullFresh, pushAndCheck, rootfsLayers, runInImage } from '../support/docker-flows';
import { buildMultiLayerImage, importBusyboxImage } from '../support/images';
import { readVerifiedBlobs, writeMultiPlatformLayout } from '../support/oci-layout';
import { freePort, useE2EHooks } from '../support/processes';
import { e2eTarget, startRegistryProcess, type RegistryKind, type RegistryProcess } from '../support/registry-process';
import { fetchTags } from '../support/registry-http';

useE2EHooks();

let d: Dockerd;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
const target = e2eTarget();

before(async () => {
  [d, skopeo] = await Promise.all([sharedDockerd(), prepareSkopeo()]);
});

/** A shared storage root and one loopback address, so image references stay valid across the swap. */
async function sharedRoot(): Promise<{ root: string; port: number }> {
  return { root: join(await tempDir('berth-interop-'), 'data'), port: await freePort() };
}

/** Stops a registry and, for Berth, holds it to its contract: SIGTERM is a clean exit. */
async function stopRegistry(r: RegistryProcess): Promise<void> {
  const exit = await r.stop();
  if (r.kind === 'berth') assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'berth exits 0 on SIGTERM');
}

async function dockerAcross(writer: RegistryKind, reader: RegistryKind): Promise<void> {
  const shared = await sharedRoot();
  const first = await startRegistryProcess(writer, shared);
  const repo = `interop/${writer}-to-${reader}`;
  const ref = `${first.addr}/${repo}:v1`;
  await importBusyboxImage(d, 'interop-base:latest');
  const files = await buildMultiLayerImage(d, 'interop-base:latest', ref);
  const layers = await rootfsLayers(d, ref);
  const digest = await pushAndCheck(d, first.url, ref);
  await stopRegistry(first);

  const second = await startRegistryProcess(reader, shared);
  assert.deepEqual(await fetchTags(second.url, repo), ['v1']);
  assert.equal(await pullFresh(d, ref, layers), digest, 'the reader serves the manifest the writer stored');
  const sums = await runInImage(d, ref, ['/bin/busybox', 'sha256sum', ...files.map((f) => f.path)]);
  assert.equal(sums, files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  await stopRegistry(second);
}

async function skopeoAcross(writer: RegistryKind, reader: RegistryKind): Promise<void> {
  const layout = await writeMultiPlatformLayout(join(await tempDir('berth-oci-'), 'layout'), { tag: 'v1', label: `${writer}-to-${reader}` });
  const shared = await sharedRoot();
  const first = await startRegistryProcess(writer, shared);
  const ref = `docker://${first.addr}/interop/multi-${writer}-to-${reader}:v1`;
  await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, ref]);
  await stopRegistry(first);

  const second = await startRegistryProcess(reader, shared);
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ref]);
  assert.ok(raw.stdoutBytes.equals(layout.index), 'the reader serves the index bytes the writer stored');
  const arm = JSON.parse((await skopeo(['inspect', '--tls-verify=false', '--override-arch', 'arm64', '--override-os', 'linux', ref])).stdout) as { Layers: string[] };
  assert.deepEqual(arm.Layers, [layout.images.find((i) => i.platform.architecture === 'arm64')!.layerDigest]);

  const out = join(await tempDir('berth-oci-out-'), 'layout');
  await skopeo(['copy', '--all', '--src-tls-verify=false', ref, `oci:${out}:v1`]);
  const blobs = await readVerifiedBlobs(out);
  for (const digest of layout.blobs.keys()) assert.ok(blobs.has(digest), `blob ${digest} readable through the reader`);
  await stopRegistry(second);
}

test(`docker: push to ${target}, then docker-registry serves the same root`, { timeout: 300_000 }, () => dockerAcross(target, 'reference'));
test(`docker: push to docker-registry, then ${target} serves the same root`, { timeout: 300_000 }, () => dockerAcross('reference', target));
test(`skopeo multi-arch index: written by ${target}, read by docker-registry`, { timeout: 300_000 }, () => skopeoAcross(target, 'reference'));
test(`skopeo multi-arch index: written by docker-registry, read by ${target}`, { timeout: 300_000 }, () => skopeoAcross('reference', target));
