// The export archive, parsed back with a real tar reader: the entries and their order, every
// blob under its own digest and only once (shared layers, the same image under two tags), the
// docker view (manifest.json, repositories) and the OCI view (oci-layout, index.json with every
// platform and the referrers), progress, and failures that leave no file. Content is pushed over
// HTTP to a real registry on a temp dir and exported from its storage, as `berth export` does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Annotations, blobPath, type DockerManifestEntry, type DockerRepositoriesFile, type OciIndexFile,
} from '../../../main/archive/archive-format';
import type { ExportProgress } from '../../../main/archive/archive-writer';
import { exportImages } from '../../../main/archive/export';
import { ExportError } from '../../../main/archive/export-error';
import { parseExportRef } from '../../../main/archive/export-ref';
import { silentLogger } from '../../../main/lib/logger';
import { openDriver } from '../../../main/registry/registry';
import { RegistryStore } from '../../../main/registry/storage/registry-store';
import { runCleanups, tempDir } from '../../support/cleanup';
import {
  descriptorOf, expectStatus, hexOf, json, MT, ociIndex, ociManifest, pushArtifact, pushBlob, pushImage, putManifest, v2Root,
  type PushedImage,
} from '../../support/oci';
import { startTestRegistry, type TestRegistry } from '../../support/registry';
import { entryJson, readTarEntries, type ReadEntry } from '../../support/tar-read';

let reg: TestRegistry;
let store: RegistryStore;
let out: string;
let app: { manifest: Buffer; digest: string; config: string; layers: string[] };
let second: { digest: string };
let amd64: PushedImage;
let arm64: PushedImage;
let indexDigest: string;
let signature: string;
let sbom: string;

before(async () => {
  reg = await startTestRegistry();
  out = await tempDir('berth-ar-');
  // Two images in two repositories sharing a base layer, one under two tags.
  const base = randomBytes(4096);
  const configA = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: 1 });
  const configB = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: 2 });
  const topA = randomBytes(3000);
  const topB = randomBytes(2000);
  for (const [repo, blobs] of [['team/app', [base, configA, topA]], ['team/tool', [base, configB, topB]]] as const) {
    for (const b of blobs) await pushBlob(reg.url, repo, b);
  }
  const manifestA = ociManifest(descriptorOf(MT.ociConfig, configA), [descriptorOf(MT.ociLayer, base), descriptorOf(MT.ociLayer, topA)]);
  const manifestB = ociManifest(descriptorOf(MT.ociConfig, configB), [descriptorOf(MT.ociLayer, base), descriptorOf(MT.ociLayer, topB)]);
  for (const tag of ['v1', 'latest']) await expectStatus(await putManifest(reg.url, 'team/app', tag, manifestA, MT.ociManifest), 201);
  await expectStatus(await putManifest(reg.url, 'team/tool', '1.0', manifestB, MT.ociManifest), 201);
  const sha = (b: Buffer) => descriptorOf('', b).digest;
  app = { manifest: manifestA, digest: sha(manifestA), config: sha(configA), layers: [sha(base), sha(topA)] };
  second = { digest: sha(manifestB) };

  // A two-platform index with a signature on the index and an SBOM on the signature.
  amd64 = await pushImage(reg.url, 'team/multi', undefined, { platform: { os: 'linux', architecture: 'amd64' } });
  arm64 = await pushImage(reg.url, 'team/multi', undefined, { platform: { os: 'linux', architecture: 'arm64' } });
  const index = ociIndex([amd64.descriptor, arm64.descriptor]);
  await expectStatus(await putManifest(reg.url, 'team/multi', 'v2', index, MT.ociIndex), 201);
  indexDigest = sha(index);
  const sig = await pushArtifact(reg.url, 'team/multi', descriptorOf(MT.ociIndex, index), 'application/vnd.dev.sigstore.bundle.v0.3+json');
  signature = sig.digest;
  sbom = (await pushArtifact(reg.url, 'team/multi', descriptorOf(MT.ociManifest, sig.manifest), 'application/spdx+json')).digest;

  store = new RegistryStore(await openDriver(reg.config), reg.config, silentLogger);
});
after(async () => {
  await reg.stop();
  await runCleanups();
});

