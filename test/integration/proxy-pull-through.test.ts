// Proxy mode in process, over real HTTP and real files: Berth as a pull-through cache of another
// Berth (the upstream), with a counting forwarder between them. Tag revalidation by HEAD, cached
// content by digest with the upstream gone, pushed tags winning, Range and HEAD on a miss,
// expiry (delete disabled, across a restart, sparing pushed and shared content), the size cap's
// LRU order, the catalog's cached marks. Two small fake upstreams play registries misbehaving:
// one lies about a blob's bytes, one redirects blobs to a CDN on another host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { runCleanups, tempDir } from '../support/cleanup';
import { startForwarder, type Forwarder } from '../support/http-forwarder';
import {
  descriptorOf, dockerManifest, expectError, expectStatus, hexOf, MT, pushBlob, pushImage, putManifest, sha256, v2Root,
  ALL_MANIFEST_TYPES, type PushedImage,
} from '../support/oci';
import { freePort, sleep } from '../support/processes';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { parseDigest } from '../../main/registry/reference';
import { testRegistryYaml } from '../support/registry-yaml';

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
    yaml: (root) => testRegistryYaml(root, { extra: ['proxy:', `  remoteurl: ${remote}`, ...(opts.ttl ? [`  ttl: ${opts.ttl}`] : []), ...extra], deleteEnabled: opts.deleteEnabled ?? true }),
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

/** Local namespaces `team` and `ci/builds`, and `up.test/…` from a second upstream. */
const withLocal = () => ['berth:', '  proxy:', '    localnamespaces: [team, ci/builds]', '    upstreams:', '      - prefix: up.test', `        remoteurl: ${fwd.url}`];

test('a push to an upstream name is refused with 405 naming berth.proxy.localnamespaces; the name keeps resolving upstream', async () => {
  const p = await proxyOf(fwd.url, withLocal());
  const remote = await pushImage(upstream.url, 'lib/mixed', 'v1');
  await expectStatus(await getManifest(p.url, 'lib/mixed', 'v1'), 200);
  const own = await pushImage(p.url, 'team/own', 'v1');
  const writes: Array<[string, string, Uint8Array?]> = [
    ['POST', '/v2/lib/mixed/blobs/uploads/'],
    ['POST', `/v2/lib/mixed/blobs/uploads/?mount=${own.layers[0]!.digest}&from=team/own`],
    ['PATCH', '/v2/lib/mixed/blobs/uploads/some-upload', Buffer.from('x')],
    ['PUT', `/v2/lib/mixed/blobs/uploads/some-upload?digest=${sha256('x')}`, Buffer.from('x')],
    ['PUT', '/v2/lib/mixed/manifests/v1', own.manifest],
    ['DELETE', `/v2/lib/mixed/manifests/${remote.digest}`],
    ['DELETE', `/v2/lib/mixed/blobs/${remote.layers[0]!.digest}`],
    ['PUT', '/v2/up.test/lib/x/manifests/v1', own.manifest],
    // containerd's ?ns= puts a local-looking name under an upstream prefix: refused too.
    ['POST', '/v2/team/own/blobs/uploads/?ns=up.test'],
    ['POST', '/v2/teamwork/blobs/uploads/'], // only starts with a listed prefix's letters
  ];
  for (const [method, path, body] of writes) {
    const headers: Record<string, string> = path.includes('/manifests/') ? { 'Content-Type': MT.ociManifest } : { 'Content-Type': 'application/octet-stream' };
    const env = await expectError(await fetch(`${p.url}${path}`, { method, headers, ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}) }), 405, 'UNSUPPORTED');
    assert.match(env.errors[0]!.message, /berth\.proxy\.localnamespaces \(team, ci\/builds\)/, `${method} ${path}: ${env.errors[0]!.message}`);
  }
  const res = await getManifest(p.url, 'lib/mixed', 'v1');
  assert.equal(res.headers.get('docker-content-digest'), remote.digest, 'still the upstream image');
  assert.ok(!(await p.registry.store.tags.list('lib/mixed')).includes('mine'));

  // Without local namespaces (the default), nothing can be pushed at all, and the error says which setting to use.
  const none = await proxyOf(fwd.url);
  const env = await expectError(await fetch(`${none.url}/v2/team/own/blobs/uploads/`, { method: 'POST' }), 405, 'UNSUPPORTED');
  assert.match(env.errors[0]!.message, /berth\.proxy\.localnamespaces \(none configured\)/);
});

