// Two Berth registries in this process over one bucket (a real Ceph RADOS Gateway) and one
// Redis, as several nodes behind a load balancer run: whatever is written through one is seen
// through the other at once: a moved or deleted tag, a new repository in the catalog, referrers,
// an upload whose chunks arrive at different nodes; and online GC refuses to sweep a bucket
// other nodes may be writing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../main/config/load';
import { silentLogger } from '../../main/lib/logger';
import { startRegistry, type RunningRegistry } from '../../main/registry/registry';
import { startCephGateway, type CephGateway } from '../support/ceph-gateway';
import { runCleanups } from '../support/cleanup';
import { freePort } from '../support/processes';
import { ALL_MANIFEST_TYPES, bodyOf, descriptorOf, expectStatus, MT, ociManifest, pushArtifact, pushBlob, pushImage, putManifest, sha256, startUpload, withDigest, EMPTY_JSON, type PushedImage } from '../support/oci';
import { startTestRegistry } from '../support/registry';
import { parseDigest } from '../../main/registry/reference';
import { startRedis, type RedisServer } from '../support/redis-server';

const MiB = 1024 * 1024;
let gw: CephGateway;
let redis: RedisServer;
let a: RunningRegistry;
let b: RunningRegistry;
const urlOf = (r: RunningRegistry) => `http://127.0.0.1:${r.address.port}`;

function nodeYaml(bucket: string, redisPort: number, extra = ''): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    ...gw.storageLines(bucket),
    '  cache:',
    '    blobdescriptor: redis',
    '  delete:',
    '    enabled: true',
    extra,
    'http:',
    '  addr: 127.0.0.1:0',
    'redis:',
    `  addr: 127.0.0.1:${redisPort}`,
  ].filter(Boolean).join('\n');
}

async function startNode(bucket: string, extra = '', redisPort = redis.port, topLevel = ''): Promise<RunningRegistry> {
  const { config } = parseConfig(nodeYaml(bucket, redisPort, extra) + (topLevel ? `\n${topLevel}` : ''), { env: {}, source: 'test' });
  return startRegistry({ config, log: silentLogger });
}

before(async () => {
  [gw, redis] = await Promise.all([startCephGateway(), startRedis()]);
  await gw.createBucket('shared');
  [a, b] = [await startNode('shared'), await startNode('shared')];
});
after(async () => {
  await a?.stop();
  await b?.stop();
  await runCleanups();
});

