// fsck over a real store: clean after pushes; damage made by hand on disk is found by path and
// classified; --repair removes what it may (never a valid blob), and the store checks clean after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { expectStatus, hexOf, pushBlob, pushImage, sha256, v2Root } from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

const exists = (p: string) => stat(p).then(() => true, () => false);
const old = new Date(Date.now() - 3600_000);

describe('fsck', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });
  const v2 = () => v2Root(reg.root);
  const blobData = (d: string) => `${v2()}/blobs/sha256/${hexOf(d).slice(0, 2)}/${hexOf(d)}/data`;

  it('a store written by pushes checks clean', async () => {
    await pushImage(reg.url, 'fsck/clean', 'v1');
    await pushImage(reg.url, 'fsck/clean', 'v2', { docker: true });
    const r = await reg.registry.store.fsck();
    assert.equal(r.errors, 0, JSON.stringify(r.problems));
    assert.equal(r.leftovers, 0, JSON.stringify(r.problems));
    assert.ok(r.blobs >= 7 && r.manifests === 2 && r.tags === 2, JSON.stringify(r));
  });

  it('finds damage by path, and --repair fixes what it may, keeping every valid blob', async () => {
    const repo = 'fsck/damaged';
    const img = await pushImage(reg.url, repo, 'good');
    const repoDir = `${v2()}/repositories/${repo}`;
    // 1. A corrupt blob, linked but not referenced by a manifest.
    const corruptBytes = randomBytes(500);
    const corrupt = await pushBlob(reg.url, repo, corruptBytes);
    await writeFile(blobData(corrupt), randomBytes(500));
    // 2. A dangling layer link.
    const gone = sha256('never stored');
    await mkdir(`${repoDir}/_layers/sha256/${hexOf(gone)}`, { recursive: true });
    await writeFile(`${repoDir}/_layers/sha256/${hexOf(gone)}/link`, gone);
    // 3. A tag naming a manifest that is not there.
    await mkdir(`${repoDir}/_manifests/tags/ghost/current`, { recursive: true });
    await writeFile(`${repoDir}/_manifests/tags/ghost/current/link`, sha256('no manifest'));
    // 4. An empty (torn) link, as registry:2 could leave.
    const torn = await pushBlob(reg.url, repo, randomBytes(64));
    await writeFile(`${repoDir}/_layers/sha256/${hexOf(torn)}/link`, '');
    // 5. Leftovers: an abandoned temp file and an upload without startedat.
    const tmp = `${repoDir}/_manifests/tags/good/current/link.0123456789ab.tmp`;
    await writeFile(tmp, 'sha256:');
    await utimes(tmp, old, old);
    const upload = `${repoDir}/_uploads/7d0c3a34-0c43-4a55-9d35-9f4c1f6f2c11`;
    await mkdir(upload, { recursive: true });
    await writeFile(`${upload}/data`, 'partial');
    await utimes(upload, old, old);

    const r = await reg.registry.store.fsck();
    const kinds = r.problems.map((p) => `${p.severity}:${p.kind}`).sort();
    assert.deepEqual(kinds, [
      'error:blob-corrupt', 'error:link-dangling', 'error:link-to-corrupt-blob', 'error:link-unreadable', 'error:tag-dangling',
      'leftover:temp-file', 'leftover:upload-incomplete',
    ], JSON.stringify(r.problems, null, 1));
    const byKind = (k: string) => r.problems.find((p) => p.kind === k)!;
    assert.match(byKind('blob-corrupt').path, new RegExp(`${hexOf(corrupt)}/data$`));
    assert.match(byKind('tag-dangling').path, /_manifests\/tags\/ghost\/current\/link$/);
    assert.equal(r.errors, 5);
    assert.equal(r.repaired, 0);

    const fixed = await reg.registry.store.fsck({ repair: true });
    assert.equal(fixed.repaired, 7, JSON.stringify(fixed.problems, null, 1));
    assert.ok(fixed.problems.every((p) => p.repaired));
    assert.equal(await exists(blobData(corrupt)), false, 'the corrupt blob went');
    assert.equal(await exists(tmp), false);
    assert.equal(await exists(upload), false);
    for (const d of [img.config.digest, ...img.layers.map((l) => l.digest), img.digest, torn]) {
      assert.equal(await exists(blobData(d)), true, `valid blob ${d} kept`);
    }
    const after = await reg.registry.store.fsck();
    assert.equal(after.errors + after.leftovers, 0, JSON.stringify(after.problems));
    // The image still pulls, the ghost tag is gone, and the corrupt content can be pushed again.
    await expectStatus(await fetch(`${reg.url}/v2/${repo}/manifests/good`), 200);
    await expectStatus(await fetch(`${reg.url}/v2/${repo}/manifests/ghost`), 404);
    await pushBlob(reg.url, repo, corruptBytes);
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/${repo}/blobs/${corrupt}`), 200)).equals(corruptBytes));
  });

  it('a manifest whose blob link is gone is an error repair cannot fix', async () => {
    const img = await pushImage(reg.url, 'fsck/broken', 'x');
    await rm(`${v2()}/repositories/fsck/broken/_layers/sha256/${hexOf(img.layers[0]!.digest)}`, { recursive: true });
    const r = await reg.registry.store.fsck({ repair: true });
    assert.equal(r.errors, 1);
    assert.equal(r.problems[0]!.kind, 'manifest-blob-missing');
    assert.equal(r.problems[0]!.repaired, false);
  });
});
