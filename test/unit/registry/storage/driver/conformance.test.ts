// Runs the shared driver conformance suite against every driver Berth ships.
import { rm } from 'node:fs/promises';
import { DirectApply } from '../../../../../main/registry/storage/driver/direct-apply';
import { FilesystemDriver } from '../../../../../main/registry/storage/driver/filesystem';
import { InMemoryDriver } from '../../../../../main/registry/storage/driver/inmemory';
import { describeStorageDriver } from '../../../../conformance/storage-driver.suite';
import { tempDir } from '../../../../support/cleanup';

describeStorageDriver('filesystem', async () => {
  const dir = await tempDir('berth-fsdriver-');
  const driver = new FilesystemDriver({ rootdirectory: dir });
  return {
    driver,
    cleanup: async () => {
      await driver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

/** Never direct: the journal's applies go through the thread pool, as after a slow one. */
class ThreadPoolApply extends DirectApply {
  override run(): boolean {
    return false;
  }
}

describeStorageDriver('filesystem (journal applied through the thread pool)', async () => {
  const dir = await tempDir('berth-fsdriver-');
  const driver = new FilesystemDriver({ rootdirectory: dir, directApply: new ThreadPoolApply() });
  return {
    driver,
    cleanup: async () => {
      await driver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeStorageDriver('filesystem (per-file syncs, no journal)', async () => {
  const dir = await tempDir('berth-fsdriver-');
  return {
    driver: new FilesystemDriver({ rootdirectory: dir, journal: false }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeStorageDriver('filesystem (sync off)', async () => {
  const dir = await tempDir('berth-fsdriver-');
  return {
    driver: new FilesystemDriver({ rootdirectory: dir, sync: false }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeStorageDriver('inmemory', async () => ({
  driver: new InMemoryDriver(),
  cleanup: async () => undefined,
}));
