// Removes cached content that was not pulled within its TTL, and the least recently pulled
// content when the cache is over its size cap. Unlike registry:3 it works whether or not
// storage.delete.enabled is set, and it never removes what something else still uses: a blob
// keeps its link while a pushed manifest of the same repository references it, and its data
// while any other repository links it.
import type { Logger } from '../../lib/logger';
import { parseManifest } from '../manifest/parse-manifest';
import { parseDigest } from '../reference';
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
    const expired = this.cache.expired(now);
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
    this.cache.dropTagsOf(e.repo, e.digest);
    const canonical = await this.store.manifests.revision(e.repo, digest);
    await this.store.manifests.delete(e.repo, digest).catch(() => undefined);
    if (!canonical) return;
    for (const repo of this.store.catalog.all()) {
      if (await this.store.manifests.revision(repo, digest)) return; // another repository has it too
    }
    await this.store.blobs.remove(canonical);
  }

  private async removeBlob(e: CacheEntry): Promise<void> {
    const digest = parseDigest(e.digest);
    this.cache.forget(e.repo, e.digest);
    if (!digest) return;
    if (await this.pushedManifestUses(e.repo, e.digest)) return;
    await this.store.blobs.unlink(e.repo, digest);
    for (const repo of this.store.catalog.all()) {
      if (repo !== e.repo && (await this.store.blobs.resolve(repo, digest))) return; // shared: keep the data
    }
    await this.store.blobs.remove(digest);
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
