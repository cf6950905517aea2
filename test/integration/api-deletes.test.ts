// end-9 (manifest and tag deletes) and end-10 (blob deletes), and what
// storage.delete.enabled: false does to each of them (405 UNSUPPORTED).
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { expectError, expectStatus, hexOf, pushBlob, pushImage, putManifest, sha256, startUpload, v2Root } from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function tagList(url: string, repo: string): Promise<string[]> {
  return (JSON.parse((await expectStatus(await fetch(`${url}/v2/${repo}/tags/list`), 200)).toString()) as { tags: string[] }).tags;
}

describe('deletes', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('deleting one tag keeps another tag that points to the same digest', async () => {
    const img = await pushImage(reg.url, 'del/tags', 'one');
    await expectStatus(await putManifest(reg.url, 'del/tags', 'two', img.manifest, img.mediaType), 201);
    const del = await fetch(`${reg.url}/v2/del/tags/manifests/one`, { method: 'DELETE' });
    await expectStatus(del, 202);
    await expectError(await fetch(`${reg.url}/v2/del/tags/manifests/one`), 404, 'MANIFEST_UNKNOWN');
    const two = await fetch(`${reg.url}/v2/del/tags/manifests/two`);
    assert.ok((await expectStatus(two, 200)).equals(img.manifest));
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/del/tags/manifests/${img.digest}`), 200)).equals(img.manifest));
    assert.deepEqual(await tagList(reg.url, 'del/tags'), ['two']);
    const tagsDir = `${v2Root(reg.root)}/repositories/del/tags/_manifests/tags`;
    assert.equal(await exists(`${tagsDir}/one`), false);
    assert.equal(await exists(`${tagsDir}/two/current/link`), true);
    // The revision stays.
    assert.equal(await exists(`${v2Root(reg.root)}/repositories/del/tags/_manifests/revisions/sha256/${hexOf(img.digest)}/link`), true);
  });

  it('deleting an unknown tag is 404 MANIFEST_UNKNOWN', async () => {
    await pushImage(reg.url, 'del/unknown', 'x');
    await expectError(await fetch(`${reg.url}/v2/del/unknown/manifests/nope`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/del/unknown/manifests/${sha256('nope')}`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/never/was/manifests/x`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
  });

  it('deleting a manifest by digest removes the revision and the tags that point at it, not other tags', async () => {
    const a = await pushImage(reg.url, 'del/digest', 'a');
    await expectStatus(await putManifest(reg.url, 'del/digest', 'a2', a.manifest, a.mediaType), 201);
    const b = await pushImage(reg.url, 'del/digest', 'b');
    await expectStatus(await fetch(`${reg.url}/v2/del/digest/manifests/${a.digest}`, { method: 'DELETE' }), 202);
    await expectError(await fetch(`${reg.url}/v2/del/digest/manifests/${a.digest}`), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/del/digest/manifests/a`), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/del/digest/manifests/a2`), 404, 'MANIFEST_UNKNOWN');
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/del/digest/manifests/b`), 200)).equals(b.manifest));
    assert.deepEqual(await tagList(reg.url, 'del/digest'), ['b']);
    // The revision link is gone; the blobs stay for garbage collection.
    const repo = `${v2Root(reg.root)}/repositories/del/digest`;
    assert.equal(await exists(`${repo}/_manifests/revisions/sha256/${hexOf(a.digest)}/link`), false);
    // The layers stay served: only the manifest went.
    assert.equal((await fetch(`${reg.url}/v2/del/digest/blobs/${a.layers[0]!.digest}`, { method: 'HEAD' })).status, 200);
    // Deleting again is a 404.
    await expectError(await fetch(`${reg.url}/v2/del/digest/manifests/${a.digest}`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    // It can be pushed again.
    await expectStatus(await putManifest(reg.url, 'del/digest', 'again', a.manifest, a.mediaType), 201);
  });

  it('deleting a blob unlinks it from this repository only (202, then 404 BLOB_UNKNOWN)', async () => {
    const bytes = Buffer.from('shared blob content');
    const d = await pushBlob(reg.url, 'del/blob-a', bytes);
    await pushBlob(reg.url, 'del/blob-b', bytes);
    const del = await fetch(`${reg.url}/v2/del/blob-a/blobs/${d}`, { method: 'DELETE' });
    await expectStatus(del, 202);
    assert.equal(del.headers.get('content-length'), '0');
    await expectError(await fetch(`${reg.url}/v2/del/blob-a/blobs/${d}`), 404, 'BLOB_UNKNOWN');
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/del/blob-b/blobs/${d}`), 200)).equals(bytes));
    assert.equal(await exists(`${v2Root(reg.root)}/repositories/del/blob-a/_layers/sha256/${hexOf(d)}/link`), false);
    await expectError(await fetch(`${reg.url}/v2/del/blob-a/blobs/${d}`, { method: 'DELETE' }), 404, 'BLOB_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/del/blob-a/blobs/sha256:bad`, { method: 'DELETE' }), 400, 'DIGEST_INVALID');
  });
});

describe('deletes with storage.delete.enabled: false', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry({ deleteEnabled: false }); });
  after(async () => { await reg.stop(); });

  it('manifest by tag, manifest by digest and blob deletes are 405 UNSUPPORTED and change nothing', async () => {
    const img = await pushImage(reg.url, 'nodel/repo', 'v1');
    for (const path of [
      '/v2/nodel/repo/manifests/v1',
      `/v2/nodel/repo/manifests/${img.digest}`,
      `/v2/nodel/repo/blobs/${img.layers[0]!.digest}`,
    ]) {
      await expectError(await fetch(`${reg.url}${path}`, { method: 'DELETE' }), 405, 'UNSUPPORTED');
    }
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/nodel/repo/manifests/v1`), 200)).equals(img.manifest));
    assert.ok((await expectStatus(await fetch(`${reg.url}/v2/nodel/repo/blobs/${img.layers[0]!.digest}`), 200)).equals(img.layers[0]!.bytes));
  });

  it('cancelling an upload is still allowed', async () => {
    const loc = await startUpload(reg.url, 'nodel/upload');
    await expectStatus(await fetch(loc, { method: 'DELETE' }), 204);
  });
});
