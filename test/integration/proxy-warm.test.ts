// The kept-warm mirror against a real upstream: Debian's docker-registry (distribution 2.8)
// holding images pushed over HTTP, Berth in process as its proxy, with real files. Listed images
// (multi-platform, single, a chosen platform) are complete in the store before any client asks
// and pull completely with the upstream stopped; a stopped upstream and a missing tag are
// recorded and delete nothing; a 429's Retry-After holds the next attempt back; a moved tag switches only once the new image is complete, and a
// move the upstream cannot complete leaves the old image tagged (fsck and a pull of every blob
// after each step); the TTL and the size cap spare listed content, across a restart, and remove
// unlisted content. The control API's warm.list and warm.fetchNow, and `berth sync`, which
// prints each entry's result, online against a running `berth serve` and offline.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { WarmEntry } from '../../preload/contract/warm';
import { parseDigest } from '../../main/registry/reference';
import { startBerth } from '../support/berth-process';
import { startControl } from '../support/control';
import { runCleanups } from '../support/cleanup';
import { ALL_MANIFEST_TYPES, expectStatus, MT, ociIndex, pushImage, putManifest, sha256, type PushedImage } from '../support/oci';
import { runCommand, sleep } from '../support/processes';
import { startReferenceRegistry } from '../support/reference-registry';
import type { RegistryProcess } from '../support/registry-process';
import { startTestRegistry, type TestRegistry } from '../support/registry';
import { testRegistryYaml } from '../support/registry-yaml';

const CLI = join(import.meta.dirname, '../../main/headless/cli.ts');
const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };

let upstream: RegistryProcess;
const open: TestRegistry[] = [];

before(async () => {
  upstream = await startReferenceRegistry();
});
after(async () => {
  for (const r of open) await r.stop();
  await upstream.stop();
  await runCleanups();
});

/** Stops the upstream and starts it again on the same port and storage. */
async function withUpstreamStopped(during: () => Promise<void>): Promise<void> {
  const port = Number(new URL(upstream.url).port);
  await upstream.stop();
  try {
    await during();
  } finally {
    upstream = await startReferenceRegistry({ root: upstream.root, port });
  }
}

function warmYaml(images: unknown[], opts: { ttl?: string; maxsize?: number; interval?: string } = {}): string[] {
  return [
    'proxy:', `  remoteurl: ${upstream.url}`, `  ttl: ${opts.ttl ?? '1h'}`,
    'berth:', '  proxy:', ...(opts.maxsize !== undefined ? [`    maxsize: ${opts.maxsize}`] : []),
    '    warm:', `      interval: ${opts.interval ?? '0'}`, '      images:', ...images.map((i) => `        - ${JSON.stringify(i)}`),
  ];
}

async function proxyWith(images: unknown[], opts: { ttl?: string; maxsize?: number } = {}): Promise<TestRegistry> {
  const r = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: warmYaml(images, opts) }) });
  open.push(r);
  return r;
}

/** Pushes one image per platform (by digest) and an OCI index of them under `tag`. */
async function pushIndex(repo: string, tag: string, platforms = [AMD64, ARM64], layerSize = 1024): Promise<{ digest: string; images: PushedImage[] }> {
  const images: PushedImage[] = [];
  for (const platform of platforms) images.push(await pushImage(upstream.url, repo, undefined, { platform, layerSize }));
  const index = ociIndex(images.map((i) => i.descriptor));
  await expectStatus(await putManifest(upstream.url, repo, tag, index, MT.ociIndex), 201);
  return { digest: sha256(index), images };
}

const warm = (r: TestRegistry) => r.registry.proxy!.warm;
const entry = (r: TestRegistry, image: string): WarmEntry => warm(r).list().entries.find((e) => e.image === image)!;

async function settled(r: TestRegistry): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (warm(r).list().entries.every((e) => (e.lastRefresh || e.lastError) && !e.refreshing)) return;
    await sleep(50);
  }
  assert.fail(`the kept-warm list did not settle: ${JSON.stringify(warm(r).list())}`);
}

