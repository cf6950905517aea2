// What the pull-through cache knows about its content: which manifests, blobs and tags came
// from an upstream (as opposed to being pushed here), when each was last pulled, and when it
// expires. Kept in memory and saved as one JSON file at the storage root (distribution keeps
// its scheduler-state.json there too), rewritten atomically when changed and on shutdown, so
// the expiry schedule survives restarts.
import type { Logger } from '../../lib/logger';
import { isNotFound } from '../storage/driver/errors';
import type { StorageDriver } from '../storage/driver/types';

export const CACHE_STATE_PATH = '/berth/proxy-cache.json';
const SAVE_EVERY_MS = 5000;

export interface CacheEntry {
  repo: string;
  digest: string;
  kind: 'blob' | 'manifest';
  size: number;
  lastAccess: number;
  /** Epoch ms; 0 = never expires. */
  expires: number;
}

interface Persisted { version: 1; entries: CacheEntry[]; tags: Array<[string, string]> }

export class CacheState {
  private readonly entries = new Map<string, CacheEntry>();
  /** `repo:tag` → digest for tags that follow the upstream. */
  private readonly tags = new Map<string, string>();
  private dirty = false;
  private pinned: (repo: string, digest: string) => boolean = () => false;
  private timer: NodeJS.Timeout | undefined;
  hits = 0;
  misses = 0;

  constructor(private readonly driver: StorageDriver, private readonly log: Logger) {}

  /**
   * Content the kept-warm list holds (warm-mirror.ts): neither the TTL nor the size cap removes
   * it while it is listed, so it never comes back from `expired()` or `blobsByAge()`.
   */
  pinWith(pinned: (repo: string, digest: string) => boolean): void {
    this.pinned = pinned;
  }

  async load(): Promise<void> {
    try {
      const data = JSON.parse((await this.driver.getContent(CACHE_STATE_PATH)).toString('utf8')) as Persisted;
      for (const e of data.entries ?? []) this.entries.set(key(e.repo, e.digest), e);
      for (const [k, v] of data.tags ?? []) this.tags.set(k, v);
    } catch (err) {
      if (!isNotFound(err)) this.log.warn('proxy cache state unreadable; starting empty', { error: String(err) });
    }
    this.timer = setInterval(() => void this.save(), SAVE_EVERY_MS).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.save();
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const data: Persisted = { version: 1, entries: [...this.entries.values()], tags: [...this.tags] };
    try {
      await this.driver.putContent(CACHE_STATE_PATH, Buffer.from(JSON.stringify(data)));
    } catch (err) {
      this.dirty = true;
      this.log.warn('proxy cache state not saved', { error: String(err) });
    }
  }

  /** Records a pull (or a fill) of cached content, refreshing its expiry. */
  touch(repo: string, digest: string, kind: CacheEntry['kind'], size: number, ttlMs: number): void {
    const now = Date.now();
    const e = this.entries.get(key(repo, digest));
    const expires = ttlMs > 0 ? now + ttlMs : 0;
    if (e) {
      e.lastAccess = now;
      e.expires = expires;
    } else {
      this.entries.set(key(repo, digest), { repo, digest, kind, size, lastAccess: now, expires });
    }
    this.dirty = true;
  }

  isCached(repo: string, digest: string): boolean {
    return this.entries.has(key(repo, digest));
  }

  forget(repo: string, digest: string): void {
    if (this.entries.delete(key(repo, digest))) this.dirty = true;
  }

  cachedTag(repo: string, tag: string): string | undefined {
    return this.tags.get(`${repo}:${tag}`);
  }

  setCachedTag(repo: string, tag: string, digest: string): void {
    this.tags.set(`${repo}:${tag}`, digest);
    this.dirty = true;
    // Saved at once, not with the next batch: a crash before the save would leave this tag
    // looking pushed, and it would then never be revalidated or expire.
    void this.save();
  }

  /** Refreshes entries that exist (a pulled manifest keeps its cached layers alive). */
  refresh(repo: string, digest: string, ttlMs: number): void {
    const e = this.entries.get(key(repo, digest));
    if (!e) return;
    e.lastAccess = Date.now();
    e.expires = ttlMs > 0 ? e.lastAccess + ttlMs : 0;
    this.dirty = true;
  }

  /**
   * Forgets everything recorded for repositories `isLocal` claims (berth.proxy.localnamespaces):
   * their content becomes the user's own, so it is never revalidated, expired or evicted. Run at
   * start, for content a name had before its namespace was listed as local. Returns how many
   * entries and tags were released.
   */
  release(isLocal: (repo: string) => boolean): number {
    let n = 0;
    for (const [k, e] of this.entries) if (isLocal(e.repo)) { this.entries.delete(k); n++; }
    for (const k of this.tags.keys()) if (isLocal(k.slice(0, k.lastIndexOf(':')))) { this.tags.delete(k); n++; }
    if (n > 0) this.dirty = true;
    return n;
  }

  dropTagsOf(repo: string, digest: string): void {
    for (const [k, d] of this.tags) {
      if (d === digest && k.startsWith(repo + ':')) {
        this.tags.delete(k);
        this.dirty = true;
      }
    }
  }

  /** A repository shows as cached when something in it came from an upstream. */
  isCachedRepo(repo: string): boolean {
    for (const k of this.tags.keys()) if (k.startsWith(repo + ':')) return true;
    for (const e of this.entries.values()) if (e.repo === repo && e.kind === 'manifest') return true;
    return false;
  }

  expired(now = Date.now()): CacheEntry[] {
    return [...this.entries.values()].filter((e) => e.expires > 0 && e.expires <= now && !this.pinned(e.repo, e.digest));
  }

  /** Cached blobs the size cap may evict, least recently pulled first. */
  blobsByAge(): CacheEntry[] {
    return [...this.entries.values()].filter((e) => e.kind === 'blob' && !this.pinned(e.repo, e.digest)).sort((a, b) => a.lastAccess - b.lastAccess);
  }

  cachedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.kind === 'blob') n += e.size;
    return n;
  }

  manifestsOf(repo: string): CacheEntry[] {
    return [...this.entries.values()].filter((e) => e.repo === repo && e.kind === 'manifest');
  }
}

function key(repo: string, digest: string): string {
  return `${repo}@${digest}`;
}