async function digestOf(url: string, repo: string, ref: string): Promise<string | number> {
  const res = await fetch(`${url}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { Accept: MT.ociManifest } });
  return res.status === 200 ? res.headers.get('docker-content-digest')! : res.status;
}

describe('two nodes on one bucket and one Redis', () => {
  it('a tag moved through one node is never served stale by the other', async () => {
    const first = await pushImage(urlOf(a), 'team/moving', 'live', { layerCount: 1 });
    assert.equal(await digestOf(urlOf(b), 'team/moving', 'live'), first.digest);
    for (let i = 0; i < 10; i++) {
      const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
      const next = await pushImage(urlOf(writer), 'team/moving', 'live', { layerCount: 1 });
      // Read right after the 201, through the node that did not write.
      assert.equal(await digestOf(urlOf(reader), 'team/moving', 'live'), next.digest, `round ${i}`);
      const tags = await (await fetch(`${urlOf(reader)}/v2/team/moving/tags/list`)).json() as { tags: string[] };
      assert.deepEqual(tags.tags, ['live']);
    }
    await expectStatus(await fetch(`${urlOf(a)}/v2/team/moving/manifests/live`, { method: 'DELETE' }), 202);
    assert.equal(await digestOf(urlOf(b), 'team/moving', 'live'), 404);
  });

  it('a tag added through one node is in the other\'s tag list at once', async () => {
    await pushImage(urlOf(a), 'team/list', 'v1', { layerCount: 1 });
    await fetch(`${urlOf(b)}/v2/team/list/tags/list`);
    await pushImage(urlOf(a), 'team/list', 'v2', { layerCount: 1 });
    const tags = await (await fetch(`${urlOf(b)}/v2/team/list/tags/list`)).json() as { tags: string[] };
    assert.deepEqual(tags.tags, ['v1', 'v2']);
  });

  it('a manifest deleted through one node is gone from the other, by digest too', async () => {
    const img = await pushImage(urlOf(a), 'team/gone', 'v1', { layerCount: 1 });
    assert.equal(await digestOf(urlOf(b), 'team/gone', img.digest), img.digest);
    await expectStatus(await fetch(`${urlOf(a)}/v2/team/gone/manifests/${img.digest}`, { method: 'DELETE' }), 202);
    assert.equal(await digestOf(urlOf(b), 'team/gone', img.digest), 404);
    assert.equal(await digestOf(urlOf(b), 'team/gone', 'v1'), 404);
  });

  it('the catalog lists a repository created through the other node at once, in distribution\'s order, page by page', async () => {
    const names = ['cat/a', 'cat/a/b', 'cat/a-b', 'cat/z'];
    for (const [i, n] of names.entries()) await pushImage(urlOf(i % 2 ? a : b), n, 'v1', { layerCount: 1 });
    for (const node of [a, b]) {
      const seen: string[] = [];
      let next: string | undefined = `/v2/_catalog?n=2`;
      while (next) {
        const res: Response = await fetch(`${urlOf(node)}${next}`);
        const body = await res.json() as { repositories: string[] };
        seen.push(...body.repositories);
        const link: string | null = res.headers.get('link');
        next = link ? /<([^>]+)>/.exec(link)![1] : undefined;
      }
      assert.deepEqual(seen.filter((n) => n.startsWith('cat/')), ['cat/a', 'cat/a/b', 'cat/a-b', 'cat/z']);
    }
  });

  it('referrers pushed through one node are listed by the other', async () => {
    const img = await pushImage(urlOf(a), 'team/signed', 'v1', { layerCount: 1 });
    const first = await (await fetch(`${urlOf(b)}/v2/team/signed/referrers/${img.digest}`)).json() as { manifests: unknown[] };
    assert.equal(first.manifests.length, 0);
    const sig = await pushArtifact(urlOf(a), 'team/signed', img.descriptor, 'application/vnd.example.sig');
    await expectStatus(sig.response, 201);
    const then = await (await fetch(`${urlOf(b)}/v2/team/signed/referrers/${img.digest}`)).json() as { manifests: Array<{ digest: string }> };
    assert.deepEqual(then.manifests.map((m) => m.digest), [sig.digest]);
  });

  it('an upload takes its chunks through either node, and ends through either', async () => {
    const bytes = randomBytes(13 * MiB);
    const digest = sha256(bytes);
    const location = new URL(await startUpload(urlOf(a), 'team/chunks'));
    const at = (r: RunningRegistry) => `${urlOf(r)}${location.pathname}${location.search}`;
    const chunk = async (r: RunningRegistry, from: number, to: number) => {
      const res = await fetch(at(r), { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${from}-${to - 1}` }, body: bodyOf(bytes.subarray(from, to)) });
      await expectStatus(res, 202);
      assert.equal(res.headers.get('range'), `0-${to - 1}`);
    };
    await chunk(b, 0, 6 * MiB);
    const status = await fetch(at(a));
    await expectStatus(status, 204);
    assert.equal(status.headers.get('range'), `0-${6 * MiB - 1}`);
    await chunk(a, 6 * MiB, 7 * MiB);
    await chunk(b, 7 * MiB, 13 * MiB);
    await expectStatus(await fetch(withDigest(at(a), digest), { method: 'PUT' }), 201);
    for (const node of [a, b]) {
      const got = Buffer.from(await (await fetch(`${urlOf(node)}/v2/team/chunks/blobs/${digest}`)).arrayBuffer());
      assert.equal(sha256(got), digest);
    }
    // Finished through A: B no longer knows the session either.
    await expectStatus(await fetch(at(b)), 404);
  });

  it('a blob deleted from a repository through one node is gone from it through the other', async () => {
    const layer = randomBytes(4096);
    const digest = await pushBlob(urlOf(a), 'team/blobs', layer);
    const head = (r: RunningRegistry) => fetch(`${urlOf(r)}/v2/team/blobs/blobs/${digest}`, { method: 'HEAD' }).then((res) => res.status);
    assert.equal(await head(b), 200);
    await expectStatus(await fetch(`${urlOf(a)}/v2/team/blobs/blobs/${digest}`, { method: 'DELETE' }), 202);
    assert.equal(await head(b), 404);
  });

  it('a layer pushed through one node completes a manifest pushed through the other', async () => {
    const config = EMPTY_JSON;
    const layer = randomBytes(2048);
    await pushBlob(urlOf(a), 'team/split', config);
    await pushBlob(urlOf(b), 'team/split', layer);
    const manifest = ociManifest(descriptorOf(MT.ociEmpty, config), [descriptorOf(MT.ociLayer, layer)]);
    await expectStatus(await putManifest(urlOf(a), 'team/split', 'v1', manifest, MT.ociManifest), 201);
    assert.equal(await digestOf(urlOf(b), 'team/split', 'v1'), sha256(manifest));
  });

  it('a node that cannot reach Redis does not start, and says why', async () => {
    const port = await freePort();
    await assert.rejects(startNode('shared', '', port), (err: Error) => {
      assert.match(err.message, new RegExp(`^redis: cannot use 127\\.0\\.0\\.1:${port} \\(storage\\.cache\\.blobdescriptor: redis\\): .*ECONNREFUSED`));
      return true;
    });
  });

  it('online GC refuses to sweep while nodes may write; a dry run still reports', async () => {
    await assert.rejects(a.store.gc({}), /needs every node read-only/);
    const report = await a.store.gc({ dryRun: true });
    assert.equal(report.dryRun, true);
  });
});

