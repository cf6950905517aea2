// buildah (Debian's, vfs storage, chroot isolation) building from a Containerfile and pushing to
// Berth over plain HTTP and over TLS with login; a two-platform index pushed with `buildah
// manifest push --all` and pulled per platform by docker; and OCI artifacts whose subject is
// that index, seen in the referrers API and in the catalog browser's view of the index (its
// control API, and the page in Chromium).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { ImageDetail } from '../../preload/contract';
import { consoleCall, startBerthConsole, type BerthConsole } from '../support/berth-console';
import { openChromium } from '../support/browser';
import { startBerthTls, type BerthTls } from '../support/berth-tls';
import { tempDir } from '../support/cleanup';
import { prepareBuildah } from '../support/container-tools';
import { removeAllImages, sharedDockerd, type Dockerd } from '../support/dockerd';
import { writeBusyboxRootfsTar } from '../support/images';
import { descriptorOf, MT, pushArtifact, raw, headerOf } from '../support/oci';
import { useE2EHooks, type CommandResult } from '../support/processes';
import { fetchManifest } from '../support/registry-http';

useE2EHooks();

const BASE = 'localhost/berth-base:latest';
const APP = 'localhost/berth-app:v1';
const HELLO = 'hello from a Containerfile COPY\n';
const SBOM = 'application/vnd.example.sbom.v1+json';
const SIGNATURE = 'application/vnd.example.signature.v1';

let buildah: Awaited<ReturnType<typeof prepareBuildah>>;
let d: Dockerd;
let plain: BerthConsole;
let tls: BerthTls;
let work: string;

const both = (r: CommandResult) => `${r.stdout}\n${r.stderr}`;

before(async () => {
  [buildah, d, plain, tls, work] = await Promise.all([
    prepareBuildah(), sharedDockerd(), startBerthConsole(), startBerthTls([{ user: 'alice', password: 'alice-pw' }]), tempDir('berth-bctx-'),
  ]);
  // The base image: the tests' busybox rootfs (`buildah add` unpacks a local tar) on scratch.
  const tar = join(work, 'rootfs.tar');
  await writeBusyboxRootfsTar(tar);
  const ctr = (await buildah(['from', 'scratch'])).stdout.trim();
  await buildah(['add', ctr, tar, '/']);
  await buildah(['commit', '--rm', ctr, BASE]);
});

test('buildah builds from a Containerfile (COPY, and RUN under chroot isolation)', { timeout: 300_000 }, async (t) => {
  t.diagnostic((await buildah(['--version'])).stdout.trim());
  const context = join(work, 'context');
  await mkdir(context);
  await writeFile(join(context, 'hello.txt'), HELLO);
  await writeFile(join(context, 'Containerfile'), [
    `FROM ${BASE}`,
    'COPY hello.txt /hello.txt',
    // Exec form: the base has no /bin/sh, only /bin/busybox; `echo` is the shell's builtin.
    'RUN ["/bin/busybox", "sh", "-c", "echo built by RUN > /run.txt"]',
    'CMD ["/bin/busybox", "cat", "/hello.txt", "/run.txt"]',
    '',
  ].join('\n'));
  await buildah(['bud', '--pull=never', '--layers=false', '-f', join(context, 'Containerfile'), '-t', APP, context], { timeoutMs: 300_000 });
  const config = JSON.parse((await buildah(['inspect', '--type', 'image', APP])).stdout) as { OCIv1: { config: { Cmd: string[] } } };
  assert.deepEqual(config.OCIv1.config.Cmd, ['/bin/busybox', 'cat', '/hello.txt', '/run.txt']);
});

test('buildah push over plain HTTP (--tls-verify=false); docker pulls it back and runs it', { timeout: 300_000 }, async () => {
  const digestFile = join(work, 'plain.digest');
  await buildah(['push', '--tls-verify=false', '--digestfile', digestFile, APP, `docker://${plain.registryAddr}/e2e/buildah:v1`], { timeoutMs: 240_000 });
  const digest = (await readFile(digestFile, 'utf8')).trim();
  const served = await fetchManifest(plain.registryUrl, 'e2e/buildah', 'v1');
  assert.equal(served.digest, digest, 'Docker-Content-Digest is what buildah pushed');
  assert.equal(served.bodyDigest, digest, 'the stored bytes hash to the pushed digest');
  assert.equal(served.contentType, MT.ociManifest, 'buildah pushes OCI by default; served with that type');

  await removeAllImages(d);
  const ref = `${plain.registryAddr}/e2e/buildah:v1`;
  await d.docker(['pull', ref], { timeoutMs: 240_000 });
  const run = await d.docker(['run', '--rm', '--network', 'none', ref]);
  assert.equal(run.stdout, `${HELLO}built by RUN\n`);
});

