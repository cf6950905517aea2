// The control service against a real registry: settings applied live (restarting only when
// needed, rolled back when the registry cannot start), users and roles, certificates and TLS,
// the catalog with image details and deletes, and argument validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pushArtifact, pushImage, putManifest, ociIndex, MT, expectStatus } from '../support/oci';
import { startControl, type ControlFixture } from '../support/control';

let f: ControlFixture;
before(async () => { f = await startControl(); });
after(async () => { await f.close(); });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('status, overview and events follow the runtime', async () => {
  const status = await f.ok('registry.status', {});
  assert.equal(status.status, 'running');
  const overview = await f.ok('registry.overview', {});
  assert.equal(overview.repositories, 0);
  // Bound to 127.0.0.1: clients use exactly that address.
  assert.deepEqual(overview.addresses.map((a) => a.source), ['loopback']);
  assert.equal(overview.proxy, undefined);

  const seen: string[] = [];
  const sub = f.service.onEvent((e) => { if (e.type === 'status') seen.push(e.status.status); });
  await f.ok('registry.stop', {});
  await f.ok('registry.start', {});
  sub.dispose();
  assert.deepEqual(seen, ['stopping', 'stopped', 'starting', 'running']);
});

test('arguments are validated per method, with the field named', async () => {
  const bad = await f.service.call('settings.update', { port: 70000 });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.error.code, 'INVALID_ARGUMENT');
  assert.equal(!bad.ok && bad.error.field, 'port');
  const extra = await f.service.call('registry.status', { surprise: 1 });
  assert.equal(!extra.ok && extra.error.code, 'INVALID_ARGUMENT');
  const unknown = await f.service.call('registry.format', {});
  assert.equal(!unknown.ok && unknown.error.code, 'NOT_FOUND');
  const name = await f.service.call('catalog.tags', { repository: '../etc' });
  assert.equal(!name.ok && name.error.field, 'repository');
});

test('roles and users apply without a restart; the port restarts the listener and keeps comments', async () => {
  const before = f.runtime.state;
  const users = await f.ok('users.add', { user: 'alice', password: 'secret-pw', role: 'write' });
  assert.deepEqual(users, [{ user: 'alice', role: 'write', canLogIn: true }]);
  const dup = await f.service.invoke('users.add', { user: 'alice', password: 'another-pw', role: 'read' });
  assert.equal(!dup.ok && dup.error.code, 'CONFLICT');
  const anon = await f.ok('settings.update', { auth: { anonymousPull: true, defaultRole: 'read' } });
  assert.equal(anon.restarted, false);
  assert.match(anon.message, /without restarting/);
  assert.equal(f.runtime.state, before, 'the listener was not restarted');

  const port = await freePort();
  const moved = await f.ok('settings.update', { port });
  assert.equal(moved.restarted, true);
  assert.match(moved.message, new RegExp(`Restarted the registry to apply: Port\\. It listens on port ${port}`));
  assert.equal(moved.settings.port, port);
  const s = f.runtime.state;
  assert.equal(s.status === 'running' && s.port, port);
  const text = await readFile(f.configPath, 'utf8');
  assert.match(text, /this comment must survive edits/);
  assert.match(text, new RegExp(`addr: 127.0.0.1:${port}`));
  assert.match(text, /alice: write/);
});

test('sharing on the network switches http.addr between loopback and every interface, and can turn on login for pushes', async () => {
  const start = await f.ok('settings.get', {});
  assert.equal(start.shareOnNetwork, false, 'a 127.0.0.1 listener is not shared');
  const port = start.port;

  const shared = await f.ok('settings.update', { shareOnNetwork: true, auth: { enabled: true, anonymousPull: true } });
  assert.equal(shared.restarted, true);
  assert.match(shared.message, new RegExp(`It listens on port ${port} \\(shared on the network\\)`));
  assert.equal(shared.settings.shareOnNetwork, true);
  assert.equal(shared.settings.auth.enabled, true);
  let text = await readFile(f.configPath, 'utf8');
  assert.match(text, new RegExp(`addr: "?:${port}"?\\n`));
  assert.match(text, /anonymous: pull/);
  const s = f.runtime.state;
  assert.ok(s.status === 'running' && (s.host === '::' || s.host === '0.0.0.0'), `bound to every interface, got ${JSON.stringify(s)}`);
  // Pulls stay open, pushes need a login.
  assert.equal((await fetch(`http://127.0.0.1:${port}/v2/_catalog`)).status, 401, 'the catalog is not anonymous');
  assert.equal((await fetch(`http://127.0.0.1:${port}/v2/x/blobs/uploads/`, { method: 'POST' })).status, 401);

  const unshared = await f.ok('settings.update', { shareOnNetwork: false, auth: { enabled: false } });
  assert.match(unshared.message, /\(this computer only\)/);
  assert.equal(unshared.settings.shareOnNetwork, false);
  text = await readFile(f.configPath, 'utf8');
  assert.match(text, new RegExp(`addr: "?127\\.0\\.0\\.1:${port}"?\\n`));
  const after = f.runtime.state;
  assert.equal(after.status === 'running' && after.host, '127.0.0.1');
  // The port alone keeps the host.
  const again = await f.ok('settings.update', { port: await freePort() });
  assert.equal(again.settings.shareOnNetwork, false);
});

