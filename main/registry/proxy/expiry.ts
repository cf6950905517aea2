// Removes cached content that was not pulled within its TTL, and the least recently pulled
// content when the cache is over its size cap. Unlike registry:3 it works whether or not
// storage.delete.enabled is set, and it never removes what something else still uses: a blob
// keeps its link while a pushed manifest of the same repository references it, and its data
// while any other repository links it.
import type { Logger } from '../../lib/logger';
import { parseManifest } from '../manifest/parse-manifest';
import { parseDigest, type Digest } from '../reference';
import { readLink } from '../storage/links';
import { paths } from '../storage/paths';
import type { RegistryStore } from '../storage/registry-store';
import type { CacheEntry, CacheState } from './cache-state';

export class CacheExpiry {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: RegistryStore,
    private readonly cache: CacheState,
    private readonly maxBytes: number,
    private readonly log: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.run(), intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass: expired entries first, then the size cap. Runs are never concurrent. */
  run(now = Date.now()): Promise<void> {
    this.running ??= this.pass(now).catch((err) => this.log.warn('proxy cache expiry failed', { error: String(err) })).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(now: number): Promise<void> {
    // On a shared bucket, judge by every node's pulls, not only this one's.
    await this.cache.sync();
    const expired = this.cache.expired(now);
    const overCap = this.maxBytes > 0 && this.cache.cachedBytes() > this.maxBytes;
    if (expired.length === 0 && !overCap) return;
    // Deleting blobs is maintenance like GC: it runs as a guarded session so that a push of the
    // same content at the same moment keeps its blob (storage/gc-guard.ts). GC has priority.
    const guard = this.store.blobs.guard;
    if (guard.active) return;
    await guard.begin();
    try {
      await this.expire(expired);
    } finally {
      guard.end();
      // What was removed is recorded at once, not with the next batch: other nodes sharing the
      // bucket must not go on listing it as cached.
      await this.cache.save();
    }
  }

  private async expire(expired: CacheEntry[]): Promise<void> {
    // Manifests before blobs, so a blob's last cached user is gone when the blob is judged.
    for (const e of expired.filter((x) => x.kind === 'manifest')) await this.removeManifest(e);
    for (const e of expired.filter((x) => x.kind === 'blob')) await this.removeBlob(e);
    if (this.maxBytes > 0) {
      for (const e of this.cache.blobsByAge()) {
        if (this.cache.cachedBytes() <= this.maxBytes) break;
        await this.removeBlob(e);
      }
    }
    if (expired.length > 0) this.log.info('proxy cache expired content', { entries: expired.length });
  }

  private async removeManifest(e: CacheEntry): Promise<void> {
    const digest = parseDigest(e.digest);
    this.cache.forget(e.repo, e.digest);
    if (!digest) return;
    const pushedTags = (await this.store.tags.tagsOf(e.repo, digest)).filter((t) => this.cache.cachedTag(e.repo, t) === undefined);
    if (pushedTags.length > 0) return; // a pushed tag makes it the user's own content
    // Links are read from disk and the revision removed without the stores' checks: their
    // reads would protect the digest from this session (storage/gc-guard.ts).
    const canonical = await readLink(this.store.driver, paths.revisionLink(e.repo, digest));
    for (const tag of await this.store.tags.tagsOf(e.repo, digest)) await this.store.tags.delete(e.repo, tag);
    this.cache.dropTagsOf(e.repo, e.digest);
    await this.store.manifests.removeRevision(e.repo, digest);
    if (!canonical) return;
    for (const repo of await this.store.catalog.all()) {
      if (await readLink(this.store.driver, paths.revisionLink(repo, digest))) return; // another repository has it too
    }
    await this.removeData(canonical);
  }

  private async removeBlob(e: CacheEntry): Promise<void> {
    const digest = parseDigest(e.digest);
    this.cache.forget(e.repo, e.digest);
    if (!digest) return;
    if (await this.pushedManifestUses(e.repo, e.digest)) return;
    await this.store.blobs.unlink(e.repo, digest);
    for (const repo of await this.store.catalog.all()) {
      if (repo !== e.repo && (await readLink(this.store.driver, paths.layerLink(repo, digest)))) return; // shared: keep the data
    }
    await this.removeData(digest);
  }

  /** Deletes blob data unless something touched it during this session (then it stays). */
  private async removeData(digest: Digest): Promise<void> {
    const release = this.store.blobs.guard.claim(digest.value);
    if (!release) return;
    try {
      await this.store.blobs.remove(digest);
    } finally {
      release();
    }
  }

  /** Whether a manifest of `repo` that was pushed (not cached) references `digest`. */
  private async pushedManifestUses(repo: string, digest: string): Promise<boolean> {
    for (const rev of await this.store.manifests.listRevisions(repo)) {
      if (this.cache.isCached(repo, rev.value)) continue;
      try {
        const m = await this.store.manifests.get(repo, { kind: 'digest', digest: rev });
        const p = parseManifest(m.bytes, m.mediaType);
        if ([p.config, ...p.layers].some((d) => d?.digest.value === digest)) return true;
      } catch {
        // An unreadable manifest cannot vouch for anything.
      }
    }
    return false;
  }
}
