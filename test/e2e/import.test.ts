// `berth import` (the built dist/berth.cjs) with real tools on both sides: Debian's Docker
// saves a multi-layer image, Berth imports it while serving, and Docker pulls it back from
// Berth and runs it; skopeo writes a two-platform index as an oci-archive, and Berth serves
// every platform after importing it. A tampered and a truncated archive each fail with one
// line naming the problem and leave the store's file tree exactly as it was, fsck clean. An
// offline import (nothing serving) is then served by `berth serve`, and an import is refused
// while something that is not Berth listens on the registry's address. Over TLS with logins, the
// import trusts the configured certificate and logs in with --user.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { extract } from 'tar-stream';
import { repoRoot, startBerth } from '../support/berth-process';
import { startBerthTls } from '../support/berth-tls';
import { tempDir } from '../support/cleanup';
import { prepareSkopeo } from '../support/container-tools';
import { pullFresh, rootfsLayers, runInImage } from '../support/docker-flows';
import { sharedDockerd, type Dockerd } from '../support/dockerd';
import { fileTree } from '../support/file-tree';
import { buildMultiLayerImage, importBusyboxImage, type BuiltFile } from '../support/images';
import { writeMultiPlatformLayout } from '../support/oci-layout';
import { freePort, runCommand, useE2EHooks, type CommandResult } from '../support/processes';
import { startReferenceRegistry } from '../support/reference-registry';
import type { RegistryProcess } from '../support/registry-process';
import { fetchManifest, fetchTags } from '../support/registry-http';
import { testRegistryYaml } from '../support/registry-yaml';

useE2EHooks();

let d: Dockerd;
let berth: RegistryProcess;
let work: string;
/** `docker save` of a three-layer image (busybox + a text file + 1 MiB of random bytes). */
let saved: string;
let files: BuiltFile[];
let layers: string[];

/** The CLI as a user runs it against a config, with the data folder `berth serve` was given. */
function berthCli(args: string[], config: string): Promise<CommandResult> {
  return runCommand(process.execPath, [join(repoRoot, 'dist', 'berth.cjs'), ...args, '--config', config], {
    env: { ...process.env, BERTH_DATA_DIR: join(dirname(config), 'berth-data') }, check: false, timeoutMs: 300_000,
  });
}

before(async () => {
  work = await tempDir('berth-import-e2e-');
  [d, berth] = await Promise.all([sharedDockerd(), startBerth()]);
  await importBusyboxImage(d, 'e2e-base:latest');
  files = await buildMultiLayerImage(d, 'e2e-base:latest', 'import/layers:v1');
  layers = await rootfsLayers(d, 'import/layers:v1');
  assert.equal(layers.length, 3);
  saved = join(work, 'layers.tar');
  await d.docker(['save', '-o', saved, 'import/layers:v1']);
});

test('docker save → berth import while Berth serves → docker pull from Berth and run', { timeout: 600_000 }, async () => {
  const out = await berthCli(['import', saved], berth.config);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^Imported docker save archive — online, through the registry serving this config/);
  assert.match(out.stdout, /import\/layers:v1 {2}sha256:[a-f0-9]{64} {2}\(1 manifest, 4 blobs\)/);
  // The serving registry's catalog sees it at once.
  assert.deepEqual(await fetchTags(berth.url, 'import/layers'), ['v1']);

  const ref = `${berth.addr}/import/layers:v1`;
  await pullFresh(d, ref, layers);
  const sums = await runInImage(d, ref, ['/bin/busybox', 'sha256sum', ...files.map((f) => f.path)]);
  assert.equal(sums, files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));

  const again = await berthCli(['import', saved], berth.config);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /stored 0 blobs \(0 B\); 4 already there/);
});

test('skopeo copy --all to oci-archive: → berth import --as → every platform served', { timeout: 300_000 }, async () => {
  const skopeo = await prepareSkopeo();
  const reference = await startReferenceRegistry();
  try {
    const layout = await writeMultiPlatformLayout(join(await tempDir('berth-oci-'), 'layout'), { tag: 'v1', label: 'import-e2e' });
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${reference.addr}/e2e/multi:v1`]);
    const archive = join(work, 'multi.tar');
    await skopeo(['copy', '--all', '--src-tls-verify=false', `docker://${reference.addr}/e2e/multi:v1`, `oci-archive:${archive}`]);

    const out = await berthCli(['import', archive, '--as', 'mirror/multi:v1'], berth.config);
    assert.equal(out.code, 0, out.stderr);
    const index = await fetchManifest(berth.url, 'mirror/multi', 'v1');
    assert.equal(index.digest, layout.indexDigest);
    assert.ok(index.body.equals(layout.index), 'the index is stored byte for byte');
    for (const img of layout.images) {
      const child = await fetchManifest(berth.url, 'mirror/multi', img.manifestDigest);
      assert.ok(child.body.equals(img.manifest), `${img.platform.architecture} manifest served`);
      const layer = await fetch(`${berth.url}/v2/mirror/multi/blobs/${img.layerDigest}`);
      assert.equal(layer.status, 200);
      assert.ok(Buffer.from(await layer.arrayBuffer()).equals(layout.blobs.get(img.layerDigest)!));
    }
  } finally {
    await reference.stop();
  }
});

