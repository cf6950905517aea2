// What a push leaves on disk (distribution's layout, main/registry/storage/paths.ts, so a volume
// moves to registry:2/3 and back) and that concurrent pushes of one blob or one tag are safe.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  MT, descriptorOf, expectStatus, hexOf, json, ociManifest, pushBlob, pushImage, putManifest, sha256, startUpload, v2Root, withDigest,
} from '../support/oci';
import { startTestRegistry, type TestRegistry } from '../support/registry';

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

const blobPath = (d: string) => `blobs/sha256/${hexOf(d).slice(0, 2)}/${hexOf(d)}/data`;

describe('on-disk layout', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('a pushed image is exactly distribution\'s files, and links hold the bare digest', async () => {
    const img = await pushImage(reg.url, 'lay/out', 'v1', { docker: true, layerCount: 2 });
    const root = v2Root(reg.root);
    const repo = 'repositories/lay/out';
    const expected = [
      blobPath(img.config.digest),
      ...img.layers.map((l) => blobPath(l.digest)),
      blobPath(img.digest),
      `${repo}/_layers/sha256/${hexOf(img.config.digest)}/link`,
      ...img.layers.map((l) => `${repo}/_layers/sha256/${hexOf(l.digest)}/link`),
      `${repo}/_manifests/revisions/sha256/${hexOf(img.digest)}/link`,
      `${repo}/_manifests/tags/v1/current/link`,
      `${repo}/_manifests/tags/v1/index/sha256/${hexOf(img.digest)}/link`,
    ].sort();
    // Completed uploads leave at most an empty _uploads directory, no files.
    const actual = (await files(root)).map((p) => relative(root, p)).sort();
    assert.deepEqual(actual, expected);

    for (const p of actual.filter((f) => f.endsWith('/link'))) {
      const text = await readFile(join(root, p), 'utf8');
      assert.match(text, /^sha256:[0-9a-f]{64}$/, `${p} holds ${JSON.stringify(text)}`);
    }
    assert.equal(await readFile(join(root, `${repo}/_layers/sha256/${hexOf(img.config.digest)}/link`), 'utf8'), img.config.digest);
    assert.equal(await readFile(join(root, `${repo}/_manifests/tags/v1/current/link`), 'utf8'), img.digest);
    assert.equal(await readFile(join(root, `${repo}/_manifests/revisions/sha256/${hexOf(img.digest)}/link`), 'utf8'), img.digest);
    assert.ok((await readFile(join(root, blobPath(img.digest)))).equals(img.manifest));
    assert.ok((await readFile(join(root, blobPath(img.layers[0]!.digest)))).equals(img.layers[0]!.bytes));
  });

  it('a retag adds to the tag index and moves current', async () => {
    const a = await pushImage(reg.url, 'lay/retag', 't');
    const b = await pushImage(reg.url, 'lay/retag', 't');
    const tagDir = `${v2Root(reg.root)}/repositories/lay/retag/_manifests/tags/t`;
    assert.equal(await readFile(`${tagDir}/current/link`, 'utf8'), b.digest);
    assert.deepEqual((await readdir(`${tagDir}/index/sha256`)).sort(), [hexOf(a.digest), hexOf(b.digest)].sort());
  });

  it('a mount writes only the layer link', async () => {
    const d = await pushBlob(reg.url, 'lay/src', randomBytes(50));
    await expectStatus(await fetch(`${reg.url}/v2/lay/dst/blobs/uploads/?mount=${d}&from=lay/src`, { method: 'POST' }), 201);
    const repoDir = `${v2Root(reg.root)}/repositories/lay/dst`;
    assert.deepEqual((await files(repoDir)).map((p) => relative(repoDir, p)), [`_layers/sha256/${hexOf(d)}/link`]);
    assert.equal(await readFile(`${repoDir}/_layers/sha256/${hexOf(d)}/link`, 'utf8'), d);
  });
});

