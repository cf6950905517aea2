// Tags: `_manifests/tags/<tag>/current/link` says where a tag points; `index/` keeps its
// history (distribution's GC and RemoveManifest read it). Reads are cached per repository and
// the cache is updated on every write that goes through this process. Writes and cache fills of
// one tag are serialised: two pushes of the same tag racing could otherwise leave the cache on
// one manifest and current/link on the other, and a restart would move the tag.
import { KeyedLock } from '../../lib/keyed-lock';
import { DIGEST_BYTES, Lru, stringBytes } from '../../lib/lru';
import { CACHE_BUDGET, type CacheBudget } from './cache-budget';
import { nameUnknown } from '../errors';
import type { Digest } from '../reference';
import { isNotFound } from './driver/errors';
import type { StorageChange, StorageDriver } from './driver/types';
import { deleteIfExists, linkChange, listIfExists, readLink } from './links';
import { paths } from './paths';

export class TagStore {
  // Bounded in bytes: a push fills them too, and a list can hold 100,000 tags.
  private readonly current: Lru<string, Digest>;
  private readonly lists: Lru<string, string[]>;
  private readonly lock = new KeyedLock();
  /** Off when other nodes write the store too (cache-budget.ts): then a read is just a read. */
  private readonly caching: boolean;

  constructor(private readonly driver: StorageDriver, budget: CacheBudget = CACHE_BUDGET) {
    this.current = new Lru(budget.tagCurrent, (key) => stringBytes(key) + DIGEST_BYTES);
    this.lists = new Lru(budget.tagLists, (name, tags) => tags.reduce((n, t) => n + stringBytes(t), stringBytes(name)));
    this.caching = budget.tagCurrent > 0;
  }

  async resolve(name: string, tag: string): Promise<Digest | undefined> {
    // The lock below only keeps a read from caching what a write replaces; with no cache,
    // taking it would make concurrent pulls of one tag wait for each other's reads.
    if (!this.caching) return readLink(this.driver, paths.tagCurrent(name, tag));
    const key = `${name}:${tag}`;
    const hit = this.current.get(key);
    if (hit) return hit;
    // Under the tag's lock, so a read that started before a write cannot cache the old digest.
    return this.lock.run(key, async () => {
      const filled = this.current.get(key);
      if (filled) return filled;
      const d = await readLink(this.driver, paths.tagCurrent(name, tag));
      if (d) this.current.set(key, d);
      return d;
    });
  }

  /** Points `tag` at `digest`, committing `before` (what the manifest needs) in the same commit, first. */
  async set(name: string, tag: string, digest: Digest, before: readonly StorageChange[] = []): Promise<void> {
    const key = `${name}:${tag}`;
    await this.lock.run(key, async () => {
      // History first, current last: a crash in between leaves the tag where it was.
      await this.driver.commit([
        ...before,
        linkChange(paths.tagIndexLink(name, tag, digest), digest.value),
        linkChange(paths.tagCurrent(name, tag), digest.value),
      ]);
      this.current.set(key, digest);
    });
    const l = this.lists.get(name);
    if (l && !l.includes(tag)) this.lists.set(name, insertSorted(l, tag));
  }

  /** Removes one tag and only that tag. */
  async delete(name: string, tag: string): Promise<boolean> {
    const key = `${name}:${tag}`;
    const removed = await this.lock.run(key, async () => {
      this.current.delete(key);
      return deleteIfExists(this.driver, paths.tagDir(name, tag));
    });
    const l = this.lists.get(name);
    if (l) this.lists.set(name, l.filter((t) => t !== tag));
    return removed;
  }

  /** All tags, byte-order sorted. NAME_UNKNOWN when the repository has no tags directory. */
  async list(name: string): Promise<string[]> {
    const hit = this.lists.get(name);
    if (hit) return hit;
    let names: string[];
    try {
      names = await this.driver.list(paths.tagsDir(name));
    } catch (err) {
      if (isNotFound(err)) throw nameUnknown(name);
      throw err;
    }
    const tags = names.filter((n) => !n.endsWith('.tmp')).sort(byteOrder);
    this.lists.set(name, tags);
    return tags;
  }

  /** Tags whose current link points at `digest`. */
  async tagsOf(name: string, digest: Digest): Promise<string[]> {
    const out: string[] = [];
    for (const tag of await listIfExists(this.driver, paths.tagsDir(name))) {
      const d = await this.resolve(name, tag);
      if (d?.value === digest.value) out.push(tag);
    }
    return out;
  }

  forgetRepository(name: string): void {
    this.lists.delete(name);
    this.current.deleteWhere((k) => k.startsWith(name + ':'));
  }
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function insertSorted(list: string[], item: string): string[] {
  const out = [...list, item];
  out.sort(byteOrder);
  return out;
}
