// Berth on S3 storage (a real Ceph RADOS Gateway the test starts), driven as users drive it:
// `berth serve --config` with a storage.s3 block, docker and skopeo pushing and pulling. The
// bucket is shared with distribution's own s3 driver (Debian's docker-registry 2.8.2) in both
// directions, which proves Berth writes the keys registry:3 writes. And a configuration that
// cannot reach its bucket stops `berth serve` with one line that names the cause.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { repoRoot } from '../support/berth-process';
import { startCephGateway, type CephGateway } from '../support/ceph-gateway';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { pullFresh, pushAndCheck, rootfsLayers, runInImage } from '../support/docker-flows';
import { buildMultiLayerImage, importBusyboxImage } from '../support/images';
import { readVerifiedBlobs, writeMultiPlatformLayout } from '../support/oci-layout';
import { freePort, outputTail, runCommand, useE2EHooks } from '../support/processes';
import { startRegistryProcess, type RegistryKind, type RegistryProcess } from '../support/registry-process';
import { fetchTags } from '../support/registry-http';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

let d: Dockerd;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
let gw: CephGateway;
let buckets = 0;

before(async () => {
  [d, skopeo, gw] = await Promise.all([sharedDockerd(), prepareSkopeo(), startCephGateway()]);
});

/** A fresh bucket and the storage lines both registries read (2.8.2 needs v4auth and no forcepathstyle). */
async function s3Storage(over: { accesskey?: string; secretkey?: string; bucket?: string; endpoint?: string } = {}): Promise<string[]> {
  const bucket = over.bucket ?? `berth-e2e-${buckets++}`;
  if (!over.bucket) await gw.createBucket(bucket);
  return gw.storageLines(bucket, over);
}

async function stopRegistry(r: RegistryProcess): Promise<void> {
  const exit = await r.stop();
  if (r.kind === 'berth') assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'berth exits 0 on SIGTERM');
}

async function dockerAcross(writer: RegistryKind, reader: RegistryKind): Promise<void> {
  const storage = await s3Storage();
  const port = await freePort();
  const first = await startRegistryProcess(writer, { storage, port });
  const repo = `s3/${writer}-to-${reader}`;
  const ref = `${first.addr}/${repo}:v1`;
  await importBusyboxImage(d, 's3-base:latest');
  const files = await buildMultiLayerImage(d, 's3-base:latest', ref);
  const layers = await rootfsLayers(d, ref);
  const digest = await pushAndCheck(d, first.url, ref);
  await stopRegistry(first);

  const second = await startRegistryProcess(reader, { storage, port });
  assert.deepEqual(await fetchTags(second.url, repo), ['v1']);
  assert.equal(await pullFresh(d, ref, layers), digest, 'the reader serves the manifest the writer stored');
  const sums = await runInImage(d, ref, ['/bin/busybox', 'sha256sum', ...files.map((f) => f.path)]);
  assert.equal(sums, files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  await stopRegistry(second);
}

test('docker pushes to Berth on S3; docker-registry serves the same bucket', { timeout: 300_000 }, () => dockerAcross('berth', 'reference'));
test('docker pushes to docker-registry on S3; Berth serves the same bucket', { timeout: 300_000 }, () => dockerAcross('reference', 'berth'));

test('skopeo copies a two-platform index into Berth on S3 and back out, every blob verified', { timeout: 300_000 }, async () => {
  const layout = await writeMultiPlatformLayout(join(await tempDir('berth-oci-'), 'layout'), { tag: 'v1', label: 's3' });
  // At info level Berth logs its configuration and the start-up line: neither may show the secret.
  const berth = await startRegistryProcess('berth', { storage: await s3Storage(), logLevel: 'info' });
  const ref = `docker://${berth.addr}/s3/multi:v1`;
  await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, ref]);
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ref]);
  assert.ok(raw.stdoutBytes.equals(layout.index), 'Berth serves the index bytes skopeo pushed');
  const out = join(await tempDir('berth-oci-out-'), 'layout');
  await skopeo(['copy', '--all', '--src-tls-verify=false', ref, `oci:${out}:v1`]);
  const blobs = await readVerifiedBlobs(out);
  for (const digest of layout.blobs.keys()) assert.ok(blobs.has(digest), `blob ${digest} read back from the bucket`);
  await stopRegistry(berth);
  // With the server stopped, fsck and gc run offline, directly on the bucket.
  const env = { ...process.env, BERTH_DATA_DIR: join(await tempDir('berth-s3cli-'), 'data') };
  const cli = (args: string[]) => runCommand(process.execPath, [join(repoRoot, 'bin/berth.cjs'), ...args, '--config', berth.config], { cwd: repoRoot, env, timeoutMs: 120_000 });
  const fsck = await cli(['fsck']);
  assert.match(fsck.stdout, /offline, directly on s3 bucket berth-e2e-\d+ at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(fsck.stdout, /checked +1 repositories, [1-9]\d* blobs .* 3 manifests/, fsck.stdout);
  assert.match(fsck.stdout, /found +0 errors, 0 harmless leftovers\nThe store is consistent\./, fsck.stdout);
  const gc = await cli(['gc', '--delete-untagged']);
  assert.match(gc.stdout, /offline, directly on s3 bucket/);
  const output = outputTail(berth.proc, 1 << 20);
  assert.match(output, /storage: s3 bucket berth-e2e-\d+ at http:\/\/127\.0\.0\.1:\d+;/);
  assert.match(output, /msg="configuration".*"secretkey":"\*\*\*"/);
  assert.ok(!output.includes(gw.secretKey), 'the secret key is not in the log');
});

test('berth serve names the cause when it cannot use the bucket, and exits non-zero', { timeout: 120_000 }, async () => {
  const cases: Array<[string, Parameters<typeof s3Storage>[0], RegExp]> = [
    ['a wrong secret key', { secretkey: 'not-the-secret' }, /secret key does not match the access key/],
    ['an unknown access key', { accesskey: 'NOSUCHACCESSKEY00000' }, /access key is not known/],
    ['a missing bucket', { bucket: 'never-created' }, /bucket does not exist/],
    ['an endpoint nothing listens on', { endpoint: `http://127.0.0.1:${await freePort()}` }, /endpoint cannot be reached/],
  ];
  for (const [label, over, cause] of cases) {
    const dir = await tempDir('berth-s3cfg-');
    const config = join(dir, 'config.yml');
    await writeFile(config, testRegistryYaml(dir, { storage: await s3Storage(over), addr: `127.0.0.1:${await freePort()}` }));
    const r = await runCommand(process.execPath, [join(repoRoot, 'bin/berth.cjs'), 'serve', '--config', config], {
      check: false, timeoutMs: 60_000, cwd: repoRoot, env: { ...process.env, BERTH_DATA_DIR: join(dir, 'berth-data') },
    });
    assert.notEqual(r.code, 0, `${label}: exit code`);
    assert.match(r.stderr, /storage\.s3: cannot use bucket "[^"]+" at http:\/\/127\.0\.0\.1:\d+: /, `${label}:\n${r.stderr}`);
    assert.match(r.stderr, cause, label);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${label}: no stack trace`);
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(gw.secretKey), `${label}: the secret key is never printed`);
  }
});