/** Where a tar entry's bytes start in the file: its content, found in the archive. */
async function offsetOfEntry(file: string, name: RegExp): Promise<{ name: string; offset: number; size: number }> {
  const ex = extract();
  let found: { name: string; head: Buffer; size: number } | undefined;
  const done = new Promise<void>((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject); });
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => { if (!found && name.test(header.name) && (header.size ?? 0) > 100_000) chunks.push(c as Buffer); });
    stream.on('end', () => {
      if (!found && chunks.length > 0) found = { name: header.name, head: Buffer.concat(chunks).subarray(0, 4096), size: header.size ?? 0 };
      next();
    });
  });
  createReadStream(file).pipe(ex);
  await done;
  assert.ok(found, 'a large layer in the archive');
  const all = await readFile(file);
  return { name: found.name, offset: all.indexOf(found.head), size: found.size };
}

test('a tampered and a truncated docker save archive: one clear line, exit 1, store unchanged and fsck clean', { timeout: 300_000 }, async () => {
  const layer = await offsetOfEntry(saved, /layer\.tar$/);
  const tampered = join(work, 'tampered.tar');
  await copyFile(saved, tampered);
  const bytes = await readFile(tampered);
  bytes[layer.offset + Math.floor(layer.size / 2)]! ^= 0x40;
  await writeFile(tampered, bytes);
  const truncated = join(work, 'truncated.tar');
  await copyFile(saved, truncated);
  await truncate(truncated, layer.offset + Math.floor(layer.size / 3));

  const before = await fileTree(berth.root);
  for (const [file, problem] of [
    [tampered, new RegExp(`layer ${layer.name.replace(/[.]/g, '\\.')} does not match its diff_id sha256:[a-f0-9]{64} in [a-f0-9]{64}\\.json: the archive is corrupt`)],
    [truncated, new RegExp(`truncated\\.tar is truncated: it ends inside ${layer.name.replace(/[.]/g, '\\.')}`)],
  ] as const) {
    const out = await berthCli(['import', file], berth.config);
    assert.equal(out.code, 1, out.stdout);
    assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
    assert.match(out.stderr, problem);
    assert.deepEqual(await fileTree(berth.root), before, `${file} left the store as it was`);
  }
  const fsck = await berthCli(['fsck'], berth.config);
  assert.equal(fsck.code, 0, fsck.stdout);
  assert.match(fsck.stdout, /found {4}0 errors, 0 harmless leftovers/);
});

test('offline import (nothing serving) is then served by berth serve; refused while another server holds the address', { timeout: 300_000 }, async () => {
  const dir = await tempDir('berth-offline-');
  const root = join(dir, 'data');
  const config = join(dir, 'config.yml');
  await writeFile(config, testRegistryYaml(root, { dataDir: root, addr: `127.0.0.1:${await freePort()}` }));
  const out = await berthCli(['import', saved, '--as', 'offline/app'], config);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, new RegExp(`offline, directly on ${root.replace(/[.]/g, '\\.')}`));
  const fsck = await berthCli(['fsck'], config);
  assert.match(fsck.stdout, /offline.*\n.*\n {2}found {4}0 errors, 0 harmless leftovers/);

  const served = await startBerth({ root });
  try {
    const ref = `${served.addr}/offline/app:v1`;
    await pullFresh(d, ref, layers);
    assert.equal(await runInImage(d, ref, ['/bin/busybox', 'cat', files[0]!.path]), 'hello from import/layers:v1\n');
  } finally {
    await served.stop();
  }

  // registry:2 (distribution) on the address: a second writer beside it is refused.
  const other = await startReferenceRegistry();
  try {
    const busy = join(dir, 'busy.yml');
    await writeFile(busy, testRegistryYaml(join(dir, 'busy'), { dataDir: join(dir, 'busy'), addr: other.addr }));
    const refused = await berthCli(['import', saved], busy);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`something is serving on ${other.addr} but no Berth answers on its maintenance channel`));
    assert.deepEqual(await fileTree(join(dir, 'busy')), []);
  } finally {
    await other.stop();
  }
});

test('online over TLS with logins: refused without --user (saying so), imported with it', { timeout: 300_000 }, async () => {
  const tls = await startBerthTls([{ user: 'writer', password: 'import-pass-1' }]);
  try {
    const anonymous = await berthCli(['import', saved], tls.config);
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /^berth: the registry at https:\/\/127\.0\.0\.1:\d+ requires a login: give --user NAME/);
    const out = await runCommand(process.execPath, [join(repoRoot, 'dist', 'berth.cjs'), 'import', saved, '--user', 'writer', '--config', tls.config], {
      env: { ...process.env, BERTH_DATA_DIR: join(dirname(tls.config), 'berth-data') }, input: 'import-pass-1\n', timeoutMs: 300_000,
    });
    assert.match(out.stdout, /online, through the registry serving this config \(https:\/\/127\.0\.0\.1:\d+\)/);
    const tags = await tls.get('/v2/import/layers/tags/list', { user: 'writer', password: 'import-pass-1' });
    assert.deepEqual(JSON.parse(tags.body.toString()), { name: 'import/layers', tags: ['v1'] });
  } finally {
    await tls.proc.stop();
  }
});