test('local namespaces: push, pull, tags, referrers and a mount from a cached repository, never asking the upstream, also when it is down', async () => {
  const dead = await startForwarder(upstream.url);
  const p = await proxyOf(dead.url, ['berth:', '  proxy:', '    localnamespaces: [team, ci/builds]']);
  // The upstream has the same names with other content: they must never be fetched.
  const theirs = await pushImage(upstream.url, 'team/app', 'v1');
  await pushImage(upstream.url, 'ci/builds/x', 'v1');
  const cachedImg = await pushImage(upstream.url, 'lib/base', 'v1');
  await pullAll(p.url, 'lib/base', 'v1', cachedImg);

  const mine = await pushImage(p.url, 'team/app', 'v1');
  const ci = await pushImage(p.url, 'ci/builds/x', 'v1');
  await pushImage(p.url, 'team', 'root'); // the prefix itself is a local name too
  assert.notEqual(mine.digest, theirs.digest);
  await pullAll(p.url, 'team/app', 'v1', mine);
  await pullAll(p.url, 'ci/builds/x', 'v1', ci);
  const tags = (await (await fetch(`${p.url}/v2/team/app/tags/list`)).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, ['v1']);
  await expectError(await getManifest(p.url, 'team/app', 'nope'), 404, 'MANIFEST_UNKNOWN');
  await expectError(await getBlob(p.url, 'team/app', sha256('nope')), 404, 'BLOB_UNKNOWN');
  await expectError(await fetch(`${p.url}/v2/team/none/tags/list`), 404, 'NAME_UNKNOWN');
  await expectStatus(await fetch(`${p.url}/v2/team/app/referrers/${mine.digest}`), 200);
  // A cached layer mounted into a local repository is linked there, without an upload.
  const mount = await fetch(`${p.url}/v2/team/base/blobs/uploads/?mount=${cachedImg.layers[0]!.digest}&from=lib/base`, { method: 'POST' });
  assert.equal(mount.status, 201);
  assert.ok(await linked(p, 'team/base', cachedImg.layers[0]!.digest));
  for (const name of ['team', 'ci/builds']) assert.equal(dead.log.filter((l) => l.path.startsWith(`/v2/${name}/`)).length, 0, `the upstream was asked about ${name}`);

  // Upstream down: a push (blob HEADs first, as docker does) and a pull work as in a plain registry.
  dead.setTarget(`http://127.0.0.1:${await freePort()}`);
  const offline = await pushImage(p.url, 'team/app', 'v2');
  await pullAll(p.url, 'team/app', 'v2', offline);
  await pullAll(p.url, 'team/app', 'v1', mine);
  assert.equal((await fetch(`${p.url}/v2/team/app/blobs/${sha256('absent')}`, { method: 'HEAD' })).status, 404, 'a missing local blob is 404, not 503');
  await expectError(await getManifest(p.url, 'lib/base', 'v9'), 503, 'UNAVAILABLE'); // upstream names still need the upstream
  assert.equal(dead.log.filter((l) => /^\/v2\/(team|ci\/builds)\//.test(l.path)).length, 0, 'never asked about local names');
});

test('content pushed under an upstream name by an older Berth no longer stands in for the upstream', async () => {
  const dataDir = await tempDir('berth-legacy-');
  const plain = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { dataDir }) });
  const legacy = await pushImage(plain.url, 'lib/legacy', 'v1');
  const legacyOnly = await pushImage(plain.url, 'lib/legacy', 'only-here');
  await plain.stop();
  const remote = await pushImage(upstream.url, 'lib/legacy', 'v1');

  const dead = await startForwarder(upstream.url);
  const p = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['proxy:', `  remoteurl: ${dead.url}`], dataDir }) });
  open.push(p);
  const res = await getManifest(p.url, 'lib/legacy', 'v1');
  assert.equal(res.headers.get('docker-content-digest'), remote.digest, 'the upstream wins over the pushed tag');
  await expectError(await getManifest(p.url, 'lib/legacy', 'only-here'), 404, 'MANIFEST_UNKNOWN');
  const tags = (await (await fetch(`${p.url}/v2/lib/legacy/tags/list`)).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, ['v1'], 'a pushed tag is not listed as the upstream\'s');
  // By digest, the stored bytes are what the client asked for: still served.
  await expectStatus(await getManifest(p.url, 'lib/legacy', legacyOnly.digest), 200);
  // Upstream down: the cached v1 is served; a tag that never came from it is not.
  dead.setTarget(`http://127.0.0.1:${await freePort()}`);
  assert.equal((await getManifest(p.url, 'lib/legacy', 'v1')).headers.get('docker-content-digest'), remote.digest);
  await expectError(await getManifest(p.url, 'lib/legacy', 'only-here'), 503, 'UNAVAILABLE');
  assert.notEqual(legacy.digest, remote.digest);
});

