// `berth import`'s reading and storing, on real tar files built here with tar-stream (each
// layout: old and new `docker save`, OCI layouts as a tar, a gzip tar and a directory, and an
// archive `berth export` wrote, with a multi-platform index and its referrer), pushed over HTTP
// into a real registry on a temp dir. Damaged archives (a byte changed, cut short, not an image
// archive) must fail with a message naming the problem and leave the store's file tree exactly
// as it was, fsck clean.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { exportImages } from '../../../main/archive/export';
import { parseExportRef } from '../../../main/archive/export-ref';
import { importArchive, storeArchive, verifyArchive, type ImportSummary } from '../../../main/archive/import-archive';
import { ImportError } from '../../../main/archive/import-error';
import { DOCKER_UNCOMPRESSED_LAYER } from '../../../main/archive/import-plan';
import { RegistryPush } from '../../../main/archive/registry-push';
import { runCleanups, tempDir } from '../../support/cleanup';
import { fileTree } from '../../support/file-tree';
import { descriptorOf, expectStatus, json, MT, ociIndex, ociManifest, pushArtifact, pushImage, putManifest, sha256, type Descriptor } from '../../support/oci';
import { startTestRegistry, type TestRegistry } from '../../support/registry';
import { tarArchive } from '../../support/tar';

interface TarFile { name: string; data?: Buffer; linkname?: string }

async function writeTar(file: string, entries: TarFile[], opts: { gzip?: boolean } = {}): Promise<void> {
  const p = pack();
  for (const e of entries) {
    if (e.linkname !== undefined) p.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else p.entry({ name: e.name, size: e.data!.length }, e.data!);
  }
  p.finalize();
  // One pipeline to one write stream: a second writer to the same path (writeFile beside an
  // open write stream) could be truncated by the stream's late open.
  if (opts.gzip) await pipeline(p, createGzip(), createWriteStream(file));
  else await pipeline(p, createWriteStream(file));
}

async function writeDir(dir: string, entries: TarFile[]): Promise<void> {
  for (const e of entries) {
    await mkdir(dirname(join(dir, e.name)), { recursive: true });
    await writeFile(join(dir, e.name), e.data!);
  }
}

const layerTar = (label: string) => tarArchive([{ name: `${label}.bin`, data: randomBytes(3000 + Math.floor(Math.random() * 3000)) }]);

interface Built { entries: TarFile[]; digest: string; layers: Buffer[] }

/** An OCI layout with one image per platform under an index named `ref` (or unnamed). */
function ociLayout(annotations: Record<string, string> | undefined, platforms = ['amd64', 'arm64'], extra: TarFile[] = []): Built {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer) => { blobs.set(sha256(b), b); return b; };
  const layers: Buffer[] = [];
  const children: Descriptor[] = platforms.map((arch) => {
    const plain = layerTar(arch);
    const layer = add(gzipSync(plain));
    layers.push(layer);
    const config = add(json({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(plain)] } }));
    const m = add(ociManifest(descriptorOf(MT.ociConfig, config), [descriptorOf(MT.ociLayer, layer)]));
    return { ...descriptorOf(MT.ociManifest, m), platform: { os: 'linux', architecture: arch } };
  });
  const index = add(ociIndex(children));
  const top = { ...descriptorOf(MT.ociIndex, index), ...(annotations ? { annotations } : {}) };
  const entries: TarFile[] = [
    ...[...blobs].map(([d, data]) => ({ name: `blobs/sha256/${d.slice(7)}`, data })),
    ...extra,
    { name: 'index.json', data: json({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [top] }) },
    { name: 'oci-layout', data: json({ imageLayoutVersion: '1.0.0' }) },
  ];
  return { entries, digest: sha256(index), layers };
}

/** Docker 20.10's `docker save`: <id>/layer.tar (a repeated layer as a symlink), <config>.json, manifest.json, repositories. */
function dockerSave(repoTags: string[] | null, seed = 'a'): Built & { diffIds: string[]; configDigest: string } {
  const base = layerTar('base');
  const top = layerTar('top');
  const layers = [base, top, base]; // the base layer again: docker save links it
  const diffIds = layers.map((l) => sha256(l));
  const config = json({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: diffIds } });
  const configHex = sha256(config).slice(7);
  const ids = ['1', '2', '3'].map((p) => (seed + p).repeat(32));
  const entries: TarFile[] = [
    { name: `${ids[0]}/layer.tar`, data: base },
    { name: `${ids[0]}/VERSION`, data: Buffer.from('1.0') },
    { name: `${ids[1]}/layer.tar`, data: top },
    { name: `${ids[2]}/layer.tar`, linkname: `../${ids[0]}/layer.tar` },
    { name: `${configHex}.json`, data: config },
    { name: 'manifest.json', data: json([{ Config: `${configHex}.json`, RepoTags: repoTags, Layers: ids.map((id) => `${id}/layer.tar`) }]) },
    { name: 'repositories', data: json({}) },
  ];
  return { entries, digest: '', layers, diffIds, configDigest: `sha256:${configHex}` };
}