test('a port the registry cannot use is rolled back', async () => {
  const blocker = createServer();
  const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)));
  try {
    const before = await readFile(f.configPath, 'utf8');
    const r = await f.service.invoke('settings.update', { port });
    assert.equal(!r.ok && r.error.code, 'UNAVAILABLE');
    assert.match(!r.ok ? r.error.message : '', /previous settings were restored/);
    assert.equal(await readFile(f.configPath, 'utf8'), before);
    assert.equal(f.runtime.state.status, 'running');
  } finally {
    blocker.close();
  }
});

test('TLS needs a certificate first; generated, it restarts the listener with TLS', async () => {
  const early = await f.service.invoke('settings.update', { tls: { enabled: true } });
  assert.equal(!early.ok && early.error.code, 'INVALID_ARGUMENT');
  assert.equal(!early.ok && early.error.field, 'tls.certificate');
  const certs = await f.ok('certs.generate', { names: ['localhost', '127.0.0.1'], keySize: 2048, validityDays: 30 });
  assert.deepEqual(certs.server?.dnsNames, ['localhost']);
  assert.ok(certs.ca);
  const on = await f.ok('settings.update', { tls: { enabled: true } });
  assert.equal(on.restarted, true);
  assert.equal(on.settings.tls.certificate, join(f.dir, 'certs', 'server.crt'));
  assert.equal(f.runtime.state.status === 'running' && f.runtime.state.tls, true);
  const ca = await f.ok('certs.caPem', {});
  assert.match(ca.pem, /BEGIN CERTIFICATE/);
  const off = await f.ok('settings.update', { tls: { enabled: false } });
  assert.equal(off.restarted, true);
});