test('buildah push over TLS: refused without the CA, then without credentials; works with --cert-dir and --creds', { timeout: 300_000 }, async () => {
  const dest = `docker://${tls.addr}/alice/buildah:v1`;
  const noCa = await buildah(['push', '--creds', 'alice:alice-pw', '--retry', '0', APP, dest], { check: false });
  assert.notEqual(noCa.code, 0);
  assert.match(both(noCa), /x509: certificate signed by unknown authority/);
  const noCreds = await buildah(['push', '--cert-dir', tls.certDir, '--retry', '0', APP, dest], { check: false });
  assert.notEqual(noCreds.code, 0);
  assert.match(both(noCreds), /unauthorized|authentication required/i);
  const wrong = await buildah(['push', '--cert-dir', tls.certDir, '--creds', 'alice:wrong', '--retry', '0', APP, dest], { check: false });
  assert.notEqual(wrong.code, 0);
  assert.match(both(wrong), /unauthorized|authentication required/i);

  const digestFile = join(work, 'tls.digest');
  await buildah(['push', '--cert-dir', tls.certDir, '--creds', 'alice:alice-pw', '--digestfile', digestFile, APP, dest], { timeoutMs: 240_000 });
  const digest = (await readFile(digestFile, 'utf8')).trim();
  const head = await tls.get('/v2/alice/buildah/manifests/v1', { user: 'alice', password: 'alice-pw', headers: { Accept: MT.ociManifest } });
  assert.equal(head.status, 200, head.body.toString('utf8'));
  assert.equal(head.headers['docker-content-digest'], digest);
  assert.equal(head.headers['content-type'], MT.ociManifest);

  // docker treats 127.0.0.0/8 as an insecure registry: HTTPS without verifying the CA, which is
  // enough to pull back what buildah pushed (the CA itself was checked by buildah above).
  const ref = `${tls.addr}/alice/buildah:v1`;
  await removeAllImages(d);
  const anonymous = await d.docker(['pull', ref], { check: false, timeoutMs: 120_000 });
  assert.notEqual(anonymous.code, 0, 'pulls need a login too');
  await d.docker(['login', tls.addr, '-u', 'alice', '--password-stdin'], { input: 'alice-pw\n' });
  try {
    await d.docker(['pull', ref], { timeoutMs: 240_000 });
    const run = await d.docker(['run', '--rm', '--network', 'none', ref]);
    assert.equal(run.stdout, `${HELLO}built by RUN\n`);
    assert.equal((await d.docker(['inspect', '--format', '{{index .RepoDigests 0}}', ref])).stdout.trim(), `${tls.addr}/alice/buildah@${digest}`);
  } finally {
    await d.docker(['logout', tls.addr]);
  }
});

interface Platform { arch: string; configDigest: string; manifestDigest: string }
let index: { digest: string; bytes: Buffer; platforms: Platform[] };

test('buildah manifest push --all: a two-platform index stored as pushed; docker pulls arm64 by --platform and runs amd64', { timeout: 400_000 }, async () => {
  const list = 'localhost/berth-multi:list';
  await buildah(['manifest', 'create', list]);
  for (const arch of ['amd64', 'arm64']) {
    // Same busybox content under each platform's config; the file says which one was pulled.
    const marker = join(work, `platform-${arch}.txt`);
    await writeFile(marker, `${arch}\n`);
    const ctr = (await buildah(['from', '--pull=never', BASE])).stdout.trim();
    await buildah(['copy', ctr, marker, '/platform.txt']);
    await buildah(['config', '--os', 'linux', '--arch', arch, ctr]);
    await buildah(['commit', '--rm', ctr, `localhost/berth-multi-${arch}:v1`]);
    // containers-storage: names the local image; a bare name would be looked up on a registry first.
    await buildah(['manifest', 'add', list, `containers-storage:localhost/berth-multi-${arch}:v1`]);
  }
  const digestFile = join(work, 'index.digest');
  await buildah(['manifest', 'push', '--all', '--format', 'oci', '--tls-verify=false', '--digestfile', digestFile, list, `docker://${plain.registryAddr}/e2e/multi:v1`], { timeoutMs: 300_000 });
  const digest = (await readFile(digestFile, 'utf8')).trim();

  const served = await fetchManifest(plain.registryUrl, 'e2e/multi', 'v1');
  assert.equal(served.contentType, MT.ociIndex);
  assert.equal(served.digest, digest);
  assert.equal(served.bodyDigest, digest);
  const children = (served.json.manifests ?? []) as Array<{ digest: string; platform: { os: string; architecture: string } }>;
  assert.deepEqual(children.map((c) => `${c.platform.os}/${c.platform.architecture}`).sort(), ['linux/amd64', 'linux/arm64']);
  const platforms: Platform[] = [];
  for (const c of children) {
    const child = await fetchManifest(plain.registryUrl, 'e2e/multi', c.digest);
    assert.equal(child.bodyDigest, c.digest, `${c.platform.architecture} child stored byte for byte`);
    const config = (child.json as { config: { digest: string } }).config;
    platforms.push({ arch: c.platform.architecture, configDigest: config.digest, manifestDigest: c.digest });
  }
  index = { digest, bytes: served.body, platforms };
  const of = (arch: string) => platforms.find((p) => p.arch === arch)!;

  const ref = `${plain.registryAddr}/e2e/multi:v1`;
  await removeAllImages(d);
  await d.docker(['pull', '--platform', 'linux/arm64', ref], { timeoutMs: 240_000 });
  const arm = (await d.docker(['inspect', '--format', '{{.Architecture}} {{.Id}}', ref])).stdout.trim();
  // With docker's classic image store the image ID is the config digest: exactly arm64's image.
  assert.equal(arm, `arm64 ${of('arm64').configDigest}`);

  await removeAllImages(d);
  await d.docker(['pull', '--platform', 'linux/amd64', ref], { timeoutMs: 240_000 });
  assert.equal((await d.docker(['inspect', '--format', '{{.Architecture}} {{.Id}}', ref])).stdout.trim(), `amd64 ${of('amd64').configDigest}`);
  const run = await d.docker(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'cat', '/platform.txt']);
  assert.equal(run.stdout, 'amd64\n');
});

