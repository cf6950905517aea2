// Proxy mode in process, over real HTTP and real files: Berth as a pull-through cache of another
// Berth (the upstream), with a counting forwarder between them. Tag revalidation by HEAD, cached
// content by digest with the upstream gone, pushed tags winning, Range and HEAD on a miss,
// expiry (delete disabled, across a restart, sparing pushed and shared content), the size cap's
// LRU order, the catalog's cached marks. Two small fake upstreams play registries misbehaving:
// one lies about a blob's bytes, one redirects blobs to a CDN on another host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { runCleanups } from '../support/cleanup';
import { startForwarder, type Forwarder } from '../support/http-forwarder';
import {
  descriptorOf, dockerManifest, expectError, expectStatus, hexOf, MT, pushBlob, pushImage, putManifest, registryYaml, sha256, v2Root,
  ALL_MANIFEST_TYPES, type PushedImage,
} from '../support/oci';
import { freePort, sleep } from '../support/processes';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { parseDigest } from '../../main/registry/reference';

let upstream: TestRegistry;
let fwd: Forwarder;
const open: TestRegistry[] = [];

before(async () => {
  upstream = await startTestRegistry();
  fwd = await startForwarder(upstream.url);
});
after(async () => {
  for (const r of open) await r.stop();
  await upstream.stop();
  await runCleanups();
});

async function proxyOf(remote: string, extra: string[] = [], opts: { deleteEnabled?: boolean; ttl?: string } = {}): Promise<TestRegistry> {
  const r = await startTestRegistry({
    yaml: (root) => registryYaml(root, ['proxy:', `  remoteurl: ${remote}`, ...(opts.ttl ? [`  ttl: ${opts.ttl}`] : []), ...extra], { deleteEnabled: opts.deleteEnabled ?? true }),
  });
  open.push(r);
  return r;
}

const getManifest = (url: string, repo: string, ref: string) => fetch(`${url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ALL_MANIFEST_TYPES } });
const getBlob = (url: string, repo: string, digest: string, headers: Record<string, string> = {}) => fetch(`${url}/v2/${repo}/blobs/${digest}`, { headers });

async function pullAll(url: string, repo: string, ref: string, img: PushedImage): Promise<void> {
  const m = await getManifest(url, repo, ref);
  assert.equal(sha256(await expectStatus(m, 200)), img.digest);
  for (const b of [img.config, ...img.layers]) assert.deepEqual(await expectStatus(await getBlob(url, repo, b.digest), 200), b.bytes);
}

function blobData(r: TestRegistry, digest: string): string {
  const hex = hexOf(digest);
  return `${v2Root(r.root)}/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
}

const linked = async (r: TestRegistry, repo: string, digest: string) => (await r.registry.store.blobs.resolve(repo, parseDigest(digest)!)) !== undefined;

