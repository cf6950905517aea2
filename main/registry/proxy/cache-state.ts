// What the pull-through cache knows about its content: which manifests, blobs and tags came
// from an upstream (as opposed to being pushed here), when each was last pulled, and when it
// expires. Kept in memory and saved as one JSON file at the storage root (distribution keeps
// its scheduler-state.json there too), rewritten atomically when changed and on shutdown, so
// the expiry schedule survives restarts. Nodes sharing one bucket keep it in Redis instead
// (SharedCacheBackend below), since each would rewrite that one file from its own memory.
import type { Logger } from '../../lib/logger';
import { isNotFound } from '../storage/driver/errors';
import type { StorageDriver } from '../storage/driver/types';
import type { SharedHash } from '../storage/shared-state';

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

/**
 * Where nodes sharing one bucket keep this state instead of the file (two Redis hashes, from
 * storage/shared-state.ts): each node writes only what it changed and reads everyone's back, so
 * no node overwrites another's schedule.
 */
export interface SharedCacheBackend {
  entries: SharedHash;
  tags: SharedHash;
}

async function readShared(b: SharedCacheBackend): Promise<{ entries: CacheEntry[]; tags: Array<[string, string]> }> {
  const [entries, tags] = await Promise.all([b.entries.all(), b.tags.all()]);
  return { entries: [...entries.values()].map((v) => JSON.parse(v) as CacheEntry), tags: [...tags] };
}

async function writeShared(b: SharedCacheBackend, c: { entries: CacheEntry[]; removedEntries: string[]; tags: Array<[string, string]>; removedTags: string[] }): Promise<void> {
  await Promise.all([
    b.entries.write(c.entries.map((e) => [key(e.repo, e.digest), JSON.stringify(e)]), c.removedEntries),
    b.tags.write(c.tags, c.removedTags),
  ]);
}

export class CacheState {
  private readonly entries = new Map<string, CacheEntry>();
  /** `repo:tag` → digest for tags that follow the upstream. */
  private readonly tags = new Map<string, string>();
  private dirty = false;
  /** Keys changed since the last save: what a shared backend is sent. */
  private readonly changedEntries = new Set<string>();
  private readonly changedTags = new Set<string>();
  private pinned: (repo: string, digest: string) => boolean = () => false;
  private timer: NodeJS.Timeout | undefined;
  hits = 0;
  misses = 0;

  constructor(private readonly driver: StorageDriver, private readonly log: Logger, private readonly shared?: SharedCacheBackend) {}

  /**
   * Content the kept-warm list holds (warm-mirror.ts): neither the TTL nor the size cap removes
   * it while it is listed, so it never comes back from `expired()` or `blobsByAge()`.
   */
  pinWith(pinned: (repo: string, digest: string) => boolean): void {
    this.pinned = pinned;
  }

  async load(): Promise<void> {
    const fromFile = await this.readFile();
    if (this.shared) {
      const fresh = await readShared(this.shared);
      // The first shared start of a store one node used to serve: its schedule moves to Redis.
      if (fresh.entries.length === 0 && fresh.tags.length === 0 && fromFile) {
        await writeShared(this.shared, { entries: fromFile.entries ?? [], removedEntries: [], tags: fromFile.tags ?? [], removedTags: [] });
      } else {
        this.replace(fresh.entries, fresh.tags);
      }
    }
    if (!this.shared || this.entries.size + this.tags.size === 0) this.replace(fromFile?.entries ?? [], fromFile?.tags ?? []);
    this.timer = setInterval(() => void (this.shared ? this.sync() : this.save()), SAVE_EVERY_MS).unref();
  }

  private async readFile(): Promise<Persisted | undefined> {
    try {
      return JSON.parse((await this.driver.getContent(CACHE_STATE_PATH)).toString('utf8')) as Persisted;
    } catch (err) {
      if (!isNotFound(err)) this.log.warn('proxy cache state unreadable; starting empty', { error: String(err) });
      return undefined;
    }
  }