test('artifacts whose subject is the index: listed by the referrers API (and filtered) and in the catalog view of the index', { timeout: 120_000 }, async () => {
  assert.ok(index, 'the multi-platform test pushed the index');
  const subject = descriptorOf(MT.ociIndex, index.bytes);
  const sbom = await pushArtifact(plain.registryUrl, 'e2e/multi', subject, SBOM);
  const sig = await pushArtifact(plain.registryUrl, 'e2e/multi', subject, SIGNATURE);
  assert.equal(sbom.response.status, 201);
  assert.equal(sig.response.status, 201);
  // The subject is acknowledged, so clients need not fall back to the referrers tag schema.
  assert.equal(sbom.response.headers.get('oci-subject'), index.digest);

  const all = await raw(plain.registryUrl, { path: `/v2/e2e/multi/referrers/${index.digest}` });
  assert.equal(all.status, 200, all.body.toString('utf8'));
  assert.equal(headerOf(all, 'content-type'), MT.ociIndex);
  const listed = (JSON.parse(all.body.toString('utf8')) as { manifests: Array<{ digest: string; artifactType: string; size: number }> }).manifests;
  assert.deepEqual(listed.map((m) => [m.digest, m.artifactType, m.size]).sort(), [
    [sbom.digest, SBOM, sbom.manifest.length], [sig.digest, SIGNATURE, sig.manifest.length],
  ].sort());

  const filtered = await raw(plain.registryUrl, { path: `/v2/e2e/multi/referrers/${index.digest}?artifactType=${encodeURIComponent(SBOM)}` });
  assert.equal(headerOf(filtered, 'oci-filters-applied'), 'artifactType');
  assert.deepEqual((JSON.parse(filtered.body.toString('utf8')) as { manifests: Array<{ digest: string }> }).manifests.map((m) => m.digest), [sbom.digest]);
  // A child image is not the subject: its referrers are empty.
  const child = await raw(plain.registryUrl, { path: `/v2/e2e/multi/referrers/${index.platforms[0]!.manifestDigest}` });
  assert.deepEqual((JSON.parse(child.body.toString('utf8')) as { manifests: unknown[] }).manifests, []);

  // The catalog browser (the console's control API, as the UI calls it) shows them on the index.
  const view = await consoleCall<ImageDetail>(plain, 'catalog.image', { repository: 'e2e/multi', reference: 'v1' });
  assert.equal(view.digest, index.digest);
  assert.deepEqual(view.platforms?.map((p) => p.architecture).sort(), ['amd64', 'arm64']);
  assert.deepEqual(view.referrers.map((r) => [r.digest, r.artifactType]).sort(), [[sbom.digest, SBOM], [sig.digest, SIGNATURE]].sort());
  const artifact = await consoleCall<ImageDetail>(plain, 'catalog.image', { repository: 'e2e/multi', reference: sbom.digest });
  assert.equal(artifact.artifactType, SBOM);
});

test('the catalog page of the index (Chromium) lists both referrers with links to them', { timeout: 120_000 }, async () => {
  const { page, errors } = await openChromium();
  await page.goto(plain.openUrl);
  await page.goto(`${plain.url}/#/catalog/${encodeURIComponent('e2e/multi')}/v1`);
  const referrers = page.getByRole('region', { name: 'Referrers', exact: true });
  for (const type of [SBOM, SIGNATURE]) await referrers.getByRole('row').filter({ hasText: type }).waitFor();
  assert.equal(await referrers.locator('tbody tr').count(), 2);
  const listed = await consoleCall<ImageDetail>(plain, 'catalog.image', { repository: 'e2e/multi', reference: 'v1' });
  for (const r of listed.referrers) {
    assert.equal(await referrers.getByRole('link', { name: `sha256:${r.digest.slice(7, 19)}` }).getAttribute('href'), `#/catalog/e2e%2Fmulti/${encodeURIComponent(r.digest)}`);
  }
  assert.deepEqual(errors, []);
});