test('a cached tag is revalidated with a HEAD: no manifest download while unchanged, one when it moves', async () => {
  const p = await proxyOf(fwd.url);
  const v1 = await pushImage(upstream.url, 'lib/reval', 'v1');
  const gets = () => fwd.count('GET', /^\/v2\/lib\/reval\/manifests\//);
  const heads = () => fwd.count('HEAD', /^\/v2\/lib\/reval\/manifests\/v1$/);
  for (let i = 0; i < 3; i++) assert.equal(sha256(await expectStatus(await getManifest(p.url, 'lib/reval', 'v1'), 200)), v1.digest);
  assert.equal(gets(), 1, 'downloaded once');
  assert.equal(heads(), 3, 'revalidated on every pull by tag');

  const v2 = await pushImage(upstream.url, 'lib/reval', 'v1');
  const res = await getManifest(p.url, 'lib/reval', 'v1');
  assert.equal(res.headers.get('docker-content-digest'), v2.digest);
  assert.equal(gets(), 2);
  // By digest, cached content is served without asking the upstream at all.
  const before = fwd.log.length;
  await expectStatus(await getManifest(p.url, 'lib/reval', v1.digest), 200);
  await expectStatus(await getBlob(p.url, 'lib/reval', v2.layers[0]!.digest), 200);
  await expectStatus(await getBlob(p.url, 'lib/reval', v2.layers[0]!.digest), 200);
  assert.equal(fwd.log.slice(before).filter((l) => l.path.includes(v1.digest)).length, 0);
  assert.equal(fwd.log.slice(before).filter((l) => l.path.includes(v2.layers[0]!.digest)).length, 1, 'one download, then cached');
  assert.ok(p.registry.proxy!.content.isCachedRepo('lib/reval'), 'the catalog can mark it as cached');

  // The upstream drops the tag: the cached copy is stale, and the client hears so.
  await expectStatus(await fetch(`${upstream.url}/v2/lib/reval/manifests/v1`, { method: 'DELETE' }), 202);
  await expectError(await getManifest(p.url, 'lib/reval', 'v1'), 404, 'MANIFEST_UNKNOWN');
  assert.equal(await p.registry.store.tags.resolve('lib/reval', 'v1'), undefined);
});

test('with the upstream unreachable, cached tags and digests are served; uncached ones are 503', async () => {
  const dead = await startForwarder(upstream.url);
  const p = await proxyOf(dead.url);
  const img = await pushImage(upstream.url, 'lib/offline', 'v1');
  await pullAll(p.url, 'lib/offline', 'v1', img);
  dead.setTarget(`http://127.0.0.1:${await freePort()}`);
  await pullAll(p.url, 'lib/offline', 'v1', img);
  await pullAll(p.url, 'lib/offline', img.digest, img);
  await expectError(await getManifest(p.url, 'lib/offline', 'v2'), 503, 'UNAVAILABLE');
  await expectError(await getBlob(p.url, 'lib/offline', sha256('nope')), 503, 'UNAVAILABLE');
});

test('a pushed tag is local and wins: the upstream is never asked about it', async () => {
  const p = await proxyOf(fwd.url);
  await pushImage(upstream.url, 'lib/mixed', 'v1');
  await expectStatus(await getManifest(p.url, 'lib/mixed', 'v1'), 200);
  const mine = await pushImage(p.url, 'lib/mixed', 'mine');
  const remote = await pushImage(upstream.url, 'lib/mixed', 'mine'); // same tag upstream, other content
  const res = await getManifest(p.url, 'lib/mixed', 'mine');
  assert.equal(res.headers.get('docker-content-digest'), mine.digest);
  assert.notEqual(mine.digest, remote.digest);
  assert.equal(fwd.count('HEAD', /^\/v2\/lib\/mixed\/manifests\/mine$/), 0);
  // Tags list: local and upstream merged.
  const tags = (await (await fetch(`${p.url}/v2/lib/mixed/tags/list`)).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, ['mine', 'v1']);
});

test('HEAD on an uncached blob downloads nothing; a Range on a miss gets the right bytes', async () => {
  const p = await proxyOf(fwd.url);
  const blob = randomBytes(256 * 1024);
  const digest = await pushBlob(upstream.url, 'lib/range', blob);
  const head = await fetch(`${p.url}/v2/lib/range/blobs/${digest}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(blob.length));
  assert.equal(fwd.count('GET', new RegExp(`/blobs/${digest}$`)), 0);
  assert.ok(!(await linked(p, 'lib/range', digest)), 'HEAD stored nothing');

  const part = await getBlob(p.url, 'lib/range', digest, { Range: 'bytes=1000-4999' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 1000-4999/${blob.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), blob.subarray(1000, 5000));
  assert.ok(await linked(p, 'lib/range', digest), 'and the whole blob is cached');
  assert.equal(fwd.count('GET', new RegExp(`/blobs/${digest}$`)), 1);
});

test('concurrent requests for one missing blob share one upstream download, and all get every byte', async () => {
  const p = await proxyOf(fwd.url);
  const blob = randomBytes(8 * 1024 * 1024);
  const digest = await pushBlob(upstream.url, 'lib/shared', blob);
  // A slow upstream answer: all four requests arrive before the download's headers do.
  fwd.delay(300, (m, path) => m === 'GET' && path.endsWith(digest));
  const bodies = await Promise.all(Array.from({ length: 4 }, async () => expectStatus(await getBlob(p.url, 'lib/shared', digest), 200)));
  for (const b of bodies) assert.ok(b.equals(blob));
  assert.equal(fwd.count('GET', new RegExp(`/blobs/${digest}$`)), 1);
});

test('expiry works with deletes disabled, survives a restart, and spares pushed and shared content', async () => {
  const p = await proxyOf(fwd.url, [], { deleteEnabled: false, ttl: '1h' });
  const img = await pushImage(upstream.url, 'lib/expire', 'v1', { docker: true, layerCount: 2 });
  await pullAll(p.url, 'lib/expire', 'v1', img);
  const [shared, sameRepo] = img.layers as [PushedImage['layers'][0], PushedImage['layers'][0]];

  // Another repository pushes an image with the first layer; the cached repository itself gets
  // a pushed tag whose manifest uses the second layer.
  const ownConfig = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"own":1}');
  for (const [repo, layer] of [['mine/app', shared], ['lib/expire', sameRepo]] as const) {
    await pushBlob(p.url, repo, ownConfig);
    await pushBlob(p.url, repo, layer.bytes);
    const m = dockerManifest(descriptorOf(MT.dockerConfig, ownConfig), [descriptorOf(MT.dockerLayer, layer.bytes)]);
    await expectStatus(await putManifest(p.url, repo, 'own', m, MT.dockerManifest), 201);
  }
  assert.ok(p.registry.proxy!.content.isCachedRepo('lib/expire'));
  assert.ok(!p.registry.proxy!.content.isCachedRepo('mine/app'), 'a pushed repository is not marked cached');

  await p.restart(); // the schedule is on disk
  await p.registry.proxy!.expiry.run(Date.now() + 2 * 3600_000);

  assert.equal(await p.registry.store.manifests.revision('lib/expire', parseDigest(img.digest)!), undefined, 'cached manifest gone');
  assert.equal(await p.registry.store.tags.resolve('lib/expire', 'v1'), undefined, 'and its tag');
  assert.ok(!existsSync(blobData(p, img.config.digest)), 'a blob only the cache used is deleted from disk');
  assert.ok(!(await linked(p, 'lib/expire', shared.digest)), 'the shared layer is unlinked from the cached repository');
  assert.ok(existsSync(blobData(p, shared.digest)), '…but its data stays for mine/app');
  assert.ok(await linked(p, 'lib/expire', sameRepo.digest), 'a layer a pushed manifest of the same repository uses stays linked');
  for (const repo of ['mine/app', 'lib/expire']) {
    const m = await expectStatus(await getManifest(p.url, repo, 'own'), 200);
    const parsed = JSON.parse(m.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) {
      assert.equal(sha256(await expectStatus(await getBlob(p.url, repo, d), 200)), d, `${repo} still pulls completely`);
    }
  }
  // Pulled again, it comes back from the upstream.
  await pullAll(p.url, 'lib/expire', 'v1', img);
});

test('the size cap evicts least recently pulled blobs first', async () => {
  const p = await proxyOf(fwd.url, ['berth:', '  proxy:', '    maxsize: 2200'], { ttl: '0' });
  const img = await pushImage(upstream.url, 'lib/lru', 'v1', { layerCount: 3, layerSize: 1024 });
  const [l1, l2, l3] = img.layers as [PushedImage['layers'][0], PushedImage['layers'][0], PushedImage['layers'][0]];
  await expectStatus(await getManifest(p.url, 'lib/lru', 'v1'), 200);
  for (const b of [img.config, l1, l2, l3, l1]) { // l1 pulled again: the newest
    await expectStatus(await getBlob(p.url, 'lib/lru', b.digest), 200);
    await sleep(5);
  }
  await p.registry.proxy!.expiry.run();
  assert.ok(p.registry.proxy!.cache.cachedBytes() <= 2200);
  assert.deepEqual(
    await Promise.all([img.config, l1, l2, l3].map((b) => linked(p, 'lib/lru', b.digest))),
    [false, true, false, true],
    'config then l2 (the oldest) go; l1 and l3 stay',
  );
});

// --- misbehaving upstreams --------------------------------------------------------------------

interface FakeServer { url: string; port: number; seen: Array<{ path: string; headers: IncomingHttpHeaders }>; close(): Promise<void> }

async function fakeServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeServer> {
  const seen: FakeServer['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, seen,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** GET with node:http, reporting how many body bytes arrived and whether the body ended cleanly. */
function rawGet(url: string): Promise<{ status: number; length: number; received: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let received = 0;
      res.on('data', (c: Buffer) => (received += c.length));
      const done = (complete: boolean) => resolve({ status: res.statusCode ?? 0, length: Number(res.headers['content-length']), received, complete });
      res.on('end', () => done(res.complete));
      res.on('error', () => done(false));
      res.on('aborted', () => done(false));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a lying upstream: the client never gets a complete wrong blob, and nothing is cached', async () => {
  const truth = randomBytes(3 * 1024 * 1024);
  const digest = sha256(truth);
  const lie = Buffer.from(truth);
  lie.writeUInt8(lie.readUInt8(lie.length - 1) ^ 0xff, lie.length - 1); // same size, wrong last byte
  const manifestLie = Buffer.from('{"schemaVersion":2}');
  const liar = await fakeServer((req, res) => {
    if (req.url?.endsWith(`/blobs/${digest}`)) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': lie.length });
      res.end(lie);
    } else if (req.url?.includes('/manifests/')) {
      res.writeHead(200, { 'Content-Type': MT.dockerManifest, 'Content-Length': manifestLie.length, 'Docker-Content-Digest': sha256('x') });
      res.end(req.method === 'HEAD' ? undefined : manifestLie);
    } else {
      res.writeHead(404).end();
    }
  });
  try {
    const p = await proxyOf(liar.url);
    for (let i = 0; i < 2; i++) {
      const got = await rawGet(`${p.url}/v2/lib/lie/blobs/${digest}`);
      assert.equal(got.status, 200);
      assert.equal(got.length, truth.length);
      assert.equal(got.complete, false, 'the connection is cut');
      assert.ok(got.received < truth.length, `received ${got.received} of ${truth.length} bytes`);
      assert.ok(!(await linked(p, 'lib/lie', digest)), 'nothing cached');
      assert.ok(!existsSync(blobData(p, digest)));
    }
    assert.equal(liar.seen.filter((s) => s.path.endsWith(digest)).length, 2, 'tried again, since nothing was kept');
    // A manifest whose bytes do not match the digest asked for is refused, not stored.
    await expectError(await getManifest(p.url, 'lib/lie', sha256('x')), 503, 'UNAVAILABLE');
    assert.equal(await p.registry.store.manifests.revision('lib/lie', parseDigest(sha256('x'))!), undefined);
  } finally {
    await liar.close();
  }
});

test('redirects: credentials go to the same host only, never to the CDN on another host', async () => {
  const blob = randomBytes(64 * 1024);
  const digest = sha256(blob);
  const samePath = randomBytes(1024);
  const sameDigest = sha256(samePath);
  const expected = 'Basic ' + Buffer.from('u:p').toString('base64');
  const cdn = await fakeServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': blob.length });
    res.end(blob);
  });
  const origin = await fakeServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"', 'Content-Length': 0 }).end();
    } else if (req.url?.endsWith(`/blobs/${digest}`)) {
      res.writeHead(307, { Location: `${cdn.url}/signed/${hexOf(digest)}?sig=1`, 'Content-Length': 0 }).end();
    } else if (req.url?.endsWith(`/blobs/${sameDigest}`)) {
      res.writeHead(302, { Location: `/storage/${hexOf(sameDigest)}`, 'Content-Length': 0 }).end();
    } else if (req.url === `/storage/${hexOf(sameDigest)}`) {
      res.writeHead(200, { 'Content-Length': samePath.length }).end(samePath);
    } else {
      res.writeHead(404, { 'Content-Length': 0 }).end();
    }
  });
  try {
    const p = await proxyOf(origin.url, ['  username: u', '  password: p']);
    assert.deepEqual(await expectStatus(await getBlob(p.url, 'lib/cdn', digest), 200), blob);
    assert.equal(cdn.seen.length, 1);
    assert.equal(cdn.seen[0]!.headers.authorization, undefined, 'no credentials to another host');
    assert.ok(origin.seen.some((s) => s.path.endsWith(digest) && s.headers.authorization === expected), 'the registry itself got them');
    assert.deepEqual(await expectStatus(await getBlob(p.url, 'lib/cdn', sameDigest), 200), samePath);
    assert.equal(origin.seen.find((s) => s.path.startsWith('/storage/'))?.headers.authorization, expected, 'same host: credentials kept');

    // Wrong credentials at the upstream reach the client as UNAUTHORIZED, not as a 500.
    const wrong = await proxyOf(origin.url, ['  username: u', '  password: wrong']);
    await expectError(await getBlob(wrong.url, 'lib/cdn', sha256('other')), 401, 'UNAUTHORIZED');
  } finally {
    await Promise.all([cdn.close(), origin.close()]);
  }
});

test('berth.proxy.allowpush: false makes writes 405 UNSUPPORTED, also with only berth.proxy.upstreams', async () => {
  const r = await startTestRegistry({
    yaml: (root) => registryYaml(root, ['berth:', '  proxy:', '    allowpush: false', '    upstreams:', '      - prefix: up.test', `        remoteurl: ${fwd.url}`]),
  });
  open.push(r);
  await expectError(await fetch(`${r.url}/v2/mine/x/blobs/uploads/`, { method: 'POST' }), 405, 'UNSUPPORTED');
  await expectError(await putManifest(r.url, 'up.test/lib/x', 'v1', Buffer.from('{}'), MT.dockerManifest), 405, 'UNSUPPORTED');
  const img = await pushImage(upstream.url, 'lib/ro', 'v1');
  await pullAll(r.url, 'up.test/lib/ro', 'v1', img);
  const viaNs = await fetch(`${r.url}/v2/lib/ro/manifests/v1?ns=up.test`, { headers: { Accept: ALL_MANIFEST_TYPES } });
  assert.equal(viaNs.headers.get('docker-content-digest'), img.digest);
  assert.ok(r.registry.proxy!.content.isCachedRepo('up.test/lib/ro'));
});