const getManifest = (url: string, repo: string, ref: string) => fetch(`${url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ALL_MANIFEST_TYPES } });

/**
 * Pulls `ref` through Berth the way a client does, every blob of every platform (or of the
 * given ones), checking each digest; returns the manifest digest the tag resolved to.
 */
async function pullComplete(url: string, repo: string, ref: string, platforms?: string[]): Promise<string> {
  const top = await expectStatus(await getManifest(url, repo, ref), 200);
  const doc = JSON.parse(top.toString('utf8')) as { manifests?: Array<{ digest: string; platform?: { os: string; architecture: string } }> };
  const children = doc.manifests?.filter((m) => !platforms || platforms.includes(`${m.platform?.os}/${m.platform?.architecture}`)) ?? [];
  const images = doc.manifests ? await Promise.all(children.map(async (c) => expectStatus(await getManifest(url, repo, c.digest), 200))) : [top];
  for (const bytes of images) {
    const m = JSON.parse(bytes.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)]) {
      assert.equal(sha256(await expectStatus(await fetch(`${url}/v2/${repo}/blobs/${d}`), 200)), d, `${repo}: blob ${d}`);
    }
  }
  return sha256(top);
}

/**
 * fsck finds no error; `absentChild` allows the one it must report: an index kept for some of its
 * platforms only names the others' manifests, which are not here by choice.
 */
async function fsckClean(r: TestRegistry, absentChild?: { repo: string; digest: string }): Promise<void> {
  const report = await r.registry.store.fsck({ repair: false });
  const errors = report.problems.filter((p) => p.severity === 'error' && !(absentChild && p.kind === 'manifest-child-missing'
    && p.path.includes(`/repositories/${absentChild.repo}/`) && p.detail.endsWith(`needs manifests not in ${absentChild.repo}: ${absentChild.digest}`)));
  assert.deepEqual(errors, []);
}

const hasRevision = async (r: TestRegistry, repo: string, digest: string) => (await r.registry.store.manifests.revision(repo, parseDigest(digest)!)) !== undefined;
const hasBlob = async (r: TestRegistry, repo: string, digest: string) => (await r.registry.store.blobs.resolve(repo, parseDigest(digest)!)) !== undefined;

test('listed images are complete before any client asks, pull with the upstream stopped, and failures delete nothing', async () => {
  const multi = await pushIndex('warm/multi', '1');
  const single = await pushImage(upstream.url, 'warm/single', '1', { layerCount: 3 });
  const picky = await pushIndex('warm/picky', '1');
  const p = await proxyWith(['warm/multi:1', 'warm/single:1', { image: 'warm/picky:1', platforms: ['linux/arm64'] }, 'warm/absent:1']);
  await settled(p);

  // In the store, tagged, with no client having pulled anything.
  assert.equal((await p.registry.store.tags.resolve('warm/multi', '1'))?.value, multi.digest);
  for (const img of multi.images) {
    assert.ok(await hasRevision(p, 'warm/multi', img.digest));
    for (const b of [img.config, ...img.layers]) assert.ok(await hasBlob(p, 'warm/multi', b.digest), b.digest);
  }
  assert.equal((await p.registry.store.tags.resolve('warm/single', '1'))?.value, single.digest);
  const [pickAmd, pickArm] = picky.images as [PushedImage, PushedImage];
  assert.ok(await hasRevision(p, 'warm/picky', pickArm.digest), 'the chosen platform is cached');
  assert.ok(!(await hasRevision(p, 'warm/picky', pickAmd.digest)), 'the other platform is not fetched');
  assert.ok(!(await hasBlob(p, 'warm/picky', pickAmd.layers[0]!.digest)));

  const m = entry(p, 'warm/multi:1');
  assert.equal(m.digest, multi.digest);
  const expectedBytes = ociIndex(multi.images.map((i) => i.descriptor)).length
    + multi.images.reduce((n, i) => n + i.manifest.length + i.config.bytes.length + i.layers.reduce((s, l) => s + l.bytes.length, 0), 0);
  assert.equal(m.bytes, expectedBytes, 'bytes: the index, both manifests, configs and layers');
  assert.ok(m.lastRefresh && !m.lastError);
  const absent = entry(p, 'warm/absent:1');
  assert.equal(absent.lastError?.reason, 'not-found');
  assert.equal(absent.digest, undefined);
  const unchosen = { repo: 'warm/picky', digest: pickAmd.digest };
  await fsckClean(p, unchosen);

  await withUpstreamStopped(async () => {
    assert.equal(await pullComplete(p.url, 'warm/multi', '1'), multi.digest, 'every platform pulls from the cache alone');
    assert.equal(await pullComplete(p.url, 'warm/single', '1'), single.digest);
    assert.equal(await pullComplete(p.url, 'warm/picky', '1', ['linux/arm64']), picky.digest);

    const after = await warm(p).fetchNow();
    const down = after.entries.find((e) => e.image === 'warm/multi:1')!;
    assert.equal(down.lastError?.reason, 'upstream-down', JSON.stringify(down));
    assert.equal(down.digest, multi.digest, 'the cached digest is kept');
    assert.equal(down.lastRefresh, m.lastRefresh);
    assert.equal(await pullComplete(p.url, 'warm/multi', '1'), multi.digest, 'and the image still pulls');
    await fsckClean(p, unchosen);
  });
  const back = await warm(p).fetchNow('warm/multi:1');
  assert.equal(back.entries.find((e) => e.image === 'warm/multi:1')!.lastError, undefined, 'the error clears when the upstream is back');
});

test('a moved tag switches only once the new image is complete; a move the upstream cannot complete keeps the old image', async () => {
  const v1 = await pushIndex('warm/moving', '1');
  const p = await proxyWith(['warm/moving:1']);
  await settled(p);
  assert.equal(entry(p, 'warm/moving:1').digest, v1.digest);

  // The upstream moves the tag (bigger layers, so the fetch takes a while to watch).
  const v2 = await pushIndex('warm/moving', '1', [AMD64, ARM64], 1 << 20);
  assert.equal(await pullComplete(p.url, 'warm/moving', '1'), v1.digest, 'until the refresh, clients get the complete cached image');
  const seen = new Set<string>();
  let fetching = true;
  const watch = (async () => {
    // While the refresh runs, the tag points at v1 or at a complete v2, never at anything else.
    while (fetching) {
      const tagged = (await p.registry.store.tags.resolve('warm/moving', '1'))?.value;
      if (tagged) seen.add(tagged);
      if (tagged === v2.digest) {
        for (const img of v2.images) for (const b of [img.config, ...img.layers]) assert.ok(await hasBlob(p, 'warm/moving', b.digest), `tag moved before ${b.digest} was in`);
      }
      await sleep(1);
    }
  })();
  const moved = await warm(p).fetchNow('warm/moving:1').finally(() => { fetching = false; });
  await watch;
  assert.ok(seen.has(v1.digest), 'the watch saw the old tag during the fetch');
  assert.equal(moved.entries[0]!.digest, v2.digest);
  assert.equal(await pullComplete(p.url, 'warm/moving', '1'), v2.digest);
  await fsckClean(p);

  // v3 names a layer the upstream then loses: the refresh fails half way, the tag stays on v2.
  const v3 = await pushIndex('warm/moving', '1');
  const lost = v3.images[1]!.layers[1]!.digest;
  await expectStatus(await fetch(`${upstream.url}/v2/warm/moving/blobs/${lost}`, { method: 'DELETE' }), 202);
  const failed = (await warm(p).fetchNow('warm/moving:1')).entries[0]!;
  assert.equal(failed.lastError?.reason, 'not-found', JSON.stringify(failed));
  assert.equal(failed.digest, v2.digest);
  assert.equal((await p.registry.store.tags.resolve('warm/moving', '1'))?.value, v2.digest);
  await fsckClean(p);
  await withUpstreamStopped(async () => {
    assert.equal(await pullComplete(p.url, 'warm/moving', '1'), v2.digest, 'v2 still pulls completely, from the cache alone');
  });
});

test('the TTL and the size cap spare listed content, also right after a restart, and remove unlisted content', async () => {
  const kept = await pushImage(upstream.url, 'warm/kept', '1', { layerCount: 2 });
  const other = await pushImage(upstream.url, 'warm/other', '1', { layerCount: 2 });
  const p = await proxyWith(['warm/kept:1'], { ttl: '1s', maxsize: 1 });
  await settled(p);
  await pullComplete(p.url, 'warm/kept', '1');
  await pullComplete(p.url, 'warm/other', '1'); // a client's pull: unlisted

  const checkKept = async () => {
    assert.equal((await p.registry.store.tags.resolve('warm/kept', '1'))?.value, kept.digest);
    for (const b of [kept.config, ...kept.layers]) assert.ok(await hasBlob(p, 'warm/kept', b.digest), b.digest);
  };
  await p.registry.proxy!.expiry.run(Date.now() + 3600_000);
  await checkKept();
  assert.ok(!(await hasRevision(p, 'warm/other', other.digest)), 'unlisted: the expired manifest is removed');
  for (const b of [other.config, ...other.layers]) assert.ok(!(await hasBlob(p, 'warm/other', b.digest)), `unlisted blob ${b.digest} removed`);
  await fsckClean(p);

  await p.restart();
  await p.registry.proxy!.expiry.run(Date.now() + 7200_000);
  await checkKept();
  assert.equal(entry(p, 'warm/kept:1').digest, kept.digest, 'the state came back from disk');
  await fsckClean(p);
  await withUpstreamStopped(async () => {
    assert.equal(await pullComplete(p.url, 'warm/kept', '1'), kept.digest);
  });
});

test('berth sync --now prints each entry\'s result, online through a running berth serve and offline', async () => {
  const img = await pushImage(upstream.url, 'warm/cli', '1');
  const b = await startBerth({ extraYaml: warmYaml(['warm/cli:1', 'warm/nothere:1'], { interval: '6h' }).join('\n') });
  const env = { ...process.env, BERTH_DATA_DIR: join(dirname(b.config), 'berth-data'), REGISTRY_CONFIGURATION_PATH: '' };
  const sync = (...args: string[]) => runCommand(process.execPath, ['--import', 'tsx', CLI, 'sync', ...args, '--config', b.config], { check: false, timeoutMs: 60_000, env });
  try {
    const online = await sync('--now');
    assert.equal(online.code, 1, `a failed entry fails the command\n${online.stdout}${online.stderr}`);
    assert.match(online.stdout, /Kept-warm images, refreshed now — online, in the registry serving this config/);
    assert.match(online.stdout, new RegExp(`warm/cli:1\\s+ok\\s+${img.digest}`));
    assert.match(online.stdout, /warm\/nothere:1\s+FAILED\s+nothing cached\n\s+not found at /);
    const one = await sync('--now', '--image', 'warm/cli:1');
    assert.equal(one.code, 0, one.stdout + one.stderr);
    const json = JSON.parse((await sync('--json')).stdout) as { where: { mode: string }; entries: WarmEntry[] };
    assert.equal(json.where.mode, 'online');
    assert.equal(json.entries[0]!.digest, img.digest);
    const unlisted = await sync('--now', '--image', 'warm/other:1');
    assert.equal(unlisted.code, 1);
    assert.match(unlisted.stderr, /^berth: warm\/other:1 is not in berth\.proxy\.warm\.images/);
  } finally {
    await b.stop();
  }
  const moved = await pushImage(upstream.url, 'warm/cli', '1');
  const offline = await sync('--now', '--image', 'warm/cli:1');
  assert.equal(offline.code, 0, offline.stdout + offline.stderr);
  assert.match(offline.stdout, /offline, directly on /);
  assert.match(offline.stdout, new RegExp(`warm/cli:1\\s+ok\\s+${moved.digest}`), 'the moved tag was fetched offline');
});

test('warm.list and warm.fetchNow through the control API; an unlisted image is NOT_FOUND; a registry that is not a proxy says so', async () => {
  const img = await pushImage(upstream.url, 'warm/control', '1');
  const f = await startControl({ extraYaml: warmYaml(['warm/control:1']).join('\n') });
  try {
    const fetched = await f.ok('warm.fetchNow', { image: 'warm/control:1' });
    assert.equal(fetched.proxy, true);
    assert.deepEqual(fetched.entries.map((e) => [e.image, e.digest, e.refreshing]), [['warm/control:1', img.digest, false]]);
    assert.deepEqual((await f.ok('warm.list', {})).entries[0]!.digest, img.digest);
    const unlisted = await f.service.invoke('warm.fetchNow', { image: 'warm/other:1' });
    assert.deepEqual(unlisted.ok ? undefined : unlisted.error.code, 'NOT_FOUND');
    const bad = await f.service.call('warm.fetchNow', { image: 'warm/control:1', extra: true });
    assert.deepEqual(bad.ok ? undefined : bad.error.code, 'INVALID_ARGUMENT');
  } finally {
    await f.close();
  }
  const plain = await startControl();
  try {
    assert.deepEqual(await plain.ok('warm.list', {}), { proxy: false, intervalMs: 6 * 3600_000, entries: [] });
    const refused = await plain.service.invoke('warm.fetchNow', {});
    assert.deepEqual(refused.ok ? undefined : refused.error.code, 'UNAVAILABLE');
  } finally {
    await plain.close();
  }
});

test('an upstream answering 429 is recorded as rate limited with its Retry-After, and not asked again before then', async () => {
  const seen: string[] = [];
  const limiter = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(429, { 'Retry-After': '120', 'Content-Type': 'application/json' });
    res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
  });
  await new Promise<void>((resolve) => limiter.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(limiter.address() as AddressInfo).port}`;
    const r = await startTestRegistry({ yaml: (root) => testRegistryYaml(root, { extra: ['proxy:', `  remoteurl: ${url}`, 'berth:', '  proxy:', '    warm:', '      images: [library/busy:1]'] }) });
    open.push(r);
    await settled(r);
    const e = entry(r, 'library/busy:1');
    assert.equal(e.lastError?.reason, 'rate-limited', JSON.stringify(e));
    const wait = Date.parse(e.lastError!.retryAfter!) - Date.parse(e.lastError!.at);
    assert.ok(wait >= 119_000 && wait <= 121_000, `Retry-After 120 s, got ${wait} ms`);
    const asked = seen.length;
    assert.ok(asked > 0);
    await warm(r).fetchNow();
    assert.equal(seen.length, asked, 'Fetch now does not ask before Retry-After');
  } finally {
    limiter.closeAllConnections();
    limiter.close();
  }
});