const refs = (...r: string[]) => r.map(parseExportRef);

describe('an export archive', () => {
  let entries: ReadEntry[];
  let progress: ExportProgress[];
  let file: string;

  before(async () => {
    file = join(out, 'all.tar');
    progress = [];
    await exportImages(store, { refs: refs('team/app', 'team/tool:1.0', `team/tool@${second.digest}`, 'team/multi:v2'), file, platform: { os: 'linux', architecture: 'arm64' }, onProgress: (p) => progress.push(p) });
    entries = await readTarEntries(file);
  });

  it('starts with the layout, index.json, manifest.json and repositories, then manifests, configs and layers', () => {
    assert.deepEqual(entries.slice(0, 4).map((e) => e.name), ['oci-layout', 'index.json', 'manifest.json', 'repositories']);
    assert.deepEqual(entryJson(entries, 'oci-layout'), { imageLayoutVersion: '1.0.0' });
    // Layers are random bytes (one may well start with "{"), configs and manifests parse as JSON.
    const kinds = entries.slice(4).map((e) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(e.body?.toString() ?? '');
      } catch {
        return 2;
      }
      return typeof parsed === 'object' && parsed !== null && 'schemaVersion' in parsed ? 0 : 1;
    });
    assert.deepEqual(kinds, [...kinds].sort(), 'manifests, then configs, then layers');
  });

  it('stores every blob once, under its own digest', () => {
    const blobs = entries.slice(4);
    assert.ok(blobs.every((e) => e.name === blobPath(e.digest)), 'every blob entry holds the bytes its name says');
    assert.equal(new Set(blobs.map((e) => e.name)).size, blobs.length, 'no blob twice');
    assert.equal(blobs.filter((e) => e.digest === app.layers[0]).length, 1, 'the shared base layer once');
    const expected = [app.digest, app.config, ...app.layers, second.digest, indexDigest, amd64.digest, arm64.digest,
      amd64.config.digest, arm64.config.digest, ...amd64.layers.map((l) => l.digest), ...arm64.layers.map((l) => l.digest), signature, sbom];
    for (const d of expected) assert.ok(blobs.some((e) => e.digest === d), `blob ${d} is in the archive`);
  });

  it('names each reference in index.json, with every referrer, for OCI tools', () => {
    const index = entryJson<OciIndexFile>(entries, 'index.json');
    assert.equal(index.mediaType, MT.ociIndex);
    const byName = (n: string) => index.manifests.filter((m) => m.annotations?.[Annotations.imageName] === n);
    assert.equal(byName('team/app:latest')[0]?.digest, app.digest);
    assert.equal(byName('team/app:v1')[0]?.annotations?.[Annotations.refName], 'team/app:v1');
    assert.equal(byName('team/tool:1.0')[0]?.digest, second.digest);
    assert.equal(byName(`team/tool@${second.digest}`).length, 0, 'a digest also exported by tag is listed once, by its tag');
    const multi = byName('team/multi:v2')[0]!;
    assert.deepEqual([multi.digest, multi.mediaType], [indexDigest, MT.ociIndex]);
    for (const r of [signature, sbom]) {
      const entry = byName(`team/multi@${r}`)[0];
      assert.ok(entry, `referrer ${r} is in index.json`);
      assert.equal(entry.annotations?.[Annotations.refName], undefined, 'a referrer has no tag');
    }
    assert.equal(index.manifests.length, 6);
    for (const m of index.manifests) {
      const blob = entries.find((e) => e.name === blobPath(m.digest));
      assert.equal(blob?.size, m.size, `${m.digest}: size as in its descriptor`);
    }
  });

  it('lists one image per platform-specific manifest in manifest.json, pointing at the same blobs', () => {
    const docker = entryJson<DockerManifestEntry[]>(entries, 'manifest.json');
    const names = new Set(entries.map((e) => e.name));
    for (const d of docker) for (const p of [d.Config, ...d.Layers]) assert.ok(names.has(p), `${p} is in the archive`);
    const appEntry = docker.find((d) => d.Config === blobPath(app.config))!;
    assert.deepEqual(appEntry.RepoTags?.sort(), ['team/app:latest', 'team/app:v1']);
    assert.deepEqual(appEntry.Layers, app.layers.map(blobPath));
    const multi = docker.find((d) => d.RepoTags?.includes('team/multi:v2'))!;
    assert.equal(multi.Config, blobPath(arm64.config.digest), 'the platform asked for (arm64)');
    assert.equal(docker.length, 3, 'app (two tags), tool, multi: no entry for referrers');
    const repositories = entryJson<DockerRepositoriesFile>(entries, 'repositories');
    assert.equal(repositories['team/app']?.latest, hexOf(app.layers[1]!));
  });

  it('reports progress up to every byte and image', () => {
    const last = progress.at(-1)!;
    const blobBytes = entries.slice(4).reduce((n, e) => n + e.size, 0);
    assert.equal(last.bytesTotal, blobBytes);
    assert.equal(last.bytesDone, blobBytes);
    assert.deepEqual([last.imagesDone, last.imagesTotal], [4, 4], 'app:latest, app:v1, tool:1.0, multi:v2');
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.bytesDone >= progress[i - 1]!.bytesDone && progress[i]!.imagesDone >= progress[i - 1]!.imagesDone);
  });

  it('leaves no temporary file', async () => {
    assert.deepEqual((await readdir(out)).filter((n) => n.startsWith('all.tar')), ['all.tar']);
  });
});

