// Space per repository over real files in distribution's layout: a blob linked by two
// repositories counts in full in both and as shared, manifests count with layers, a link whose
// blob is gone counts nothing, a blob no repository links is unreferenced, and the rows come
// largest first.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { parseDigest } from '../../../../main/registry/reference';
import { FilesystemDriver } from '../../../../main/registry/storage/driver/filesystem';
import { writeLink } from '../../../../main/registry/storage/links';
import { paths } from '../../../../main/registry/storage/paths';
import { storageUsage } from '../../../../main/registry/storage/usage';
import { runCleanups, tempDir } from '../../../support/cleanup';

after(runCleanups);

async function blob(driver: FilesystemDriver, size: number, fill: string) {
  const bytes = Buffer.alloc(size, fill);
  const digest = parseDigest(`sha256:${createHash('sha256').update(bytes).digest('hex')}`)!;
  await driver.putContent(paths.blobData(digest), bytes);
  return digest;
}

test('bytes per repository, shared blobs, dangling links and unreferenced blobs', async () => {
  const driver = new FilesystemDriver({ rootdirectory: await tempDir('berth-usage-'), sync: false });
  const shared = await blob(driver, 100, 's');
  const big = await blob(driver, 1000, 'b');
  const manifest = await blob(driver, 50, 'm');
  await blob(driver, 7, 'o'); // no repository links it
  const missing = parseDigest(`sha256:${'e'.repeat(64)}`)!;

  await writeLink(driver, paths.layerLink('team/big', shared), shared.value);
  await writeLink(driver, paths.layerLink('team/big', big), big.value);
  await writeLink(driver, paths.layerLink('small', shared), shared.value);
  await writeLink(driver, paths.revisionLink('small', manifest), manifest.value);
  await writeLink(driver, paths.layerLink('dangling', missing), missing.value);

  const r = await storageUsage(driver, ['dangling', 'small', 'team/big', 'empty']);
  assert.deepEqual(r.repositories, [
    { name: 'team/big', bytes: 1100, sharedBytes: 100, blobs: 2 },
    { name: 'small', bytes: 150, sharedBytes: 100, blobs: 2 },
    { name: 'dangling', bytes: 0, sharedBytes: 0, blobs: 0 },
    { name: 'empty', bytes: 0, sharedBytes: 0, blobs: 0 },
  ]);
  assert.equal(r.blobs, 4);
  assert.equal(r.blobBytes, 100 + 1000 + 50 + 7, 'each blob on disk counted once');
  assert.equal(r.unreferencedBytes, 7, 'only the orphan');
});

test('an empty store', async () => {
  const driver = new FilesystemDriver({ rootdirectory: await tempDir('berth-usage-'), sync: false });
  assert.deepEqual(await storageUsage(driver, []), { repositories: [], blobBytes: 0, blobs: 0, unreferencedBytes: 0 });
});