describe('two pull-through cache nodes on one bucket', () => {
  let upstream: Awaited<ReturnType<typeof startTestRegistry>>;
  let p: RunningRegistry;
  let q: RunningRegistry;
  before(async () => {
    upstream = await startTestRegistry();
    await gw.createBucket('shared-proxy');
    const proxy = `proxy:\n  remoteurl: ${upstream.url}\n  ttl: 1h`;
    [p, q] = [await startNode('shared-proxy', '', redis.port, proxy), await startNode('shared-proxy', '', redis.port, proxy)];
  });
  after(async () => {
    await p?.stop();
    await q?.stop();
    await upstream?.stop();
  });

  async function pullThrough(node: RunningRegistry, repo: string, img: PushedImage): Promise<void> {
    const m = await fetch(`${urlOf(node)}/v2/${repo}/manifests/v1`, { headers: { Accept: ALL_MANIFEST_TYPES } });
    assert.equal(sha256(await expectStatus(m, 200)), img.digest);
    for (const b of [img.config, ...img.layers]) {
      assert.equal(sha256(await expectStatus(await fetch(`${urlOf(node)}/v2/${repo}/blobs/${b.digest}`), 200)), b.digest);
    }
  }
  /** Waits until the node has recorded every piece of `img` (a miss is recorded after its client is answered). */
  async function recorded(node: RunningRegistry, repo: string, img: PushedImage): Promise<void> {
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      if ([img.digest, img.config.digest, ...img.layers.map((l) => l.digest)].every((d) => node.proxy!.cache.isCached(repo, d))) return;
    }
    assert.fail(`${repo} was not recorded as cached`);
  }

  it("shares the expiry schedule: each node's pulls are in the other's, and one node's expiry clears both", async () => {
    const one = await pushImage(upstream.url, 'lib/one', 'v1', { layerCount: 1 });
    const two = await pushImage(upstream.url, 'lib/two', 'v1', { layerCount: 1 });
    await pullThrough(p, 'lib/one', one);
    await pullThrough(q, 'lib/two', two);
    await recorded(p, 'lib/one', one);
    await recorded(q, 'lib/two', two);
    // Both write, then both read back: with one file per bucket the second writer would erase the first.
    await p.proxy!.cache.sync();
    await q.proxy!.cache.sync();
    await p.proxy!.cache.sync();
    for (const node of [p, q]) {
      assert.ok(node.proxy!.content.isCachedRepo('lib/one') && node.proxy!.content.isCachedRepo('lib/two'), 'each node knows both');
    }
    // An hour and more later, expiry on one node removes what the other node fetched, and the
    // other node learns it.
    await q.proxy!.expiry.run(Date.now() + 2 * 3600_000);
    assert.equal(await p.store.manifests.revision('lib/one', parseDigest(one.digest)!), undefined, "p's cached manifest expired through q");
    await p.proxy!.cache.sync();
    assert.ok(!p.proxy!.cache.isCached('lib/one', one.digest));
    // Pulled again, it comes back from the upstream.
    await pullThrough(q, 'lib/one', one);
  });
});