describe('concurrent pushes', () => {
  let reg: TestRegistry;
  before(async () => { reg = await startTestRegistry(); });
  after(async () => { await reg.stop(); });

  it('the same blob pushed by many clients at once (chunked and monolithic) is stored once and intact', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const d = sha256(bytes);
    const chunked = async (repo: string) => {
      const loc = await startUpload(reg.url, repo);
      const half = bytes.length >> 1;
      const r1 = await fetch(loc, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${half - 1}` }, body: bytes.subarray(0, half) });
      await expectStatus(r1, 202);
      const put = await fetch(withDigest(loc, d), { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes.subarray(half) });
      await expectStatus(put, 201);
    };
    const mono = async (repo: string) => {
      const res = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/?digest=${d}`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
      await expectStatus(res, 201);
    };
    await Promise.all([
      ...Array.from({ length: 6 }, () => chunked('conc/blob')),
      ...Array.from({ length: 4 }, () => mono('conc/blob')),
      ...Array.from({ length: 3 }, (_, i) => chunked(`conc/blob${i}`)),
      ...Array.from({ length: 3 }, () => pushBlob(reg.url, 'conc/blob', bytes)),
    ]);
    for (const repo of ['conc/blob', 'conc/blob0', 'conc/blob1', 'conc/blob2']) {
      assert.ok((await expectStatus(await fetch(`${reg.url}/v2/${repo}/blobs/${d}`), 200)).equals(bytes), repo);
    }
    const root = v2Root(reg.root);
    const all = (await files(root)).map((p) => relative(root, p));
    assert.deepEqual(all.filter((p) => p.startsWith('blobs/')), [blobPath(d)]);
    assert.deepEqual(all.filter((p) => p.includes('/_uploads/') || p.endsWith('.tmp')), [], 'no uploads or temp files left');
    assert.ok((await readFile(join(root, blobPath(d)))).equals(bytes));
  });

  it('the same tag pushed concurrently with different manifests ends on one of them, consistently', async () => {
    const cfg = json({ os: 'linux' });
    await pushBlob(reg.url, 'conc/tag', cfg);
    const manifests = Array.from({ length: 12 }, (_, i) => ociManifest(descriptorOf(MT.ociConfig, cfg), [], { annotations: { n: String(i) } }));
    const results = await Promise.all(manifests.map((m) => putManifest(reg.url, 'conc/tag', 'race', m, MT.ociManifest)));
    for (const r of results) await expectStatus(r, 201);
    const res = await fetch(`${reg.url}/v2/conc/tag/manifests/race`);
    const body = await expectStatus(res, 200);
    const digest = res.headers.get('docker-content-digest')!;
    assert.equal(sha256(body), digest);
    assert.ok(manifests.some((m) => m.equals(body)));
    const tagDir = `${v2Root(reg.root)}/repositories/conc/tag/_manifests/tags/race`;
    assert.equal(await readFile(`${tagDir}/current/link`, 'utf8'), digest);
    assert.equal((await readdir(`${tagDir}/index/sha256`)).length, manifests.length);
    assert.deepEqual((await files(tagDir)).filter((p) => p.endsWith('.tmp')), []);
    // After a restart (no caches) the tag still resolves to the same manifest.
    await reg.restart();
    const again = await fetch(`${reg.url}/v2/conc/tag/manifests/race`);
    assert.ok((await expectStatus(again, 200)).equals(body));
    for (const m of manifests) {
      assert.ok((await expectStatus(await fetch(`${reg.url}/v2/conc/tag/manifests/${sha256(m)}`), 200)).equals(m));
    }
  });

  it('the same manifest pushed concurrently under many tags gives every tag', async () => {
    const img = await pushImage(reg.url, 'conc/many');
    const tags = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const results = await Promise.all(tags.map((t) => putManifest(reg.url, 'conc/many', t, img.manifest, img.mediaType)));
    for (const r of results) await expectStatus(r, 201);
    const list = JSON.parse((await expectStatus(await fetch(`${reg.url}/v2/conc/many/tags/list`), 200)).toString()) as { tags: string[] };
    assert.deepEqual(list.tags, tags);
  });
});
