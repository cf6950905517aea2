// Proxy mode with real parts (issue 4, point 9). The upstream is Debian's docker-registry 2.8.2
// with token auth from a token server in the test (the Bearer flow Docker Hub uses), reached
// through a counting forwarder; it holds a busybox image as library/hello. A private dockerd with
// Berth in registry-mirrors runs `docker pull hello`, then pulls from the cache with the upstream
// stopped and with Berth started while the upstream is down. Also: short TTL expiry that spares
// a pushed image sharing a layer, one upstream download for two concurrent pulls of a 100 MiB
// blob, htpasswd + anonymous pull, 429 pass-through, token caching, allowpush: false, and a
// second upstream chosen by name prefix or containerd's ?ns=.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { startBerth } from '../support/berth-process';
import { tempDir } from '../support/cleanup';
import { removeAllImages, sharedDockerd, type Dockerd } from '../support/dockerd';
import { rootfsLayers, runInImage } from '../support/docker-flows';
import { startForwarder, type Forwarder } from '../support/http-forwarder';
import { buildImageWithFiles, importBusyboxImage } from '../support/images';
import { expectError, hexOf, MT, sha256 } from '../support/oci';
import { freePort, sleep, useE2EHooks } from '../support/processes';
import { startReferenceRegistry } from '../support/reference-registry';
import type { RegistryProcess } from '../support/registry-process';
import { fetchManifest, MANIFEST_ACCEPT } from '../support/registry-http';
import { startTokenRegistry, startTokenServer, type TokenServer } from '../support/token-server';
import { hashPassword } from '../../main/users/htpasswd';

useE2EHooks();

const UPSTREAM_USER = 'proxy';
const UPSTREAM_PASSWORD = 'proxy-pw';
const MiB = 1024 * 1024;

let d: Dockerd;
let tok: TokenServer;
let upstream: RegistryProcess;
let upstreamRoot: string;
let upstreamPort: number;
let fwd: Forwarder;
let quay: RegistryProcess;
/** Berth A: the mirror. */
let berth: RegistryProcess;
let berthPort: number;
let berthRoot: string;
let helloLayers: string[];
let helloDigest: string;

/** proxy.* for the token upstream (through the forwarder) plus quay.test as a second upstream. */
function proxyYaml(extra: { ttl?: string; berth?: string[] } = {}): string {
  return [
    'proxy:',
    `  remoteurl: ${fwd.url}`,
    `  username: ${UPSTREAM_USER}`,
    `  password: ${UPSTREAM_PASSWORD}`,
    ...(extra.ttl ? [`  ttl: ${extra.ttl}`] : []),
    'berth:',
    '  proxy:',
    '    upstreams:',
    '      - prefix: quay.test',
    `        remoteurl: ${quay.url}`,
    ...(extra.berth ?? []),
  ].join('\n');
}

function startMirror(): Promise<RegistryProcess> {
  return startBerth({ root: berthRoot, port: berthPort, extraYaml: proxyYaml() });
}

/** Sets registry-mirrors and waits until dockerd has reloaded it. */
async function useMirror(url: string): Promise<void> {
  await d.reload({ 'registry-mirrors': [url] });
  for (let i = 0; i < 100; i++) {
    const info = await d.docker(['info', '--format', '{{json .RegistryConfig.Mirrors}}']);
    if (info.stdout.includes(new URL(url).host)) return;
    await sleep(100);
  }
  throw new Error(`dockerd did not pick up registry-mirrors ${url}`);
}

const blobGets = (repo: string, digest: string) => fwd.log.filter((l) => l.method === 'GET' && l.status === 200 && l.path === `/v2/${repo}/blobs/${digest}`).length;

async function catalog(url: string, auth?: string): Promise<string[]> {
  const res = await fetch(`${url}/v2/_catalog`, auth ? { headers: { Authorization: auth } } : {});
  assert.equal(res.status, 200);
  return ((await res.json()) as { repositories: string[] }).repositories;
}

/** Pushes a blob to the token-authenticated upstream with a token for `repo`. */
async function pushUpstreamBlob(repo: string, bytes: Buffer): Promise<string> {
  const auth = { Authorization: `Bearer ${tok.mint([`repository:${repo}:pull,push`])}` };
  const digest = sha256(bytes);
  const post = await fetch(`${upstream.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: auth });
  assert.equal(post.status, 202, await post.text());
  const loc = new URL(post.headers.get('location')!, upstream.url);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: bytes as Uint8Array<ArrayBuffer> });
  assert.equal(put.status, 201, await put.text());
  return digest;
}

async function pushUpstreamManifest(repo: string, tag: string, manifest: Buffer): Promise<void> {
  const auth = { Authorization: `Bearer ${tok.mint([`repository:${repo}:pull,push`])}` };
  const res = await fetch(`${upstream.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { ...auth, 'Content-Type': MT.dockerManifest }, body: manifest as Uint8Array<ArrayBuffer> });
  assert.equal(res.status, 201, await res.text());
}

