// Online garbage collection over a real registry (HTTP + files): what it keeps, what it deletes,
// dry runs, untagged manifests with indexes and referrers, and pushes that race the sweep.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, utimes } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  ALL_MANIFEST_TYPES, descriptorOf, expectError, expectStatus, hexOf, MT, ociIndex, ociManifest, pushArtifact, pushBlob,
  pushImage, putManifest, sha256, v2Root,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

const exists = (p: string) => stat(p).then(() => true, () => false);
const tick = () => new Promise((r) => setTimeout(r, 20)); // blobs older than the GC's start

async function pullsIntact(url: string, repo: string, ref: string): Promise<void> {
  const res = await fetch(`${url}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ALL_MANIFEST_TYPES } });
  const body = await expectStatus(res, 200);
  const m = JSON.parse(body.toString()) as { config?: { digest: string }; layers?: Array<{ digest: string }>; manifests?: Array<{ digest: string }> };
  for (const d of [...(m.config ? [m.config] : []), ...(m.layers ?? [])]) {
    const blob = await expectStatus(await fetch(`${url}/v2/${repo}/blobs/${d.digest}`), 200);
    assert.equal(sha256(blob), d.digest);
  }
  for (const c of m.manifests ?? []) await pullsIntact(url, repo, c.digest);
}

describe('garbage collection', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });
  const store = () => reg.registry.store;
  const blobPath = (d: string) => `${v2Root(reg.root)}/blobs/sha256/${hexOf(d).slice(0, 2)}/${hexOf(d)}/data`;

  it('dry run reports, a real run deletes unreferenced blobs and their links, referenced content stays', async () => {
    const a = await pushImage(reg.url, 'gc/basic', 'a');
    const b = await pushImage(reg.url, 'gc/basic', 'b');
    const orphan = randomBytes(3000);
    const orphanDigest = await pushBlob(reg.url, 'gc/basic', orphan);
    await expectStatus(await fetch(`${reg.url}/v2/gc/basic/manifests/${b.digest}`, { method: 'DELETE' }), 202);
    await tick();
    const doomed = [b.digest, b.config.digest, ...b.layers.map((l) => l.digest), orphanDigest];
    const freed = b.manifest.length + b.config.bytes.length + b.layers.reduce((n, l) => n + l.bytes.length, 0) + orphan.length;

    const dry = await store().gc({ dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.blobsDeleted, 5);
    assert.equal(dry.bytesFreed, freed);
    assert.deepEqual(dry.deleted.blobs.map((x) => x.digest).sort(), [...doomed].sort());
    for (const d of doomed) assert.equal(await exists(blobPath(d)), true, 'dry run deleted nothing');

    const real = await store().gc();
    assert.equal(real.blobsDeleted, 5);
    assert.equal(real.bytesFreed, freed);
    assert.equal(real.blobsMarked, 4); // a's manifest, config and two layers
    assert.ok(real.linksDeleted >= 4, `links deleted: ${real.linksDeleted}`);
    for (const d of doomed) assert.equal(await exists(blobPath(d)), false, `${d} deleted`);
    await pullsIntact(reg.url, 'gc/basic', 'a');
    await expectError(await fetch(`${reg.url}/v2/gc/basic/blobs/${orphanDigest}`), 404, 'BLOB_UNKNOWN');
    assert.equal(await exists(`${v2Root(reg.root)}/repositories/gc/basic/_layers/sha256/${hexOf(orphanDigest)}`), false);
    assert.ok(a.digest);
    // A second run finds nothing left to do.
    const again = await store().gc();
    assert.equal(again.blobsDeleted, 0);
    // Pushing the deleted content again works (nothing stale cached).
    await pushBlob(reg.url, 'gc/basic', orphan);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/gc/basic/blobs/${orphanDigest}`), 200)).equals(orphan));
  });

  it('keeps blobs newer than the grace period, and prunes emptied directories', async () => {
    const fresh = await pushBlob(reg.url, 'gc/grace', randomBytes(100));
    const r = await store().gc({ gracePeriodMs: 60_000 });
    assert.ok(r.blobsKeptRecent >= 1);
    assert.equal(await exists(blobPath(fresh)), true);
    await tick();
    await store().gc();
    assert.equal(await exists(blobPath(fresh)), false);
    // The repository held only that link: its directory is gone, not left empty.
    assert.equal(await exists(`${v2Root(reg.root)}/repositories/gc/grace`), false);
    const prefix = `${v2Root(reg.root)}/blobs/sha256/${hexOf(fresh).slice(0, 2)}`;
    if (await exists(prefix)) assert.ok((await readdir(prefix)).length > 0, 'no empty prefix directory');
  });

  it('deleteUntagged removes untagged manifests but keeps index children and referrers of kept manifests', async () => {
    const repo = 'gc/untagged';
    const child1 = await pushImage(reg.url, repo, undefined, { platform: { os: 'linux', architecture: 'amd64' } });
    const child2 = await pushImage(reg.url, repo, undefined, { platform: { os: 'linux', architecture: 'arm64' } });
    const index = ociIndex([child1.descriptor, child2.descriptor]);
    await expectStatus(await putManifest(reg.url, repo, 'multi', index, MT.ociIndex), 201);
    const sig = await pushArtifact(reg.url, repo, child1.descriptor, 'application/vnd.example.sig');
    await expectStatus(sig.response, 201);
    const loose = await pushImage(reg.url, repo); // by digest: untagged
    const looseSig = await pushArtifact(reg.url, repo, loose.descriptor, 'application/vnd.example.sig');
    await expectStatus(looseSig.response, 201);
    const looseIndex = ociIndex([loose.descriptor]);
    await expectStatus(await putManifest(reg.url, repo, sha256(looseIndex), looseIndex, MT.ociIndex), 201);
    await tick();

    const withoutFlag = await store().gc();
    assert.equal(withoutFlag.manifestsDeleted, 0);
    const r = await store().gc({ deleteUntagged: true });
    assert.deepEqual(r.deleted.manifests.sort(), [`${repo}@${loose.digest}`, `${repo}@${looseSig.digest}`, `${repo}@${sha256(looseIndex)}`].sort());
    await pullsIntact(reg.url, repo, 'multi');
    await pullsIntact(reg.url, repo, sig.digest);
    await expectError(await fetch(`${reg.url}/v2/${repo}/manifests/${loose.digest}`, { headers: { Accept: ALL_MANIFEST_TYPES } }), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/${repo}/blobs/${loose.layers[0]!.digest}`), 404, 'BLOB_UNKNOWN');
    const referrers = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/${repo}/referrers/${loose.digest}`), 200)).toString()) as { manifests: unknown[] };
    assert.deepEqual(referrers.manifests, []);
  });

  it('prunes folders that earlier deletes left empty, in repositories where it deletes nothing', async () => {
    await pushImage(reg.url, 'gc/tidy', 'v1');
    const repo = `${v2Root(reg.root)}/repositories/gc/tidy`;
    const empty = [`${repo}/_uploads`, `${repo}/_manifests/revisions/sha512`, `${repo}/_layers/sha384`];
    for (const dir of empty) await mkdir(dir, { recursive: true });
    await tick();
    const r = await store().gc();
    assert.equal(r.blobsDeleted, 0, JSON.stringify(r));
    for (const dir of empty) assert.equal(await exists(dir), false, `${dir} pruned`);
    await pullsIntact(reg.url, 'gc/tidy', 'v1');
  });

  it('an old blob with a recent link is kept until the link is old too; a link directory without its link goes with its blob', async () => {
    const bytes = randomBytes(500);
    const d = await pushBlob(reg.url, 'gc/linked', bytes);
    const linkDir = `${v2Root(reg.root)}/repositories/gc/linked/_layers/sha256/${hexOf(d)}`;
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(blobPath(d), old, old);
    const kept = await store().gc({ gracePeriodMs: 60_000 });
    assert.ok(kept.blobsKeptRecent >= 1, JSON.stringify(kept));
    assert.equal(await exists(blobPath(d)), true, 'the link is recent: the blob stays');
    await utimes(`${linkDir}/link`, old, old);
    // Another repository's link directory that lost its link file (an interrupted delete).
    const strayDir = `${v2Root(reg.root)}/repositories/gc/stray/_layers/sha256/${hexOf(d)}`;
    await mkdir(strayDir, { recursive: true });
    const swept = await store().gc({ gracePeriodMs: 60_000 });
    assert.deepEqual(swept.deleted.blobs.filter((b) => b.digest === d).length, 1, JSON.stringify(swept));
    assert.equal(await exists(blobPath(d)), false);
    assert.equal(await exists(linkDir), false);
    assert.equal(await exists(strayDir), false);
  });

  it('a manifest pushed mid-sweep that references blobs about to be deleted keeps them', async () => {
    const repo = 'gc/race';
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: randomBytes(4).toString('hex') }));
    const layer = randomBytes(2048);
    await pushBlob(reg.url, repo, config);
    await pushBlob(reg.url, repo, layer);
    await tick();
    const manifest = ociManifest(descriptorOf(MT.ociConfig, config), [descriptorOf(MT.ociLayer, layer)]);
    let push: Promise<unknown> | undefined;
    const r = await store().gc({
      // Every candidate waits for the push, which the first one starts: the sweep works several
      // prefixes at once, so both blobs are unreferenced, and still there, when it lands.
      beforeDelete: () => {
        push ??= putManifest(reg.url, repo, 'racer', manifest, MT.ociManifest).then((res) => expectStatus(res, 201));
        return push.then(() => {});
      },
    });
    assert.ok(push);
    assert.equal(r.blobsKeptInUse, 2, JSON.stringify(r));
    await pullsIntact(reg.url, repo, 'racer');
    // Once referenced, the next GC marks them.
    await tick();
    assert.equal((await store().gc()).deleted.blobs.filter((b) => b.digest === sha256(layer)).length, 0);
    await pullsIntact(reg.url, repo, 'racer');
  });

  it('a mount and an upload of the same content mid-sweep keep the blob', async () => {
    const bytes = randomBytes(4096);
    const digest = await pushBlob(reg.url, 'gc/source', bytes);
    const other = randomBytes(1024);
    const otherDigest = await pushBlob(reg.url, 'gc/source', other);
    await tick();
    const r = await store().gc({
      beforeDelete: async (d) => {
        if (d === digest) {
          const mount = await fetch(`${reg.url}/v2/gc/mounted/blobs/uploads/?mount=${digest}&from=gc/source`, { method: 'POST' });
          await expectStatus(mount, 201);
        } else if (d === otherDigest) {
          await pushBlob(reg.url, 'gc/reupload', other);
        }
      },
    });
    assert.equal(r.blobsKeptInUse, 2, JSON.stringify(r));
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/gc/mounted/blobs/${digest}`), 200)).equals(bytes));
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/gc/reupload/blobs/${otherDigest}`), 200)).equals(other));
  });

  it('runs one at a time, and the debug endpoint serves reports to loopback only', async () => {
    const first = store().gc({ dryRun: true });
    await assert.rejects(store().gc({ dryRun: true }), /already running/);
    await assert.rejects(store().fsck(), /already running/);
    await first;
  });
});
