// storage.usage: space per repository (registry/storage/usage.ts) and the free space of the disk
// the storage root is on. Computed on each call: the Storage page asks when it opens and after a
// garbage collection, not on a timer.
import { statfs } from 'node:fs/promises';
import type { StorageUsage } from '../../preload/contract/storage';
import { storageUsage } from '../registry/storage/usage';
import { notRunning } from './errors';
import type { ControlDeps, Handlers } from './types';

export function storageHandlers(deps: ControlDeps): Handlers<'storage'> {
  return {
    'storage.usage': async () => {
      const r = deps.runtime.registry;
      if (!r) throw notRunning();
      const report = await storageUsage(r.store.driver, await r.store.catalog.all());
      const cached = (name: string) => r.proxy?.content.isCachedRepo(name) ?? false;
      const usage: StorageUsage = {
        repositories: report.repositories.map((row) => ({ ...row, cached: cached(row.name) })),
        totals: { blobBytes: report.blobBytes, blobs: report.blobs, unreferencedBytes: report.unreferencedBytes },
      };
      const config = deps.runtime.config;
      if (config.storage.driver === 'filesystem') {
        const path = config.storage.filesystem.rootdirectory;
        const fs = await statfs(path).catch(() => undefined);
        if (fs) usage.disk = { path, freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
      }
      return usage;
    },
  };
}
