// The volume sync helper: a real `sh` running the real `sync -f`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VolumeSyncer } from '../../../../../main/registry/storage/driver/volume-syncer';
import { tempDir } from '../../../../support/cleanup';

test('syncs the volume on request, answers concurrent requests in turn, and fails loudly for a missing root', async () => {
  const root = await tempDir('berth-syncer-');
  const syncer = new VolumeSyncer(root);
  assert.equal(await syncer.sync(), true);
  assert.deepEqual(await Promise.all([syncer.sync(), syncer.sync(), syncer.sync()]), [true, true, true]);
  syncer.close();
  // Started again after a close.
  assert.equal(await syncer.sync(), true);
  syncer.close();

  const missing = new VolumeSyncer(`${root}/not-there`);
  await assert.rejects(missing.sync(), /sync -f .*not-there failed/);
  missing.close();
});