describe('a failed export', () => {
  it('names an unknown tag, repository or digest and writes nothing', async () => {
    const file = join(out, 'none.tar');
    const cases: Array<[string, string]> = [
      ['team/app:nope', 'unknown tag team/app:nope'],
      ['team/nothing:v1', 'unknown repository team/nothing'],
      ['team/nothing', 'unknown repository team/nothing'],
      [`team/app@sha256:${'0'.repeat(64)}`, `unknown manifest team/app@sha256:${'0'.repeat(64)}`],
    ];
    for (const [ref, message] of cases) {
      await assert.rejects(exportImages(store, { refs: refs('team/tool:1.0', ref), file }), (err: Error) => err instanceof ExportError && err.message === message);
      assert.ok(!existsSync(file) && !existsSync(`${file}.tmp`), `${ref}: no file`);
    }
  });

  it('names a folder that does not exist', async () => {
    const file = join(out, 'nowhere', 'x.tar');
    await assert.rejects(exportImages(store, { refs: refs('team/tool:1.0'), file }), (err: Error) =>
      err instanceof ExportError && err.message === `cannot write ${file}: folder ${join(out, 'nowhere')} does not exist`);
  });

  it('refuses a blob whose bytes no longer match its digest, and removes the partial file', async () => {
    const file = join(out, 'corrupt.tar');
    const layer = hexOf(amd64.layers[1]!.digest);
    await writeFile(join(v2Root(reg.root), 'blobs/sha256', layer.slice(0, 2), layer, 'data'), randomBytes(amd64.layers[1]!.bytes.length));
    try {
      await assert.rejects(exportImages(store, { refs: refs('team/multi:v2'), file }), (err: Error) =>
        err instanceof ExportError && err.message.includes(`blob sha256:${layer} in the store is corrupt`));
      assert.ok(!existsSync(file) && !existsSync(`${file}.tmp`));
    } finally {
      await writeFile(join(v2Root(reg.root), 'blobs/sha256', layer.slice(0, 2), layer, 'data'), amd64.layers[1]!.bytes);
    }
  });
});
