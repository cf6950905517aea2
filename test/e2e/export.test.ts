// `berth export` (the built dist/berth.cjs) read by the real tools: Debian's Docker 20.10 loads
// the archive and runs the image; skopeo reads the same file as an OCI archive, multi-platform
// index and all; the referrer of that index is in the archive's index.json; a missing tag fails
// with one line and leaves no file. Berth serves while exporting (the online case).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { blobPath, type DockerManifestEntry, type OciIndexFile } from '../../main/archive/archive-format';
import { repoRoot, startBerth } from '../support/berth-process';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { pushAndCheck, rootfsLayers, runInImage } from '../support/docker-flows';
import { removeAllImages, sharedDockerd, type Dockerd } from '../support/dockerd';
import { buildMultiLayerImage, importBusyboxImage, type BuiltFile } from '../support/images';
import { pushArtifact, pushImage } from '../support/oci';
import { layoutTagDescriptor, OCI_INDEX, readVerifiedBlobs, writeMultiPlatformLayout, type OciLayout } from '../support/oci-layout';
import { runCommand, useE2EHooks, type CommandResult } from '../support/processes';
import type { RegistryProcess } from '../support/registry-process';
import { fetchManifest } from '../support/registry-http';
import { entryJson, readTarEntries, type ReadEntry } from '../support/tar-read';

useE2EHooks();

let d: Dockerd;
let skopeo: Awaited<ReturnType<typeof prepareSkopeo>>;
let berth: RegistryProcess;
let work: string;
let archive: string;
let exported: CommandResult;
let app: { digest: string; layers: string[]; files: BuiltFile[] };
let layout: OciLayout;
let referrer: string;
let entries: ReadEntry[];

function berthExport(args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [join(repoRoot, 'dist', 'berth.cjs'), 'export', '--config', berth.config, ...args], { check: false, timeoutMs: 300_000 });
}

before(async () => {
  [d, skopeo, berth] = await Promise.all([sharedDockerd(), prepareSkopeo(), startBerth()]);
  work = await tempDir('berth-exp-');

  await importBusyboxImage(d, 'e2e-base:latest');
  const ref = `${berth.addr}/e2e/app:v1`;
  const files = await buildMultiLayerImage(d, 'e2e-base:latest', ref);
  app = { digest: await pushAndCheck(d, berth.url, ref), layers: await rootfsLayers(d, ref), files };

  layout = await writeMultiPlatformLayout(join(work, 'layout'), { tag: 'v1', label: 'export-e2e' });
  await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${berth.addr}/e2e/multi:v1`]);
  const sbom = await pushArtifact(berth.url, 'e2e/multi', { mediaType: OCI_INDEX, digest: layout.indexDigest, size: layout.index.length }, 'application/spdx+json');
  referrer = sbom.digest;

  archive = join(work, 'images.tar');
  // e2e/multi as a whole repository: every tag of it.
  exported = await berthExport(['e2e/app:v1', 'e2e/multi', '-o', archive]);
  assert.equal(exported.code, 0, exported.stderr);
  entries = await readTarEntries(archive);
});

test('the summary names every image, and the archive holds each blob once under its digest', () => {
  assert.match(exported.stdout, /^Exported 2 images \(\d+ blobs, .+\) to .*images\.tar$/m);
  assert.match(exported.stdout, new RegExp(`e2e/app:v1 +${app.digest}`));
  assert.match(exported.stdout, new RegExp(`e2e/multi:v1 +${layout.indexDigest}`));
  const blobs = entries.filter((e) => e.name.startsWith('blobs/'));
  for (const b of blobs) assert.equal(b.name, blobPath(b.digest), 'content matches its name');
  assert.equal(new Set(blobs.map((b) => b.name)).size, blobs.length, 'no blob twice');
});

test('Docker 20.10 loads the archive (one platform of the index) and runs the image', { timeout: 300_000 }, async () => {
  await removeAllImages(d);
  const load = await d.docker(['load', '-i', archive], { timeoutMs: 300_000 });
  assert.match(load.stdout, /Loaded image: e2e\/app:v1/);
  assert.match(load.stdout, /Loaded image: e2e\/multi:v1/);
  assert.deepEqual(await rootfsLayers(d, 'e2e/app:v1'), app.layers, 'the same layers as pushed');
  const sums = await runInImage(d, 'e2e/app:v1', ['/bin/busybox', 'sha256sum', ...app.files.map((f) => f.path)]);
  assert.equal(sums, app.files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  const arch = (await d.docker(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', 'e2e/multi:v1'])).stdout.trim();
  assert.equal(arch, 'linux/amd64', 'this machine\'s platform of the index');
  const docker = entryJson<DockerManifestEntry[]>(entries, 'manifest.json');
  assert.equal(docker.length, 2, 'one image per reference; the referrer is not an image to load');
});

test('skopeo copies the multi-platform index out of the same file as an OCI archive, every blob intact', { timeout: 300_000 }, async () => {
  const out = join(await tempDir('berth-exp-oci-'), 'layout');
  await skopeo(['copy', '--all', `oci-archive:${archive}:e2e/multi:v1`, `oci:${out}:v1`]);
  assert.equal((await layoutTagDescriptor(out, 'v1')).digest, layout.indexDigest, 'the index, byte for byte');
  const blobs = await readVerifiedBlobs(out);
  for (const [digest, data] of layout.blobs) assert.ok(blobs.get(digest)?.equals(data), `${digest}: every platform's blobs`);
});

