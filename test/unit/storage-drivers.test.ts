// Runs the shared driver conformance suite against every driver Berth ships.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemDriver } from '../../main/registry/storage/driver/filesystem';
import { InMemoryDriver } from '../../main/registry/storage/driver/inmemory';
import { describeStorageDriver } from '../conformance/storage-driver.suite';

describeStorageDriver('filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fsdriver-'));
  return {
    driver: new FilesystemDriver({ rootdirectory: dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeStorageDriver('filesystem (sync off)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fsdriver-'));
  return {
    driver: new FilesystemDriver({ rootdirectory: dir, sync: false }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeStorageDriver('inmemory', async () => ({
  driver: new InMemoryDriver(),
  cleanup: async () => undefined,
}));