test('content cached before its namespace was listed as local becomes local: never expired, never asked upstream', async () => {
  const dataDir = await tempDir('berth-adopt-');
  const img = await pushImage(upstream.url, 'team/adopted', 'v1');
  const proxyLines = ['proxy:', `  remoteurl: ${fwd.url}`, '  ttl: 1h'];
  const earlier = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: proxyLines, dataDir }) });
  await pullAll(earlier.url, 'team/adopted', 'v1', img);
  assert.ok(earlier.registry.proxy!.content.isCachedRepo('team/adopted'));
  await earlier.stop();
  const p = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: [...proxyLines, 'berth:', '  proxy:', '    localnamespaces: [team]'], dataDir }) });
  open.push(p);
  assert.ok(!p.registry.proxy!.content.isCachedRepo('team/adopted'), 'no longer marked cached');
  await p.registry.proxy!.expiry.run(Date.now() + 2 * 3600_000);
  const asked = fwd.log.length;
  await pullAll(p.url, 'team/adopted', 'v1', img);
  assert.equal(fwd.log.length, asked, 'served without the upstream');
});

test('a stop right after a pull-through waits for the cache\'s copy: the blob is stored, no upload is left', async () => {
  const dataDir = await tempDir('berth-stop-');
  const blob = randomBytes(300 * 1024);
  const digest = await pushBlob(upstream.url, 'lib/stopnow', blob);
  const p = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['proxy:', `  remoteurl: ${fwd.url}`], dataDir }) });
  // The client has every byte before the cache's copy is committed; stop at once.
  assert.deepEqual(await expectStatus(await getBlob(p.url, 'lib/stopnow', digest), 200), blob);
  await p.stop();
  const hex = hexOf(digest);
  const v2 = `${dataDir}/docker/registry/v2`; // the data folder is the storage root here
  assert.ok(existsSync(`${v2}/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`), 'the blob is in the store');
  const uploads = `${v2}/repositories/lib/stopnow/_uploads`;
  assert.deepEqual(existsSync(uploads) ? await readdir(uploads) : [], [], 'no upload left behind');
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

/** Stores an image the way an older Berth stored a push under an upstream name (it accepted those). */
async function legacyPush(r: TestRegistry, repo: string, tag: string, blobs: Buffer[], manifest: Buffer): Promise<void> {
  const { store } = r.registry;
  for (const b of blobs) await store.uploads.commit(repo, await store.uploads.create(repo), parseDigest(sha256(b))!, Readable.from([b]));
  await store.manifests.put(repo, { kind: 'tag', tag }, manifest, MT.dockerManifest);
}