/** sha256 of a streamed body, never holding it in memory. */
async function bodyDigest(res: Response): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes };
}

function blobData(root: string, digest: string): string {
  const hex = hexOf(digest);
  return join(root, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

before(async () => {
  const dir = await tempDir('berth-px-');
  upstreamRoot = join(dir, 'upstream');
  berthRoot = join(dir, 'berth');
  upstreamPort = await freePort();
  berthPort = await freePort();
  tok = await startTokenServer({ users: { [UPSTREAM_USER]: UPSTREAM_PASSWORD } });
  [d, upstream, quay] = await Promise.all([
    sharedDockerd(),
    startTokenRegistry(tok, { root: upstreamRoot, port: upstreamPort }),
    startReferenceRegistry(),
  ]);
  fwd = await startForwarder(upstream.url);

  // library/hello on the upstream, pushed by docker through the token flow (login at the token
  // server with the same account Berth uses), and ns/img:v1 on the second upstream.
  const ref = `${upstream.addr}/library/hello:latest`;
  await importBusyboxImage(d, ref);
  helloLayers = await rootfsLayers(d, ref);
  await d.docker(['login', upstream.addr, '-u', UPSTREAM_USER, '--password-stdin'], { input: `${UPSTREAM_PASSWORD}\n` });
  await d.docker(['push', ref], { timeoutMs: 180_000 });
  await d.docker(['logout', upstream.addr]);
  await d.docker(['tag', ref, `${quay.addr}/ns/img:v1`]);
  await d.docker(['push', `${quay.addr}/ns/img:v1`], { timeoutMs: 180_000 });
  helloDigest = (await fetchManifest(quay.url, 'ns/img', 'v1')).digest;
  await removeAllImages(d);

  berth = await startMirror();
  await useMirror(berth.url);
});

test('docker pull hello (no host) goes through Berth as a registry mirror', { timeout: 300_000 }, async () => {
  const tokensBefore = tok.requests.length;
  const pull = await d.docker(['pull', 'hello'], { timeoutMs: 180_000 });
  assert.match(pull.stdout, /Pull complete/, pull.stdout);
  assert.deepEqual(await rootfsLayers(d, 'hello'), helloLayers);
  assert.equal(await runInImage(d, 'hello', ['/bin/busybox', 'echo', 'mirrored']), 'mirrored\n');

  assert.ok((await catalog(berth.url)).includes('library/hello'), 'the catalog lists the cached repository');
  assert.equal(fwd.count('HEAD', /^\/v2\/library\/hello\/manifests\/latest$/) >= 1, true, 'tag revalidated with a HEAD');
  assert.equal(fwd.count('GET', /^\/v2\/library\/hello\/manifests\/sha256:/) >= 1, true, 'manifest fetched by digest');
  const layerGets = fwd.log.filter((l) => l.method === 'GET' && /^\/v2\/library\/hello\/blobs\//.test(l.path) && l.status === 200);
  assert.equal(layerGets.length, 2, 'config and layer downloaded once each');
  // Berth authenticated with its own account at the token server (Bearer flow).
  const fresh = tok.requests.slice(tokensBefore);
  assert.ok(fresh.length >= 1 && fresh.every((r) => r.user === UPSTREAM_USER && r.status === 200), JSON.stringify(fresh));
  assert.ok(fresh.some((r) => r.scopes.includes('repository:library/hello:pull')));
});

test('with the upstream stopped, and with Berth started while it is down, the pull is served from the cache', { timeout: 300_000 }, async () => {
  await upstream.stop();
  await removeAllImages(d);
  const offline = await d.docker(['pull', 'hello'], { timeoutMs: 180_000 });
  assert.match(offline.stdout, /Pull complete/, offline.stdout);
  assert.equal(await runInImage(d, 'hello', ['/bin/busybox', 'echo', 'cached']), 'cached\n');

  // registry:3 refuses to start without its upstream (#1435, #4038); Berth starts and serves.
  await berth.stop();
  berth = await startMirror();
  await removeAllImages(d);
  const restarted = await d.docker(['pull', 'hello'], { timeoutMs: 180_000 });
  assert.match(restarted.stdout, /Pull complete/, restarted.stdout);
  assert.deepEqual(await rootfsLayers(d, 'hello'), helloLayers);
  assert.ok(fwd.log.some((l) => l.status === 0), 'the forwarder saw the upstream down');

  upstream = await startTokenRegistry(tok, { root: upstreamRoot, port: upstreamPort });
});

test('upstream tokens are cached: 20 pulls by tag make 20 HEADs but at most one token request', { timeout: 120_000 }, async () => {
  const tokens = tok.requests.length;
  const answered = () => fwd.log.filter((l) => l.method === 'HEAD' && l.path === '/v2/library/hello/manifests/latest' && l.status === 200).length;
  const heads = answered();
  for (let i = 0; i < 20; i++) {
    const m = await fetchManifest(berth.url, 'library/hello', 'latest');
    assert.equal(m.bodyDigest, m.digest);
  }
  const tokenRequests = tok.requests.length - tokens;
  assert.ok(tokenRequests <= 1, `token requests for 20 pulls: ${tokenRequests}`);
  assert.equal(answered() - heads, 20, 'each pull by tag is revalidated');
  process.stderr.write(`# 20 pulls by tag: ${tokenRequests} token request(s), 20 upstream HEADs, 0 manifest downloads\n`);
});

test('two concurrent pulls of an uncached 100 MiB blob share one upstream download; HEAD downloads nothing', { timeout: 300_000 }, async () => {
  const big = randomBytes(100 * MiB);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const digest = await pushUpstreamBlob('library/big', big);
  const configDigest = await pushUpstreamBlob('library/big', config);
  await pushUpstreamManifest('library/big', 'v1', Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, digest: configDigest, size: config.length },
    layers: [{ mediaType: MT.dockerLayer, digest, size: big.length }],
  })));

  const head = await fetch(`${berth.url}/v2/library/big/blobs/${digest}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(100 * MiB));
  assert.equal(blobGets('library/big', digest), 0, 'HEAD must not download the blob');

  const [a, b] = await Promise.all([0, 1].map(async () => {
    const res = await fetch(`${berth.url}/v2/library/big/blobs/${digest}`);
    assert.equal(res.status, 200);
    return bodyDigest(res);
  }));
  assert.deepEqual(a, { digest, bytes: 100 * MiB });
  assert.deepEqual(b, { digest, bytes: 100 * MiB });
  assert.equal(blobGets('library/big', digest), 1, 'exactly one upstream download');
  assert.ok(existsSync(blobData(berthRoot, digest)), 'the blob is in the cache');
  process.stderr.write(`# 2 concurrent 100 MiB pulls: ${blobGets('library/big', digest)} upstream download\n`);

  const again = await fetch(`${berth.url}/v2/library/big/blobs/${digest}`);
  assert.deepEqual(await bodyDigest(again), { digest, bytes: 100 * MiB });
  assert.equal(blobGets('library/big', digest), 1, 'a cached blob is served without the upstream');
});

