// A real Docker Engine pushing to and pulling from the registry under test (Berth unless
// BERTH_E2E_TARGET=reference): a one-layer image, a multi-layer image, and a >200 MiB layer of
// random bytes, each pulled back after every local image is gone and then run.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { pullFresh, pushAndCheck, rootfsLayers, runInImage } from '../support/docker-flows';
import { buildBigImage, buildMultiLayerImage, importBusyboxImage } from '../support/images';
import { useE2EHooks } from '../support/processes';
import { startTargetRegistry, type RegistryProcess } from '../support/registry-process';
import { fetchManifest } from '../support/registry-http';

useE2EHooks();

let d: Dockerd;
let registry: RegistryProcess;

before(async () => {
  [d, registry] = await Promise.all([sharedDockerd(), startTargetRegistry()]);
});

test('single-layer image: docker push, pull after rmi (by tag and by digest), run', { timeout: 300_000 }, async () => {
  const ref = `${registry.addr}/e2e/busybox:v1`;
  await importBusyboxImage(d, ref);
  const layers = await rootfsLayers(d, ref);
  assert.equal(layers.length, 1);

  const digest = await pushAndCheck(d, registry.url, ref);
  assert.equal(await pullFresh(d, ref, layers), digest);
  assert.equal(await runInImage(d, ref, ['/bin/busybox', 'echo', 'ok']), 'ok\n');

  // By digest: the manifest is addressable by content, not only by tag.
  const byDigest = `${registry.addr}/e2e/busybox@${digest}`;
  await pullFresh(d, byDigest, layers);
  assert.equal(await runInImage(d, byDigest, ['/bin/busybox', 'echo', 'ok']), 'ok\n');
});

test('multi-layer image built FROM the busybox image: push, pull after rmi, run', { timeout: 300_000 }, async () => {
  await importBusyboxImage(d, 'e2e-base:latest');
  const ref = `${registry.addr}/e2e/layers:v1`;
  const files = await buildMultiLayerImage(d, 'e2e-base:latest', ref);
  const layers = await rootfsLayers(d, ref);
  assert.equal(layers.length, 3, 'base + one layer per COPY');

  const digest = await pushAndCheck(d, registry.url, ref);
  assert.equal((await fetchManifest(registry.url, 'e2e/layers', 'v1')).json.layers?.length, 3);
  assert.equal(await pullFresh(d, ref, layers), digest);

  const sums = await runInImage(d, ref, ['/bin/busybox', 'sha256sum', ...files.map((f) => f.path)]);
  assert.equal(sums, files.map((f) => `${f.sha256}  ${f.path}\n`).join(''), 'file contents survive the round trip');
});

test('image with a 210 MiB random layer: push, pull after rmi, file checksum inside the container', { timeout: 900_000 }, async () => {
  await importBusyboxImage(d, 'e2e-base:latest');
  const ref = `${registry.addr}/e2e/big:v1`;
  const big = await buildBigImage(d, 'e2e-base:latest', ref, 210);
  const layers = await rootfsLayers(d, ref);

  const digest = await pushAndCheck(d, registry.url, ref, 600_000);
  const manifest = (await fetchManifest(registry.url, 'e2e/big', 'v1')).json as { layers: Array<{ size: number }> };
  assert.ok(manifest.layers.some((l) => l.size > 200 * 1024 * 1024), 'a layer over 200 MiB (random data does not compress)');
  assert.equal(await pullFresh(d, ref, layers, 600_000), digest);

  assert.equal(await runInImage(d, ref, ['/bin/busybox', 'sha256sum', big.path]), `${big.sha256}  ${big.path}\n`);
});