describe('berth import: archive readers', () => {
  let reg: TestRegistry;
  let push: RegistryPush;
  let work: string;

  before(async () => { work = await tempDir('berth-import-'); });
  beforeEach(async () => {
    reg = await startTestRegistry();
    push = new RegistryPush({ base: new URL(`${reg.url}/`) });
  });
  const finish = async () => { push.close(); await reg.stop(); };
  after(runCleanups);

  const manifest = async (repo: string, ref: string) => {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: [MT.ociIndex, MT.ociManifest, MT.dockerManifest, MT.dockerList].join(', ') } });
    return { body: await expectStatus(res, 200), type: res.headers.get('content-type'), digest: res.headers.get('docker-content-digest') };
  };
  const blob = async (repo: string, digest: string) => expectStatus(await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`), 200);
  const fsckClean = async () => {
    const r = await reg.registry.store.fsck();
    assert.deepEqual(r.problems, []);
  };

  it('an OCI layout tar: the multi-platform index under its ref.name, every platform and layer served, fsck clean', async () => {
    try {
      const built = ociLayout({ 'org.opencontainers.image.ref.name': 'team/app:1.0' });
      const file = join(work, 'oci.tar');
      await writeTar(file, built.entries);
      const s = await importArchive(file, push);
      assert.equal(s.format, 'OCI image layout');
      assert.deepEqual(s.images.map((i) => [i.repository, i.tags, i.digest, i.manifests]), [['team/app', ['1.0'], built.digest, 3]]);
      const top = await manifest('team/app', '1.0');
      assert.equal(top.digest, built.digest);
      for (const d of (JSON.parse(top.body.toString()) as { manifests: Descriptor[] }).manifests) await manifest('team/app', d.digest);
      for (const l of built.layers) assert.deepEqual(await blob('team/app', sha256(l)), l);
      await fsckClean();
    } finally { await finish(); }
  });

  it("Docker 20.10's docker save: layer.tar stored as is (uncompressed, digest = diff_id), repeated layer via symlink, RepoTags kept", async () => {
    try {
      const built = dockerSave(['alpine:3.20', 'localhost:5000/team/tool:v1']);
      const file = join(work, 'docker.tar');
      await writeTar(file, built.entries);
      const s = await importArchive(file, push);
      assert.equal(s.format, 'docker save archive');
      assert.deepEqual(s.images.map((i) => [i.repository, i.tags]), [['alpine', ['3.20']], ['team/tool', ['v1']]]);
      const m = await manifest('alpine', '3.20');
      assert.equal(m.type, MT.dockerManifest);
      const parsed = JSON.parse(m.body.toString()) as { config: Descriptor; layers: Descriptor[] };
      assert.equal(parsed.config.digest, built.configDigest);
      assert.deepEqual(parsed.layers.map((l) => [l.mediaType, l.digest]), built.diffIds.map((d) => [DOCKER_UNCOMPRESSED_LAYER, d]));
      assert.deepEqual(await blob('alpine', built.diffIds[1]!), built.layers[1]);
      assert.equal((await manifest('team/tool', 'v1')).digest, m.digest);
      // Two distinct layers and the config, stored once; mounted into the second repository.
      assert.equal(s.blobsStored, 3);
      await fsckClean();
    } finally { await finish(); }
  });

  it("Docker 25's docker save (index.json with io.containerd.image.name, manifest.json), gzip-compressed", async () => {
    try {
      const built = ociLayout({ 'io.containerd.image.name': 'docker.io/library/busybox:musl', 'org.opencontainers.image.ref.name': 'musl' }, ['amd64'],
        [{ name: 'manifest.json', data: json([{ Config: 'blobs/sha256/00', RepoTags: ['busybox:musl'], Layers: [] }]) }]);
      const file = join(work, 'docker25.tar.gz');
      await writeTar(file, built.entries, { gzip: true });
      const s = await importArchive(file, push);
      assert.deepEqual(s.images.map((i) => [i.repository, i.tags, i.digest]), [['busybox', ['musl'], built.digest]]);
      assert.equal((await manifest('busybox', 'musl')).digest, built.digest);
      await fsckClean();
    } finally { await finish(); }
  });

  it('an OCI layout directory, a nameless image with --as, and a second import that stores nothing', async () => {
    try {
      const built = ociLayout(undefined);
      const dir = join(work, 'layout-dir');
      await writeDir(dir, built.entries);
      await assert.rejects(importArchive(dir, push), (e: Error) => e instanceof ImportError && /has no repository name in the archive: give one with --as/.test(e.message));
      const s = await importArchive(dir, push, { as: { repository: 'mirror/app', tag: 'edge' } });
      assert.deepEqual(s.images.map((i) => [i.repository, i.tags]), [['mirror/app', ['edge']]]);
      assert.equal((await manifest('mirror/app', 'edge')).digest, built.digest);
      const again: ImportSummary = await importArchive(dir, push, { as: { repository: 'mirror/app', tag: 'edge' } });
      assert.equal(again.blobsStored, 0);
      assert.equal(again.blobsSkipped, 4);
      await fsckClean();
    } finally { await finish(); }
  });

  it('--as names one image: refused for an archive of two', async () => {
    try {
      const file = join(work, 'two.tar');
      const a = dockerSave(['one:1'], 'a');
      const b = dockerSave(['two:2'], 'b');
      const listOf = (x: Built) => JSON.parse(x.entries.find((e) => e.name === 'manifest.json')!.data!.toString()) as unknown[];
      const entries = [...a.entries, ...b.entries].filter((e) => e.name !== 'manifest.json' && e.name !== 'repositories');
      await writeTar(file, [...entries, { name: 'manifest.json', data: json([...listOf(a), ...listOf(b)]) }]);
      const before = await fileTree(reg.root);
      await assert.rejects(importArchive(file, push, { as: { repository: 'x' } }), /--as names one image, but .* holds 2/);
      assert.deepEqual(await fileTree(reg.root), before);
    } finally { await finish(); }
  });

  describe('damaged archives leave the store exactly as it was', () => {
    const unchanged = async (file: string, expected: RegExp) => {
      // Something is stored already, so "as it was" is not just "empty".
      const seed = join(work, `seed-${Math.random()}.tar`);
      await writeTar(seed, ociLayout({ 'org.opencontainers.image.ref.name': 'seed:1' }).entries);
      await importArchive(seed, push);
      const before = await fileTree(reg.root);
      await assert.rejects(importArchive(file, push), (e: Error) => {
        assert.ok(e instanceof ImportError, e.stack);
        assert.match(e.message, expected);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
      assert.deepEqual(await fileTree(reg.root), before);
      await fsckClean();
    };

    it('a byte changed in a layer: the error names the blob', async () => {
      try {
        const built = ociLayout({ 'org.opencontainers.image.ref.name': 'bad:1' });
        const victim = sha256(built.layers[1]!);
        const entry = built.entries.find((e) => e.name === `blobs/sha256/${victim.slice(7)}`)!;
        const changed = Buffer.from(entry.data!);
        changed[100] = changed[100]! ^ 0xff;
        entry.data = changed;
        const file = join(work, 'tampered.tar');
        await writeTar(file, built.entries);
        await unchanged(file, new RegExp(`blob ${victim} \\(blobs/sha256/${victim.slice(7)}\\) does not match its digest: the archive is corrupt`));
      } finally { await finish(); }
    });

    it('a byte changed in an old-style layer.tar: the error names the layer and its diff_id', async () => {
      try {
        const built = dockerSave(['bad:1']);
        const entry = built.entries.find((e) => e.name.endsWith('/layer.tar') && e.data)!;
        const changed = Buffer.from(entry.data!);
        changed[700] = changed[700]! ^ 0x01;
        entry.data = changed;
        const file = join(work, 'tampered-docker.tar');
        await writeTar(file, built.entries);
        await unchanged(file, new RegExp(`layer ${entry.name} does not match its diff_id ${built.diffIds[0]}`));
      } finally { await finish(); }
    });

    it('cut short inside a layer: "truncated", naming the file', async () => {
      try {
        const built = dockerSave(['cut:1']);
        const file = join(work, 'truncated.tar');
        await writeTar(file, built.entries);
        await truncate(file, 512 + 2000); // inside the first layer.tar
        await unchanged(file, /truncated\.tar is truncated: it ends inside (a1)+\/layer\.tar/);
      } finally { await finish(); }
    });

    it('cut short inside a gzip stream', async () => {
      try {
        const file = join(work, 'truncated.tar.gz');
        await writeTar(file, ociLayout({ 'org.opencontainers.image.ref.name': 'cut:1' }).entries, { gzip: true });
        const size = (await readFile(file)).length;
        await truncate(file, Math.floor(size / 2));
        await unchanged(file, /truncated\.tar\.gz is truncated/);
      } finally { await finish(); }
    });

    it('a blob missing from the layout: named, with what references it', async () => {
      try {
        const built = ociLayout({ 'org.opencontainers.image.ref.name': 'gap:1' });
        const gone = sha256(built.layers[0]!).slice(7);
        const file = join(work, 'missing.tar');
        await writeTar(file, built.entries.filter((e) => !e.name.endsWith(gone)));
        await unchanged(file, new RegExp(`layer 0 of sha256:[a-f0-9]+ names blobs/sha256/${gone}, which is not in the archive`));
      } finally { await finish(); }
    });

    it('not an image archive, and not a tar at all', async () => {
      try {
        const file = join(work, 'other.tar');
        await writeTar(file, [{ name: 'README', data: Buffer.from('hello') }]);
        await unchanged(file, /is not an image archive Berth can import: it has neither index\.json \(an OCI image layout\) nor manifest\.json \(docker save\)/);
        const junk = join(work, 'junk.tar');
        await writeFile(junk, randomBytes(4096));
        await unchanged(junk, /junk\.tar is not a tar archive|junk\.tar is truncated/);
      } finally { await finish(); }
    });
  });
});

describe('berth import: an archive that changes between the two reads', () => {
  after(runCleanups);

  it('the upload whose bytes no longer match is cancelled (no partial blob), no manifest or tag is written, fsck clean', async () => {
    const reg = await startTestRegistry();
    const push = new RegistryPush({ base: new URL(`${reg.url}/`) });
    try {
      const work = await tempDir('berth-import-');
      const built = ociLayout({ 'org.opencontainers.image.ref.name': 'moving:1' });
      const file = join(work, 'moving.tar');
      await writeTar(file, built.entries);
      const verified = await verifyArchive(file);
      // Same size, one byte changed in the last layer: only the second read can notice.
      const victim = built.entries.find((e) => e.name === `blobs/sha256/${sha256(built.layers[1]!).slice(7)}`)!;
      const changed = Buffer.from(victim.data!);
      changed[50] = changed[50]! ^ 0x01;
      victim.data = changed;
      await writeTar(file, built.entries);
      await assert.rejects(storeArchive(verified, push), /moving\.tar changed while it was imported: blobs\/sha256\/[a-f0-9]+ no longer matches sha256:/);
      assert.equal((await fetch(`${reg.url}/v2/moving/manifests/1`)).status, 404);
      assert.equal((await fetch(`${reg.url}/v2/moving/blobs/${sha256(built.layers[1]!)}`)).status, 404);
      assert.deepEqual((await fileTree(reg.root)).filter((p) => p.includes('_uploads/') && !p.endsWith('_uploads/')), [], 'no upload left behind');
      const r = await reg.registry.store.fsck();
      assert.equal(r.errors, 0, JSON.stringify(r.problems));
    } finally {
      push.close();
      await reg.stop();
    }
  });
});

describe("berth import: Berth's own export", () => {
  after(runCleanups);

  it('a multi-platform image under two tags and its referrer arrive in another registry as they were', async () => {
    const [a, b] = await Promise.all([startTestRegistry(), startTestRegistry()]);
    const push = new RegistryPush({ base: new URL(`${b.url}/`) });
    try {
      const amd = await pushImage(a.url, 'team/multi', undefined, { platform: { os: 'linux', architecture: 'amd64' } });
      const arm = await pushImage(a.url, 'team/multi', undefined, { platform: { os: 'linux', architecture: 'arm64' } });
      const index = ociIndex([amd.descriptor, arm.descriptor]);
      await expectStatus(await putManifest(a.url, 'team/multi', 'v2', index, MT.ociIndex), 201);
      await expectStatus(await putManifest(a.url, 'team/multi', 'stable', index, MT.ociIndex), 201);
      const sig = await pushArtifact(a.url, 'team/multi', descriptorOf(MT.ociIndex, index), 'application/vnd.example.signature');
      assert.equal(sig.response.status, 201);

      const file = join(await tempDir('berth-import-'), 'export.tar');
      await exportImages(a.registry.store, { refs: ['team/multi:v2', 'team/multi:stable'].map(parseExportRef), file });
      const s = await importArchive(file, push);
      assert.equal(s.format, 'OCI image layout with docker save manifest.json');
      for (const tag of ['v2', 'stable']) {
        const res = await fetch(`${b.url}/v2/team/multi/manifests/${tag}`, { headers: { Accept: MT.ociIndex } });
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), index, tag);
      }
      for (const img of [amd, arm]) {
        for (const l of img.layers) assert.deepEqual(Buffer.from(await (await fetch(`${b.url}/v2/team/multi/blobs/${l.digest}`)).arrayBuffer()), l.bytes);
      }
      const referrers = await (await fetch(`${b.url}/v2/team/multi/referrers/${sha256(index)}`)).json() as { manifests: Descriptor[] };
      assert.deepEqual(referrers.manifests.map((m) => m.digest), [sig.digest]);
      assert.deepEqual((await b.registry.store.fsck()).problems, []);
    } finally {
      push.close();
      await a.stop();
      await b.stop();
    }
  });
});