test('an upstream 429 reaches the client as 429 TOOMANYREQUESTS with its Retry-After', { timeout: 120_000 }, async () => {
  // From the registry (a tag nobody has cached: no fallback possible).
  fwd.failNext(1, (m, p) => m === 'HEAD' && p === '/v2/library/big/manifests/v1', 429, { 'Retry-After': '7' });
  const manifest = await fetch(`${berth.url}/v2/library/big/manifests/v1`, { headers: { Accept: MANIFEST_ACCEPT } });
  const env = await expectError(manifest, 429, 'TOOMANYREQUESTS');
  assert.equal(manifest.headers.get('retry-after'), '7', JSON.stringify(env));

  // On a blob miss.
  const missing = await pushUpstreamBlob('library/big', randomBytes(1024));
  fwd.failNext(1, (m, p) => m === 'GET' && p.endsWith(missing), 429, { 'Retry-After': '9' });
  const blob = await fetch(`${berth.url}/v2/library/big/blobs/${missing}`);
  await expectError(blob, 429, 'TOOMANYREQUESTS');
  assert.equal(blob.headers.get('retry-after'), '9');

  // From the token service, for a scope Berth holds no token for yet.
  tok.failNext(1, 429, '11');
  const fromToken = await fetch(`${berth.url}/v2/library/ratelimited/manifests/latest`, { headers: { Accept: MANIFEST_ACCEPT } });
  await expectError(fromToken, 429, 'TOOMANYREQUESTS');
  assert.equal(fromToken.headers.get('retry-after'), '11');

  // And once the limit is over, the same request works.
  const ok = await fetchManifest(berth.url, 'library/big', 'v1');
  assert.equal(ok.bodyDigest, ok.digest);
});