test('import validates before changing anything; export redacts secrets', async () => {
  const before = await readFile(f.configPath, 'utf8');
  const bad = await f.service.invoke('settings.importConfig', { yaml: 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /tmp/x\nhttp:\n  adr: :5000\n' });
  assert.equal(!bad.ok && bad.error.code, 'INVALID_ARGUMENT');
  assert.equal(await readFile(f.configPath, 'utf8'), before);
  const proxied = await f.ok('settings.update', { proxy: { enabled: true, remoteUrl: 'https://registry-1.docker.io', username: 'u', password: 'hunter2', ttl: '24h' } });
  assert.equal(proxied.restarted, true);
  assert.equal(proxied.settings.proxy.hasPassword, true);
  assert.equal(proxied.settings.proxy.password, '');
  const exported = await f.ok('settings.exportConfig', {});
  assert.doesNotMatch(exported.yaml, /hunter2/);
  const off = await f.ok('settings.update', { proxy: { enabled: false } });
  assert.equal(off.settings.proxy.enabled, false);
});

test('proxy local namespaces: saved to config.yml as berth.proxy.localnamespaces, checked with the name grammar, removed when emptied', async () => {
  const on = await f.ok('settings.update', { proxy: { enabled: true, remoteUrl: 'https://registry-1.docker.io', ttl: '24h', localNamespaces: ['team', 'ci/builds'] } });
  assert.deepEqual(on.settings.proxy.localNamespaces, ['team', 'ci/builds']);
  assert.match(await readFile(f.configPath, 'utf8'), /berth:\n(.*\n)*  proxy:\n(.*\n)*    localnamespaces: \[ team, ci\/builds \]/);
  const bad = await f.service.invoke('settings.update', { proxy: { localNamespaces: ['team', 'Team/App'] } });
  assert.equal(!bad.ok && bad.error.code, 'INVALID_ARGUMENT');
  assert.equal(!bad.ok && bad.error.field, 'proxy.localNamespaces.1');
  assert.deepEqual((await f.ok('settings.get', {})).proxy.localNamespaces, ['team', 'ci/builds'], 'nothing changed');
  const emptied = await f.ok('settings.update', { proxy: { localNamespaces: [] } });
  assert.deepEqual(emptied.settings.proxy.localNamespaces, []);
  assert.doesNotMatch(await readFile(f.configPath, 'utf8'), /localnamespaces/);
  await f.ok('settings.update', { proxy: { enabled: false } });
});

test('catalog: tags with sizes, image detail, index platforms, and deleting one tag of two', async () => {
  const url = f.url();
  const img = await pushImage(url, 'team/app', 'v1', { layerCount: 2, layerSize: 1000 });
  await expectStatus(await putManifest(url, 'team/app', 'latest', img.manifest, img.mediaType), 201);
  const arm = await pushImage(url, 'team/app', undefined, { platform: { os: 'linux', architecture: 'arm64' } });
  const index = ociIndex([img.descriptor, arm.descriptor]);
  await expectStatus(await putManifest(url, 'team/app', 'multi', index, MT.ociIndex), 201);

  const page = await f.ok('catalog.repositories', { filter: 'APP' });
  assert.deepEqual(page, { items: [{ name: 'team/app', cached: false }], total: 1 });
  const tags = await f.ok('catalog.tags', { repository: 'team/app' });
  assert.deepEqual(tags.map((t) => t.tag), ['latest', 'multi', 'v1']);
  const v1 = tags.find((t) => t.tag === 'v1')!;
  assert.equal(v1.size, img.config.bytes.length + 2000);
  assert.equal(v1.digest, img.digest);

  const detail = await f.ok('catalog.image', { repository: 'team/app', reference: 'v1' });
  assert.deepEqual(detail.tags.sort(), ['latest', 'v1']);
  assert.equal(detail.layers?.length, 2);
  assert.equal(detail.architecture, 'amd64');
  assert.match(detail.pullCommands.docker, /^docker pull 127\.0\.0\.1:\d+\/team\/app:v1$/);
  assert.match(detail.pullCommands.podman, /--tls-verify=false/);
  const multi = await f.ok('catalog.image', { repository: 'team/app', reference: 'multi' });
  assert.deepEqual(multi.platforms?.map((p) => p.architecture), ['amd64', 'arm64']);

  await f.ok('catalog.deleteTag', { repository: 'team/app', tag: 'latest' });
  const after = await f.ok('catalog.image', { repository: 'team/app', reference: 'v1' });
  assert.deepEqual(after.tags, ['v1'], 'the other tag of the same digest survives');
  const gone = await f.service.invoke('catalog.deleteTag', { repository: 'team/app', tag: 'latest' });
  assert.equal(!gone.ok && gone.error.code, 'NOT_FOUND');

  const gc = await f.ok('catalog.gc', { dryRun: true });
  assert.equal(gc.dryRun, true);
  await f.ok('catalog.deleteRepository', { repository: 'team/app' });
  assert.equal((await f.ok('catalog.repositories', {})).total, 0);
  const missing = await f.service.invoke('catalog.tags', { repository: 'team/app' });
  assert.equal(!missing.ok && missing.error.code, 'NOT_FOUND');
});

test('catalog: an image detail lists the artifacts whose subject it is, and forgets deleted ones', async () => {
  const url = f.url();
  const img = await pushImage(url, 'team/signed', 'v1');
  // Asked once before any referrer exists, so the later answer comes from the live index.
  assert.deepEqual((await f.ok('catalog.image', { repository: 'team/signed', reference: 'v1' })).referrers, []);
  const sbom = await pushArtifact(url, 'team/signed', img.descriptor, 'application/vnd.example.sbom.v1+json', { annotations: { 'org.example.kind': 'sbom' } });
  await expectStatus(sbom.response, 201);
  const sig = await pushArtifact(url, 'team/signed', img.descriptor, 'application/vnd.example.signature.v1');
  await expectStatus(sig.response, 201);

  const detail = await f.ok('catalog.image', { repository: 'team/signed', reference: 'v1' });
  const expected = [
    { digest: sbom.digest, mediaType: MT.ociManifest, size: sbom.manifest.length, artifactType: 'application/vnd.example.sbom.v1+json', annotations: { 'org.example.kind': 'sbom' } },
    { digest: sig.digest, mediaType: MT.ociManifest, size: sig.manifest.length, artifactType: 'application/vnd.example.signature.v1' },
  ].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  assert.deepEqual(detail.referrers, expected);
  // The artifact itself has a subject but no referrers of its own.
  const artifact = await f.ok('catalog.image', { repository: 'team/signed', reference: sig.digest });
  assert.equal(artifact.artifactType, 'application/vnd.example.signature.v1');
  assert.deepEqual(artifact.referrers, []);

  await f.ok('catalog.deleteManifest', { repository: 'team/signed', digest: sig.digest });
  const after = await f.ok('catalog.image', { repository: 'team/signed', reference: 'v1' });
  assert.deepEqual(after.referrers.map((r) => r.digest), [sbom.digest]);
  await f.ok('catalog.deleteRepository', { repository: 'team/signed' });
});

test('errors carry no stack traces or internal paths', async () => {
  await f.ok('registry.stop', {});
  const r = await f.service.invoke('catalog.repositories', {});
  assert.equal(!r.ok && r.error.code, 'UNAVAILABLE');
  assert.doesNotMatch(JSON.stringify(r), /\bat .*\.ts:\d+|node_modules/);
  await f.ok('registry.start', {});
});
