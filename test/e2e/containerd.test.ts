// containerd with Berth (issue 12, points 3 and 5): Debian's containerd and ctr, started here
// with their own root, state and socket, push to and pull from Berth through the hosts.toml
// files Berth's own helpers write (main/docker-setup/trust.ts, containerd-hosts.ts; ctr
// --hosts-dir points at them): over plain HTTP; over TLS with Berth's CA and htpasswd users
// (`ctr --user`); with Berth as the mirror of an upstream (Debian's docker-registry), selected
// by containerd's `?ns=` parameter; and `ctr images pull --platform` of one platform of a
// multi-platform index, which must fetch only that platform's manifest and blobs.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { mirrorHosts } from '../../main/docker-setup/containerd-hosts';
import { containerdMirrorTarget, containerdPlainTarget, installTrust, trustTarget, type TrustTarget } from '../../main/docker-setup/trust';
import { startBerth } from '../support/berth-process';
import { startBerthTls } from '../support/berth-tls';
import { tempDir } from '../support/cleanup';
import { contentDigests, imageDigest, importBusyboxIntoContainerd, startContainerd, type Containerd, type ImportedImage } from '../support/containerd';
import { startForwarder } from '../support/http-forwarder';
import { writeMultiPlatformLayout, OCI_INDEX, OCI_MANIFEST } from '../support/oci-layout';
import { expectStatus, pushBlob, putManifest } from '../support/oci';
import { requireExecutable, runCommand, useE2EHooks, type CommandResult } from '../support/processes';
import { startReferenceRegistry } from '../support/reference-registry';
import type { RegistryProcess } from '../support/registry-process';
import { fetchManifest } from '../support/registry-http';

useE2EHooks();

/** The namespace holding the image every push starts from. */
const SRC = 'src';

let c: Containerd;
let plain: RegistryProcess;
let src: ImportedImage;
/** A CA that did not sign Berth's certificate. */
let foreignCaPem: string;

/** Has Berth's helper write its files into a fresh hosts dir (what `ctr --hosts-dir` reads). */
async function hostsDir(target: (base: string) => TrustTarget): Promise<string> {
  const base = await tempDir('berth-hd-');
  const t = target(base);
  assert.deepEqual(await installTrust(t), { written: true, dir: t.dir });
  return base;
}

const both = (r: CommandResult) => `${r.stdout}\n${r.stderr}`;

/** `ctr [--debug] images <command> …args ref`: --debug (log every request) is a global flag. */
function images(namespace: string, command: string[], args: string[], ref: string): Promise<CommandResult> {
  const debug = args.includes('--debug') ? ['--debug'] : [];
  return c.ctr(namespace, [...debug, 'images', ...command, ...args.filter((a) => a !== '--debug'), ref], { check: false, timeoutMs: 120_000 });
}

/** Tags the source image as `ref` and pushes it with `ctr images push`. */
async function push(ref: string, args: string[]): Promise<CommandResult> {
  await c.ctr(SRC, ['images', 'tag', '--force', src.ref, ref]);
  return images(SRC, ['push'], args, ref);
}

/** Pulls `ref` into a namespace of its own (isolated content: every blob is downloaded). */
function pull(namespace: string, ref: string, args: string[]): Promise<CommandResult> {
  return images(namespace, ['pull', '--snapshotter', 'native'], args, ref);
}

/**
 * The command succeeded, and containerd accepted every hosts.toml it read: a file it cannot use
 * is only logged ("failed to decode hosts.toml") and replaced by defaults that may still work.
 */
function ok(r: CommandResult, what: string): void {
  assert.equal(r.code, 0, `${what} failed:\n${both(r)}`);
  assert.doesNotMatch(both(r), /failed to decode hosts\.toml/, `${what}: containerd rejected a hosts.toml:\n${both(r)}`);
}

/** The pull landed: the image has the pushed digest and every blob is in the content store. */
async function assertPulled(namespace: string, ref: string): Promise<void> {
  assert.equal(await imageDigest(c, namespace, ref), src.manifestDigest);
  const content = await contentDigests(c, namespace);
  for (const d of [src.manifestDigest, src.configDigest, src.layerDigest]) assert.ok(content.has(d), `${d} missing from ${namespace}'s content`);
}