test('a second upstream by name prefix (quay.test/ns/img) and by containerd ?ns=quay.test', { timeout: 300_000 }, async () => {
  const byPrefix = await fetchManifest(berth.url, 'quay.test/ns/img', 'v1');
  assert.equal(byPrefix.digest, helloDigest);
  const ns = await fetch(`${berth.url}/v2/ns/img/manifests/v1?ns=quay.test`, { headers: { Accept: MANIFEST_ACCEPT } });
  assert.equal(ns.status, 200);
  assert.equal(ns.headers.get('docker-content-digest'), helloDigest);
  assert.ok((await catalog(berth.url)).includes('quay.test/ns/img'), 'stored under its prefixed name');
  assert.equal(fwd.count('GET', /\/ns\/img\//), 0, 'the default upstream is not asked');

  const ref = `${berth.addr}/quay.test/ns/img:v1`;
  await removeAllImages(d);
  const pull = await d.docker(['pull', ref], { timeoutMs: 180_000 });
  assert.match(pull.stdout, /Pull complete/);
  assert.equal(await runInImage(d, ref, ['/bin/busybox', 'echo', 'quay']), 'quay\n');
});

test('a short TTL expires cached content but not a pushed image that shares its layer', { timeout: 300_000 }, async () => {
  const dir = await tempDir('berth-ttl-');
  const root = join(dir, 'data');
  const b = await startBerth({ root, extraYaml: proxyYaml({ ttl: '3s', berth: ['    localnamespaces: [mine]'] }) });

  // A pushed image built FROM hello: hello's busybox layer plus one of its own.
  await removeAllImages(d);
  await d.docker(['pull', `${berth.addr}/library/hello:latest`], { timeoutMs: 180_000 });
  await d.docker(['tag', `${berth.addr}/library/hello:latest`, 'hello-base:latest']);
  const pushedRef = `${b.addr}/mine/app:v1`;
  await buildImageWithFiles(d, { base: 'hello-base:latest', tag: pushedRef, files: [{ name: 'own.txt', data: Buffer.from('mine\n') }] });
  const pushedLayers = await rootfsLayers(d, pushedRef);
  await d.docker(['push', pushedRef], { timeoutMs: 180_000 });

  // Then library/hello is pulled through b: cached, with the shared layer linked in both repositories.
  const m = await fetchManifest(b.url, 'library/hello', 'latest');
  const hello = m.json as { config: { digest: string }; layers: Array<{ digest: string }> };
  for (const digest of [hello.config.digest, hello.layers[0]!.digest]) {
    const res = await fetch(`${b.url}/v2/library/hello/blobs/${digest}`);
    assert.equal((await bodyDigest(res)).digest, digest);
  }
  const manifestGets = fwd.count('GET', /^\/v2\/library\/hello\/manifests\/sha256:/);
  const revision = join(root, 'docker/registry/v2/repositories/library/hello/_manifests/revisions/sha256', hexOf(m.digest), 'link');
  assert.ok(existsSync(revision));

  // Expiry: checked every ~1.5 s for a 3 s TTL.
  const deadline = Date.now() + 30_000;
  while (existsSync(revision) || existsSync(blobData(root, hello.config.digest))) {
    if (Date.now() > deadline) throw new Error('cached content did not expire within 30 s of a 3 s TTL');
    await sleep(250);
  }
  assert.ok(existsSync(blobData(root, hello.layers[0]!.digest)), 'the layer the pushed image uses keeps its data');

  // The pushed image still pulls completely (every layer downloaded again) and runs.
  await removeAllImages(d);
  const pull = await d.docker(['pull', pushedRef], { timeoutMs: 180_000 });
  assert.equal(pull.stdout.match(/Pull complete/g)?.length, pushedLayers.length, pull.stdout);
  assert.equal(await runInImage(d, pushedRef, ['/bin/busybox', 'cat', '/data/own.txt']), 'mine\n');

  // The expired repository is fetched from the upstream again on the next pull.
  const again = await fetchManifest(b.url, 'library/hello', 'latest');
  assert.equal(again.digest, m.digest);
  assert.equal(fwd.count('GET', /^\/v2\/library\/hello\/manifests\/sha256:/), manifestGets + 1, 're-fetched after expiry');
  await b.stop();
});

test('htpasswd with anonymous pull: docker login + pull through + push; the mirror pull needs no login', { timeout: 300_000 }, async () => {
  const dir = await tempDir('berth-pxa-');
  const htpasswd = join(dir, 'htpasswd');
  await writeFile(htpasswd, `alice:${await hashPassword('alice-pw')}\n`);
  const c = await startBerth({
    root: join(dir, 'data'),
    readyStatus: 401, // the ping challenges, so docker login learns where to log in
    extraYaml: [
      'auth:', '  htpasswd:', '    realm: Mirror', `    path: ${htpasswd}`,
      proxyYaml({ berth: ['    localnamespaces: [alice]', '  auth:', '    anonymous: pull'] }),
    ].join('\n'),
  });
  await removeAllImages(d);
  await d.docker(['login', c.addr, '-u', 'alice', '--password-stdin'], { input: 'alice-pw\n' });
  try {
    const through = `${c.addr}/library/hello:latest`;
    await d.docker(['pull', through], { timeoutMs: 180_000 });
    assert.equal(await runInImage(d, through, ['/bin/busybox', 'echo', 'auth']), 'auth\n');
    await d.docker(['tag', through, `${c.addr}/alice/hello:v1`]);
    const push = await d.docker(['push', `${c.addr}/alice/hello:v1`], { check: false, timeoutMs: 180_000 });
    assert.equal(push.code, 0, push.stdout + push.stderr);
  } finally {
    await d.docker(['logout', c.addr]);
  }
  const anonPush = await d.docker(['push', `${c.addr}/alice/hello:v1`], { check: false, timeoutMs: 180_000 });
  assert.notEqual(anonPush.code, 0, 'anonymous pushes are refused');

  // registry-mirrors never sends credentials (moby#30880): anonymous pull makes it work.
  await useMirror(c.url);
  try {
    await removeAllImages(d);
    const pull = await d.docker(['pull', 'hello'], { timeoutMs: 180_000 });
    assert.match(pull.stdout, /Pull complete/);
  } finally {
    await useMirror(berth.url);
  }
  await c.stop();
});

test('docker push: an upstream name is refused naming the setting; a local namespace pushes and pulls with the upstream down', { timeout: 300_000 }, async () => {
  const dir = await tempDir('berth-pxl-');
  // The upstream is a port nothing listens on: local names must never need it.
  const down = `http://127.0.0.1:${await freePort()}`;
  const r = await startBerth({
    root: join(dir, 'data'),
    extraYaml: ['proxy:', `  remoteurl: ${down}`, 'berth:', '  proxy:', '    localnamespaces: [team]'].join('\n'),
  });
  try {
    await removeAllImages(d);
    await importBusyboxImage(d, 'local-base:latest');
    const upstreamName = `${r.addr}/library/busybox:latest`;
    await d.docker(['tag', 'local-base:latest', upstreamName]);
    const refused = await d.docker(['push', upstreamName], { check: false, timeoutMs: 120_000 });
    assert.notEqual(refused.code, 0, 'a push may not replace what an upstream name resolves to');
    assert.match(refused.stdout + refused.stderr, /berth\.proxy\.localnamespaces/);

    const own = `${r.addr}/team/app:v1`;
    await d.docker(['tag', 'local-base:latest', own]);
    await d.docker(['push', own], { timeoutMs: 180_000 });
    await removeAllImages(d);
    await d.docker(['pull', own], { timeoutMs: 180_000 });
    assert.equal(await runInImage(d, own, ['/bin/busybox', 'echo', 'local']), 'local\n');
    assert.deepEqual(await catalog(r.url), ['team/app']);
  } finally {
    await r.stop();
  }
});

test('berth.proxy.allowpush: false refuses pushes with 405 UNSUPPORTED (registry:3 behaviour)', { timeout: 120_000 }, async () => {
  const dir = await tempDir('berth-pxr-');
  const r = await startBerth({ root: join(dir, 'data'), extraYaml: proxyYaml({ berth: ['    allowpush: false'] }) });
  await expectError(await fetch(`${r.url}/v2/mine/x/blobs/uploads/`, { method: 'POST' }), 405, 'UNSUPPORTED');
  await expectError(await fetch(`${r.url}/v2/mine/x/manifests/v1`, { method: 'PUT', headers: { 'Content-Type': MT.dockerManifest }, body: '{}' }), 405, 'UNSUPPORTED');
  // Pulls through still work.
  const m = await fetchManifest(r.url, 'library/hello', 'latest');
  assert.equal(m.bodyDigest, m.digest);
  await r.stop();
});
