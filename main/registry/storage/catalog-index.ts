// The repository list behind `_catalog`. distribution walks the whole tree on every request
// (O(directories) per page); Berth walks it once, in the background from the start, keeps a
// sorted array in memory, and updates it as manifests are pushed and repositories deleted. A background rescan (optional)
// picks up repositories written by another process sharing the volume.
import { drainStack } from '../../lib/each-limited';
import { RetriedOnce } from '../../lib/retried-once';
import type { Catalog } from './catalog';
import type { StorageDriver } from './driver/types';
import { isNotFound } from './driver/errors';
import { REPOSITORIES } from './paths';

/** distribution's ordering: component-wise, so "a/b" sorts before "a-b" ('/' sorts first). */
export function catalogOrder(a: string, b: string): number {
  const ka = a.replaceAll('/', '\u0000');
  const kb = b.replaceAll('/', '\u0000');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class CatalogIndex implements Catalog {
  private names: string[] = [];
  private readonly set = new Set<string>();
  /** The tree read in progress or done; every call that lists waits for it. */
  private readonly loading = new RetriedOnce(() => this.read());
  /** Names removed while the tree is read, which the read must not bring back. */
  private removedWhileLoading: Set<string> | undefined;

  constructor(private readonly driver: StorageDriver) {}

  get size(): number {
    return this.names.length;
  }

  /**
   * Reads the tree in the background (at start: with 100,000 repositories that takes seconds,
   * and the registry serves meanwhile). Names added and removed while it runs are kept as they
   * are; the calls that list wait for it. A failed read is tried again by the next such call.
   */
  load(): Promise<void> {
    return this.loading.start();
  }

  private async read(): Promise<void> {
    const removed = new Set<string>();
    this.removedWhileLoading = removed;
    try {
      for (const n of await this.scan()) if (!removed.has(n)) this.insert(n);
    } finally {
      if (this.removedWhileLoading === removed) this.removedWhileLoading = undefined;
    }
  }

  private ready(): Promise<void> {
    return this.loading.ready();
  }

  /**
   * Merges a fresh scan into the live index without losing names added meanwhile: new names
   * are added, and a missing name is dropped only if its `_manifests` is really gone.
   */
  async rescan(): Promise<void> {
    await this.ready();
    const found = new Set(await this.scan());
    for (const n of found) this.insert(n);
    for (const n of [...this.names]) {
      if (!found.has(n) && !(await isRepository(this.driver, n))) this.drop(n);
    }
  }

  private scan(): Promise<string[]> {
    return findRepositories(this.driver, '_manifests');
  }

  async has(name: string): Promise<boolean> {
    await this.ready();
    return this.set.has(name);
  }

  async add(name: string): Promise<void> {
    this.insert(name);
  }

  async remove(name: string): Promise<void> {
    this.drop(name);
  }

  private insert(name: string): void {
    this.removedWhileLoading?.delete(name);
    if (this.set.has(name)) return;
    this.set.add(name);
    const i = this.lowerBound(name);
    this.names.splice(i, 0, name);
  }

  private drop(name: string): void {
    this.removedWhileLoading?.add(name);
    if (!this.set.delete(name)) return;
    const i = this.lowerBound(name);
    if (this.names[i] === name) this.names.splice(i, 1);
  }

  /** Up to `n` names strictly after `last`, and whether more follow. */
  async page(n: number, last?: string): Promise<{ names: string[]; more: boolean }> {
    await this.ready();
    const start = last === undefined ? 0 : this.upperBound(last);
    const names = this.names.slice(start, start + n);
    return { names, more: start + n < this.names.length };
  }

  async all(): Promise<readonly string[]> {
    await this.ready();
    return this.names;
  }

  private lowerBound(name: string): number {
    let lo = 0, hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (catalogOrder(this.names[mid]!, name) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  private upperBound(name: string): number {
    let lo = 0, hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (catalogOrder(this.names[mid]!, name) <= 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}

/** Whether `name` still has `_manifests` (a walk that missed it may have raced a push). */
export async function isRepository(driver: StorageDriver, name: string): Promise<boolean> {
  try {
    await driver.stat(`${REPOSITORIES}/${name}/_manifests`);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * File system calls in flight in a walk over the store: the catalog's read at start, and GC or
 * fsck offline (a disk answers several at once, and each call waits for the thread pool).
 */
export const WALK_CONCURRENCY = 16;
/**
 * The same for GC and fsck while the registry serves: libuv's pool has four threads, and a walk
 * that keeps sixteen calls queued makes every pull wait behind them (measured: pull p99 during
 * an online GC 3-4x quiet at 16, where the target is at most 2x).
 */
export const SERVING_WALK_CONCURRENCY = 2;

/**
 * Walks `repositories/` for directories that contain `marker` (`_manifests` makes a repository
 * for the catalog; `_uploads` finds uploads to purge; GC and fsck pass all three). `_`-prefixed children are not descended.
 */
export async function findRepositories(driver: StorageDriver, marker: string | readonly string[]): Promise<string[]> {
  const markers = typeof marker === 'string' ? [marker] : marker;
  const found: string[] = [];
  // Folders are listed WALK_CONCURRENCY at a time (a disk answers several at once; one at a
  // time, 100,000 repositories took 19 s), and a child is listed without a stat first: a file
  // among them (rare) lists as not found.
  await drainStack<[dir: string, prefix: string]>([[REPOSITORIES, '']], WALK_CONCURRENCY, async ([dir, prefix], push) => {
    let children: string[];
    try {
      children = await driver.list(dir);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (prefix && markers.some((m) => children.includes(m))) found.push(prefix);
    for (const c of children) {
      if (!c.startsWith('_') && !c.endsWith('.tmp')) push([`${dir}/${c}`, prefix ? `${prefix}/${c}` : c]);
    }
  });
  return found.sort(catalogOrder);
}