async function selfSignedCa(): Promise<string> {
  const openssl = requireExecutable('openssl', 'openssl');
  const dir = await tempDir('berth-ca-');
  await runCommand(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-subj', '/CN=Not Berth CA', '-days', '1']);
  return readFile(join(dir, 'ca.crt'), 'utf8');
}

async function catalog(url: string): Promise<string[]> {
  const res = await fetch(`${url}/v2/_catalog`);
  return (JSON.parse((await expectStatus(res, 200)).toString('utf8')) as { repositories: string[] }).repositories;
}

before(async () => {
  c = await startContainerd();
  process.stderr.write(`# containerd under test: ${c.version}\n`);
  plain = await startBerth();
  foreignCaPem = await selfSignedCa();
  src = await importBusyboxIntoContainerd(c, SRC, 'berth.test/ctr/busybox:v1');
});

test('plain HTTP: ctr push and pull with the hosts.toml Berth writes for it', { timeout: 180_000 }, async (t) => {
  t.diagnostic(`containerd: ${c.version}`);
  const hosts = await hostsDir((base) => containerdPlainTarget({ hostPort: plain.addr, baseDir: base }));
  const ref = `${plain.addr}/ctr/busybox:v1`;
  // ctr speaks plain HTTP to loopback addresses by itself; what this shows is that containerd
  // reads the file (it names the directory) and accepts it (ok() fails on "failed to decode").
  const pushed = await push(ref, ['--debug', '--hosts-dir', hosts]);
  ok(pushed, 'ctr push over HTTP');
  assert.ok(pushed.stderr.includes(`msg="loading host directory" dir="${join(hosts, plain.addr)}"`), pushed.stderr);

  // Berth stored the manifest containerd pushed, byte for byte.
  const stored = await fetchManifest(plain.url, 'ctr/busybox', 'v1');
  assert.equal(stored.digest, src.manifestDigest);
  assert.equal(stored.bodyDigest, src.manifestDigest);
  assert.equal(stored.contentType, OCI_MANIFEST);

  ok(await pull('plain', ref, ['--hosts-dir', hosts]), 'ctr pull over HTTP');
  await assertPulled('plain', ref);
});

test('TLS with Berth\'s CA (certs init) and htpasswd users: ctr push and pull with --user', { timeout: 240_000 }, async () => {
  const berth = await startBerthTls([{ user: 'alice', password: 'alice-pw' }, { user: 'bob', password: 'bob-password' }]);
  const caPem = await readFile(berth.caFile, 'utf8');
  const hosts = await hostsDir((base) => trustTarget('containerd', { hostPort: berth.addr, caPem, baseDir: base }));
  const ref = `${berth.addr}/alice/busybox:v1`;

  // The certificate is verified (the file never says skip_verify): the same file with another
  // CA in ca.crt fails.
  const otherCa = await hostsDir((base) => trustTarget('containerd', { hostPort: berth.addr, caPem: foreignCaPem, baseDir: base }));
  const untrusted = await pull('tls-untrusted', ref, ['--hosts-dir', otherCa, '--user', 'alice:alice-pw']);
  assert.notEqual(untrusted.code, 0, 'a pull with another CA must fail');
  assert.match(both(untrusted), /x509: certificate signed by unknown authority/);

  // Credentials are required: no user may push or pull.
  const anonymous = await push(ref, ['--hosts-dir', hosts]);
  assert.notEqual(anonymous.code, 0, 'an anonymous push must fail');
  assert.match(both(anonymous), /401 Unauthorized/);

  ok(await push(ref, ['--hosts-dir', hosts, '--user', 'alice:alice-pw']), 'ctr push over TLS as alice');
  const noUser = await pull('tls-anon', ref, ['--hosts-dir', hosts]);
  assert.notEqual(noUser.code, 0, 'an anonymous pull must fail');
  assert.match(both(noUser), /401 Unauthorized/);
  ok(await pull('tls', ref, ['--hosts-dir', hosts, '--user', 'bob:bob-password']), 'ctr pull over TLS as bob');
  await assertPulled('tls', ref);

  // Last: failed logins count towards the per-address login limit (429 after 10).
  const wrong = await push(ref, ['--hosts-dir', hosts, '--user', 'alice:wrong-pw']);
  assert.notEqual(wrong.code, 0, 'a push with a wrong password must fail');
  assert.match(both(wrong), /401 Unauthorized/);
});

test('Berth as containerd\'s mirror of an upstream, chosen by ?ns=', { timeout: 240_000 }, async () => {
  const REGISTRY = 'upstream.test';
  const upstream = await startReferenceRegistry();
  const mirror = await startBerth({
    extraYaml: ['berth:', '  proxy:', '    upstreams:', `      - prefix: ${REGISTRY}`, `        remoteurl: ${upstream.url}`].join('\n'),
  });
  // The upstream holds team/app:v1, pushed there by ctr.
  const toUpstream = await hostsDir((base) => containerdPlainTarget({ hostPort: upstream.addr, baseDir: base }));
  ok(await push(`${upstream.addr}/team/app:v1`, ['--hosts-dir', toUpstream]), 'ctr push to the upstream');

  // certs.d/upstream.test/hosts.toml as Berth writes it: Berth first, the upstream as server.
  const hosts = await hostsDir((base) => containerdMirrorTarget(
    mirrorHosts({ registry: REGISTRY, upstreamUrl: upstream.url, mirrorHostPort: mirror.addr, tls: false }), { baseDir: base }));
  const ref = `${REGISTRY}/team/app:v1`;
  const pulled = await pull('mirror', ref, ['--debug', '--hosts-dir', hosts]);
  ok(pulled, 'ctr pull through the mirror');
  await assertPulled('mirror', ref);
  // containerd asked Berth for team/app with ?ns=upstream.test…
  assert.ok(pulled.stderr.includes(`url="${mirror.url}/v2/team/app/manifests/v1?ns=${REGISTRY}"`), pulled.stderr);
  // …which Berth fetched from the upstream and stored under the upstream's prefix.
  assert.ok((await catalog(mirror.url)).includes(`${REGISTRY}/team/app`), `catalog: ${(await catalog(mirror.url)).join(', ')}`);
  assert.equal((await fetchManifest(mirror.url, `${REGISTRY}/team/app`, 'v1')).digest, src.manifestDigest);

  // With the upstream gone, containerd's fallback to it is gone too: Berth alone serves the pull.
  await upstream.stop();
  ok(await pull('mirror-cached', ref, ['--hosts-dir', hosts]), 'ctr pull from the mirror\'s cache');
  await assertPulled('mirror-cached', ref);
});

test('ctr images pull --platform linux/arm64 fetches only that platform from a multi-platform index', { timeout: 180_000 }, async () => {
  const layout = await writeMultiPlatformLayout(await tempDir('berth-ma-'), { label: 'containerd' });
  const repo = 'multi/app';
  // Pushed over HTTP as built: blobs, each platform's manifest by digest, the index as v1.
  for (const img of layout.images) {
    await pushBlob(plain.url, repo, layout.blobs.get(img.configDigest)!);
    await pushBlob(plain.url, repo, layout.blobs.get(img.layerDigest)!);
    await expectStatus(await putManifest(plain.url, repo, img.manifestDigest, img.manifest, OCI_MANIFEST), 201);
  }
  await expectStatus(await putManifest(plain.url, repo, 'v1', layout.index, OCI_INDEX), 201);

  // ctr reaches Berth through a forwarder that records every request.
  const fwd = await startForwarder(plain.url);
  const fwdAddr = new URL(fwd.url).host;
  const hosts = await hostsDir((base) => containerdPlainTarget({ hostPort: fwdAddr, baseDir: base }));
  const ref = `${fwdAddr}/${repo}:v1`;
  ok(await pull('arm64', ref, ['--hosts-dir', hosts, '--platform', 'linux/arm64']), 'ctr pull --platform linux/arm64');

  const arm = layout.images.find((i) => i.platform.architecture === 'arm64')!;
  const amd = layout.images.find((i) => i.platform.architecture === 'amd64')!;
  assert.equal(await imageDigest(c, 'arm64', ref), layout.indexDigest);
  const content = await contentDigests(c, 'arm64');
  for (const d of [layout.indexDigest, arm.manifestDigest, arm.configDigest, arm.layerDigest]) assert.ok(content.has(d), `${d} (index or arm64) missing`);
  for (const d of [amd.manifestDigest, amd.configDigest, amd.layerDigest]) assert.ok(!content.has(d), `amd64's ${d} was pulled`);

  const served = fwd.log.filter((l) => l.method === 'GET' && l.status === 200).map((l) => l.path);
  assert.ok(served.includes(`/v2/${repo}/manifests/${arm.manifestDigest}`), `arm64 manifest not served: ${served.join(', ')}`);
  assert.deepEqual(served.filter((p) => p.includes('/blobs/')).sort(),
    [`/v2/${repo}/blobs/${arm.configDigest}`, `/v2/${repo}/blobs/${arm.layerDigest}`].sort());
  for (const d of [amd.manifestDigest, amd.configDigest, amd.layerDigest]) {
    assert.ok(!fwd.log.some((l) => l.path.includes(d)), `amd64's ${d} was requested: ${JSON.stringify(fwd.log)}`);
  }
});