// skopeo 1.9 (Debian 12) selects only OCI manifests by name in an OCI layout, so it reads a
// Docker-format image through the archive's docker view (manifest.json) instead. It recompresses
// the layers it reads from a docker archive, so their digests change; the config, which lists
// the uncompressed layers' digests (diff_ids), must not.
test('skopeo reads the Docker-format image through manifest.json: the same image reaches a registry', { timeout: 300_000 }, async () => {
  await skopeo(['copy', '--dest-tls-verify=false', `docker-archive:${archive}:e2e/app:v1`, `docker://${berth.addr}/e2e/app-copy:v1`]);
  type M = { config: { digest: string }; layers: Array<{ digest: string }> };
  const pushed = (await fetchManifest(berth.url, 'e2e/app', 'v1')).json as M;
  const copied = (await fetchManifest(berth.url, 'e2e/app-copy', 'v1')).json as M;
  assert.equal(copied.config.digest, pushed.config.digest);
  assert.equal(copied.layers.length, pushed.layers.length);
});

test('index.json names both images and the referrer, whose blobs are in the archive', () => {
  const index = entryJson<OciIndexFile>(entries, 'index.json');
  const names = index.manifests.map((m) => m.annotations?.['io.containerd.image.name']);
  assert.deepEqual(names.sort(), ['e2e/app:v1', `e2e/multi@${referrer}`, 'e2e/multi:v1'].sort());
  const sbom = index.manifests.find((m) => m.digest === referrer)!;
  assert.equal(sbom.artifactType, 'application/spdx+json');
  const manifest = entryJson<{ subject: { digest: string }; layers: Array<{ digest: string }> }>(entries, blobPath(referrer));
  assert.equal(manifest.subject.digest, layout.indexDigest);
  for (const l of manifest.layers) assert.ok(entries.some((e) => e.name === blobPath(l.digest)), 'the referrer\'s payload');
});

test('an unknown tag or repository: exit 1, one line naming it, no file', async () => {
  const file = join(work, 'missing.tar');
  const cases: Array<[string, string]> = [['e2e/app:nope', 'unknown tag e2e/app:nope'], ['e2e/none:v1', 'unknown repository e2e/none']];
  for (const [ref, message] of cases) {
    const r = await berthExport(['e2e/app:v1', ref, '-o', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `berth: ${message}\n`);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual((await readdir(work)).filter((n) => n.startsWith('missing')), []);
  assert.ok(!existsSync(file));
});

test('Ctrl-C in the middle of writing: exit 130, and neither the archive nor its partial file is left', { timeout: 300_000 }, async () => {
  await pushImage(berth.url, 'e2e/big', 'v1', { layerCount: 2, layerSize: 256 * 1024 * 1024 });
  const file = join(work, 'interrupted.tar');
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'berth.cjs'), 'export', '--config', berth.config, 'e2e/big:v1', '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait until the partial file has bytes in it, then interrupt.
  for (let i = 0; i < 3000; i++) {
    if (existsSync(`${file}.tmp`) && statSync(`${file}.tmp`).size > 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(existsSync(`${file}.tmp`), 'the export was caught while writing');
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted; no archive written/);
  assert.ok(!existsSync(file) && !existsSync(`${file}.tmp`));
});
