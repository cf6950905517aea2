// The numbers on the home page that cost a walk: bytes under the storage root and the number
// of tags across repositories. Both are cached briefly, so a page that polls every few seconds
// does not walk a large tree each time.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eachLimited } from '../lib/each-limited';
import type { RegistryStore } from '../registry/storage/registry-store';

// Short enough that a push shows up on the next refresh of the home page.
const TTL_MS = 3_000;

export interface StorageStats { repositories: number; tags: number; storageBytes: number }

export class StorageStatsCache {
  private cached: { at: number; root: string; value: Promise<StorageStats> } | undefined;

  constructor(private readonly now = () => Date.now()) {}

  get(store: RegistryStore, root: string | undefined): Promise<StorageStats> {
    const c = this.cached;
    if (c && c.root === (root ?? '') && this.now() - c.at < TTL_MS) return c.value;
    const value = compute(store, root);
    this.cached = { at: this.now(), root: root ?? '', value };
    value.catch(() => { this.cached = undefined; });
    return value;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

async function compute(store: RegistryStore, root: string | undefined): Promise<StorageStats> {
  const names = await store.catalog.all();
  let tags = 0;
  await eachLimited(names, 16, async (name) => {
    tags += (await store.tags.list(name).catch(() => [])).length;
  });
  return { repositories: names.length, tags, storageBytes: root ? await directoryBytes(root) : 0 };
}

/** Sum of file sizes under `dir` (no symlinks followed). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return; // vanished meanwhile or unreadable: count what we can
    }
    await eachLimited(entries, 32, async (e) => {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) total += await lstat(p).then((s) => s.size, () => 0);
    });
  };
  await walk(dir);
  return total;
}
