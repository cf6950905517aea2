// The --scale bench's store generator writes a real store: the same bytes for the same seed,
// clean under Berth's own fsck (which re-hashes every blob and follows every link and tag), and
// served by distribution's docker-registry (catalog, tags, manifest and blob GETs), which proves
// the layout is distribution's and not merely what Berth would accept.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfig } from '../../../../main/config/load';
import { silentLogger } from '../../../../main/lib/logger';
import { openDriver } from '../../../../main/registry/registry';
import { RegistryStore } from '../../../../main/registry/storage/registry-store';
import {
  ContentSource, OCI_MANIFEST, TAGS_REPOSITORY, blobCount, catalogNames, generateStore, imageOf, repositoryName, tagImages, tagNames, type ScaleSpec,
} from '../../../../bench/scale/fixture';
import { runCleanups, tempDir } from '../../../support/cleanup';
import { startReferenceRegistry } from '../../../support/reference-registry';

// 1,001 repositories spread over two namespaces (1,000 per namespace), so the catalog crosses one.
const spec: ScaleSpec = { repositories: 1001, tags: 50, layersPerImage: 2, seed: 'unit' };

/** Every file under `dir` with the sha256 of its content, sorted: the whole tree in one value. */
async function treeDigest(dir: string): Promise<string> {
  const h = createHash('sha256');
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const files = entries.map((e) => path.join(e.parentPath, e.name)).sort();
  for (const f of files) h.update(`${path.relative(dir, f)} ${createHash('sha256').update(await readFile(f)).digest('hex')}\n`);
  return `${files.length} files ${h.digest('hex')}`;
}

describe('the scale fixture generator', () => {
  let root: string;
  before(async () => {
    root = path.join(await tempDir('berth-scale-'), 'registry');
    await generateStore(root, spec);
  });
  after(runCleanups);

  it('writes the same tree for the same seed, and another for another seed', async () => {
    const small = { ...spec, repositories: 20, tags: 5 };
    const [a, b, other] = [await tempDir('berth-scale-'), await tempDir('berth-scale-'), await tempDir('berth-scale-')];
    await generateStore(a, small);
    await generateStore(b, small);
    await generateStore(other, { ...small, seed: 'other' });
    assert.equal(await treeDigest(a), await treeDigest(b));
    assert.notEqual(await treeDigest(other), await treeDigest(a));
  });

  it("is a clean store for Berth's fsck, with every blob, manifest and tag counted", async () => {
    const config = defaultConfig(path.dirname(root));
    assert.equal(config.storage.filesystem.rootdirectory, root);
    const r = await new RegistryStore(await openDriver(config), config, silentLogger).fsck();
    assert.equal(r.errors, 0, JSON.stringify(r.problems.slice(0, 5)));
    assert.equal(r.leftovers, 0, JSON.stringify(r.problems.slice(0, 5)));
    assert.equal(r.repositories, spec.repositories + 1);
    assert.equal(r.blobs, blobCount(spec));
    assert.equal(r.manifests, spec.repositories + spec.tags);
    assert.equal(r.tags, spec.repositories + spec.tags);
  });

  it("is served by distribution's docker-registry: catalog, tags, manifests and blobs", async () => {
    const ref = await startReferenceRegistry({ root });
    try {
      const get = (p: string, headers: Record<string, string> = {}) => fetch(`${ref.url}${p}`, { headers });
      const catalog = await get('/v2/_catalog?n=1000');
      assert.equal(catalog.status, 200);
      const first = ((await catalog.json()) as { repositories: string[] }).repositories;
      const rest = ((await (await get(`/v2/_catalog?n=1000&last=${encodeURIComponent(first.at(-1)!)}`)).json()) as { repositories: string[] }).repositories;
      assert.deepEqual([...first, ...rest], catalogNames(spec));

      const tags = (await (await get(`/v2/${TAGS_REPOSITORY}/tags/list`)).json()) as { tags: string[] };
      // 2.8.2 lists tags in directory order (sorted only from 3.0 on).
      assert.deepEqual([...tags.tags].sort(), tagNames(spec));

      const src = new ContentSource(spec.seed);
      for (const i of [0, 999, 1000]) {
        const img = imageOf(src, spec, i);
        const m = await get(`/v2/${repositoryName(i)}/manifests/latest`, { accept: OCI_MANIFEST });
        assert.equal(m.status, 200, `${repositoryName(i)}: ${await m.clone().text()}`);
        assert.equal(m.headers.get('docker-content-digest'), img.manifest.digest);
        assert.deepEqual(Buffer.from(await m.arrayBuffer()), img.manifest.bytes);
        for (const b of [img.config, ...img.layers]) {
          const r = await get(`/v2/${repositoryName(i)}/blobs/${b.digest}`);
          assert.equal(r.status, 200);
          assert.deepEqual(Buffer.from(await r.arrayBuffer()), b.bytes);
        }
      }
      const t = tagImages(src, spec);
      const byTag = await get(`/v2/${TAGS_REPOSITORY}/manifests/${tagNames(spec)[42]}`, { accept: OCI_MANIFEST });
      assert.equal(byTag.headers.get('docker-content-digest'), t.manifests[42]!.digest);
    } finally {
      await ref.stop();
    }
  });
});