  private replace(entries: readonly CacheEntry[], tags: ReadonlyArray<[string, string]>): void {
    this.entries.clear();
    this.tags.clear();
    for (const e of entries) this.entries.set(key(e.repo, e.digest), e);
    for (const [k, v] of tags) this.tags.set(k, v);
  }

  /**
   * With nodes sharing the bucket: sends this node's changes and takes everyone's state back.
   * What changed here while that ran stays as this node has it (and goes out with the next sync).
   */
  async sync(): Promise<void> {
    if (!this.shared) return;
    await this.save();
    const fresh = await readShared(this.shared).catch((err: unknown) => {
      this.log.warn('proxy cache state not read from Redis', { error: String(err) });
      return undefined;
    });
    if (!fresh) return;
    const keptEntries = [...this.changedEntries].map((k) => [k, this.entries.get(k)] as const);
    const keptTags = [...this.changedTags].map((k) => [k, this.tags.get(k)] as const);
    this.replace(fresh.entries, fresh.tags);
    for (const [k, e] of keptEntries) if (e) this.entries.set(k, e); else this.entries.delete(k);
    for (const [k, d] of keptTags) if (d !== undefined) this.tags.set(k, d); else this.tags.delete(k);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.save();
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const entryKeys = [...this.changedEntries];
    const tagKeys = [...this.changedTags];
    this.changedEntries.clear();
    this.changedTags.clear();
    try {
      if (this.shared) {
        await writeShared(this.shared, {
          entries: entryKeys.flatMap((k) => this.entries.get(k) ?? []),
          removedEntries: entryKeys.filter((k) => !this.entries.has(k)),
          tags: tagKeys.flatMap((k) => (this.tags.has(k) ? [[k, this.tags.get(k)!] as [string, string]] : [])),
          removedTags: tagKeys.filter((k) => !this.tags.has(k)),
        });
      } else {
        const data: Persisted = { version: 1, entries: [...this.entries.values()], tags: [...this.tags] };
        await this.driver.putContent(CACHE_STATE_PATH, Buffer.from(JSON.stringify(data)));
      }
    } catch (err) {
      this.dirty = true;
      for (const k of entryKeys) this.changedEntries.add(k);
      for (const k of tagKeys) this.changedTags.add(k);
      this.log.warn('proxy cache state not saved', { error: String(err) });
    }
  }

  private changedEntry(k: string): void {
    this.changedEntries.add(k);
    this.dirty = true;
  }

  private changedTag(k: string): void {
    this.changedTags.add(k);
    this.dirty = true;
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
    this.changedEntry(key(repo, digest));
  }

  isCached(repo: string, digest: string): boolean {
    return this.entries.has(key(repo, digest));
  }

  forget(repo: string, digest: string): void {
    if (this.entries.delete(key(repo, digest))) this.changedEntry(key(repo, digest));
  }

  cachedTag(repo: string, tag: string): string | undefined {
    return this.tags.get(`${repo}:${tag}`);
  }

  setCachedTag(repo: string, tag: string, digest: string): void {
    this.tags.set(`${repo}:${tag}`, digest);
    this.changedTag(`${repo}:${tag}`);
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
    this.changedEntry(key(repo, digest));
  }

  /**
   * Forgets everything recorded for repositories `isLocal` claims (berth.proxy.localnamespaces):
   * their content becomes the user's own, so it is never revalidated, expired or evicted. Run at
   * start, for content a name had before its namespace was listed as local. Returns how many
   * entries and tags were released.
   */
  release(isLocal: (repo: string) => boolean): number {
    let n = 0;
    for (const [k, e] of this.entries) if (isLocal(e.repo)) { this.entries.delete(k); this.changedEntry(k); n++; }
    for (const k of this.tags.keys()) if (isLocal(k.slice(0, k.lastIndexOf(':')))) { this.tags.delete(k); this.changedTag(k); n++; }
    return n;
  }

  dropTagsOf(repo: string, digest: string): void {
    for (const [k, d] of this.tags) {
      if (d === digest && k.startsWith(repo + ':')) {
        this.tags.delete(k);
        this.changedTag(k);
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