test('expiry works with deletes disabled, survives a restart, and spares local, legacy and shared content', async () => {
  const p = await proxyOf(fwd.url, ['berth:', '  proxy:', '    localnamespaces: [mine]'], { deleteEnabled: false, ttl: '1h' });
  const img = await pushImage(upstream.url, 'lib/expire', 'v1', { docker: true, layerCount: 2 });
  await pullAll(p.url, 'lib/expire', 'v1', img);
  const [shared, sameRepo] = img.layers as [PushedImage['layers'][0], PushedImage['layers'][0]];

  // A local namespace pushes an image with the first layer; the cached repository itself holds
  // a tag an older Berth accepted as a push, whose manifest uses the second layer.
  const ownConfig = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"own":1}');
  const own: Record<string, string> = {};
  for (const [repo, layer] of [['mine/app', shared], ['lib/expire', sameRepo]] as const) {
    const m = dockerManifest(descriptorOf(MT.dockerConfig, ownConfig), [descriptorOf(MT.dockerLayer, layer.bytes)]);
    own[repo] = sha256(m);
    if (repo === 'lib/expire') {
      await legacyPush(p, repo, 'own', [ownConfig, layer.bytes], m);
      continue;
    }
    await pushBlob(p.url, repo, ownConfig);
    await pushBlob(p.url, repo, layer.bytes);
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
    const m = await expectStatus(await getManifest(p.url, repo, own[repo]!), 200);
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
  const cache = p.registry.proxy!.cache;
  for (const b of [img.config, l1, l2, l3, l1]) { // l1 pulled again: the newest
    await expectStatus(await getBlob(p.url, 'lib/lru', b.digest), 200);
    // A miss answers its client before the cache's copy is committed and recorded: wait for
    // the record, so the pulls' order is the cache's order even on a loaded machine.
    for (const end = Date.now() + 10_000; !cache.isCached('lib/lru', b.digest) && Date.now() < end;) await sleep(5);
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

/** `host` is a loopback address: 127.0.0.2, 127.0.0.3… play other hosts than the proxy's upstream. */
async function fakeServer(handle: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1'): Promise<FakeServer> {
  const seen: FakeServer['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`, port, seen,
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

test('upstream credentials never follow a redirect\'s challenge, nor go to a plain-HTTP realm on another host', async () => {
  // The thief: a plain-HTTP token realm on another host, recording what it is sent.
  const thief = await fakeServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: 'stolen' }));
  }, '127.0.0.3');
  const realm = `${thief.url}/token`;
  // A redirect target on a second host that challenges with the thief's realm.
  const decoy = await fakeServer((_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="x"`, 'Content-Length': 0 }).end();
  }, '127.0.0.2');
  // The upstream redirects blobs to the decoy, and itself challenges some names with the thief's realm.
  const hostile = await fakeServer((req, res) => {
    if (req.url?.includes('/blobs/')) res.writeHead(307, { Location: `${decoy.url}${req.url}`, 'Content-Length': 0 }).end();
    else res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="x"`, 'Content-Length': 0 }).end();
  });
  try {
    const p = await proxyOf(hostile.url, ['  username: u', '  password: p']);
    for (let i = 0; i < 2; i++) {
      await expectError(await getBlob(p.url, 'lib/steal', sha256(`b${i}`)), 401, 'UNAUTHORIZED');
    }
    assert.equal(decoy.seen.length, 2);
    assert.ok(decoy.seen.every((s) => s.headers.authorization === undefined), 'no credentials to the redirect target');
    assert.equal(thief.seen.length, 0, 'the realm a redirect target named is never asked');

    // The upstream's own challenge naming a plain-HTTP realm on another host: refused with a
    // clear error, twice (the realm is not remembered), and the credentials never sent.
    for (let i = 0; i < 2; i++) {
      const env = await expectError(await getManifest(p.url, 'lib/steal', `v${i}`), 503, 'UNAVAILABLE');
      assert.match(env.errors[0]!.message, /neither HTTPS nor the upstream's own host; the credentials were not sent/);
    }
    assert.equal(thief.seen.length, 0);
    assert.ok(!hostile.seen.some((s) => s.headers.authorization !== undefined));
    // Blobs keep failing cleanly too: no realm was kept from the refused challenge.
    await expectError(await getBlob(p.url, 'lib/steal', sha256('b2')), 401, 'UNAUTHORIZED');
    assert.equal(thief.seen.length, 0);

    // Without credentials there is nothing to leak: an anonymous token from such a realm is fine.
    const anon = await proxyOf(hostile.url);
    await expectError(await getManifest(anon.url, 'lib/steal', 'v1'), 401, 'UNAUTHORIZED');
    assert.ok(thief.seen.length >= 1 && thief.seen.every((s) => s.headers.authorization === undefined && !s.path.includes('account=')));
  } finally {
    await Promise.all([thief.close(), decoy.close(), hostile.close()]);
  }
});

test('a token realm on the upstream\'s own host gets the credentials (plain HTTP is fine there)', async () => {
  const basic = 'Basic ' + Buffer.from('u:p').toString('base64');
  const blob = randomBytes(1024);
  const digest = sha256(blob);
  const tokens = await fakeServer((req, res) => {
    if (req.headers.authorization !== basic) return void res.writeHead(401, { 'Content-Length': 0 }).end();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: 'good', expires_in: 300 }));
  });
  const registry = await fakeServer((req, res) => {
    if (req.headers.authorization !== 'Bearer good') {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${tokens.url}/token",service="fake"`, 'Content-Length': 0 }).end();
    } else if (req.url?.endsWith(`/blobs/${digest}`)) {
      res.writeHead(200, { 'Content-Length': blob.length }).end(blob);
    } else {
      res.writeHead(404, { 'Content-Length': 0 }).end();
    }
  });
  try {
    const p = await proxyOf(registry.url, ['  username: u', '  password: p']);
    assert.deepEqual(await expectStatus(await getBlob(p.url, 'lib/tok', digest), 200), blob);
    assert.equal(tokens.seen.length, 1);
    assert.equal(tokens.seen[0]!.headers.authorization, basic);
    assert.match(tokens.seen[0]!.path, /scope=repository%3Alib%2Ftok%3Apull/);
  } finally {
    await Promise.all([tokens.close(), registry.close()]);
  }
});

test('berth.proxy.allowpush: false makes writes 405 UNSUPPORTED, also with only berth.proxy.upstreams', async () => {
  const r = await startTestRegistry({
    yaml: (root) => testRegistryYaml(root, { extra: ['berth:', '  proxy:', '    allowpush: false', '    upstreams:', '      - prefix: up.test', `        remoteurl: ${fwd.url}`] }),
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
