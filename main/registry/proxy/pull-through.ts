// The pull-through cache as a ContentSource over the local store.
//
// - Names in berth.proxy.localnamespaces have no route: they are served from the local store
//   only and the upstream is never asked about them (so they work with the upstream down).
// - Every other name resolves upstream-first: a tag is revalidated with a HEAD to the upstream
//   (not a download) and served from the cache when the digest is unchanged, or when the
//   upstream is unreachable, rate-limited or refusing us and the tag came from it. A tag that
//   did not come from the upstream (pushed under an upstream name by an older Berth, which
//   accepted pushes anywhere) never stands in for the upstream's: a push must not change what an
//   upstream name resolves to.
// - Content by digest that is cached is served without asking the upstream.
// - A cached tag on the kept-warm list (warm-mirror.ts) is served without asking the upstream:
//   only the mirror moves it, once the new image is here completely (warm-fetch.ts, through the
//   methods marked for it below).
// - A missing blob is streamed to the first client while it is written to the cache, and is
//   committed only after its digest verifies. The last chunk is held back until the digest is
//   checked, so a client never receives a complete-looking wrong blob; it does not wait for the
//   cache's copy to be synced. Concurrent requests for the same blob share the one download.
//   HEAD never downloads; a Range on a miss is served once the blob is in.
import { pipeline, Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Logger } from '../../lib/logger';
import type { BlobSource, ContentSource } from '../content-source';
import { digestOf } from '../digest';
import { blobUnknown, manifestUnknown, RegistryError } from '../errors';
import { MediaTypes, parseManifest } from '../manifest/parse-manifest';
import { parseDigest, type Digest, type Reference } from '../reference';
import type { StoredManifest } from '../storage/manifest-store';
import type { RegistryStore } from '../storage/registry-store';
import type { CacheState } from './cache-state';
import { LiveBody } from './live-body';
import { UpstreamUnreachableError, upstreamError } from './upstream-client';
import type { Route, UpstreamRouter } from './upstream-router';

const ACCEPT = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerList, MediaTypes.dockerManifest].join(', ');

export class PullThrough implements ContentSource {
  private readonly downloads = new Map<string, Promise<void>>();
  /** The upstream bodies of the downloads in flight, for a stop that cannot wait for them. */
  private readonly bodies = new Set<Readable>();
  private stopped = false;
  /** Tags the kept-warm mirror moves (warm-mirror.ts); a pull never moves them itself. */
  private keptWarm: (name: string, tag: string) => boolean = () => false;

  constructor(
    private readonly store: RegistryStore,
    private readonly router: UpstreamRouter,
    private readonly cache: CacheState,
    private readonly log: Logger,
  ) {}

  /**
   * Hands the tags of the kept-warm list to the mirror: once cached, such a tag is served as
   * cached without asking the upstream, because the mirror moves it only after fetching the new
   * image completely, and a pull that moved it would point it at an index whose other platforms
   * are not here yet.
   */
  leaveTagsTo(keptWarm: (name: string, tag: string) => boolean): void {
    this.keptWarm = keptWarm;
  }

  // HEAD and GET behave alike: a miss must fetch the manifest to know its type and size.
  async manifest(name: string, ref: Reference): Promise<StoredManifest> {
    const route = this.router.route(name);
    if (!route) return this.store.manifests.get(name, ref);
    if (ref.kind === 'digest') {
      if (await this.store.manifests.revision(name, ref.digest)) return this.local(name, ref, route);
      this.cache.misses++;
      return this.fetchManifest(name, route, ref.digest.value, ref.digest);
    }
    const local = await this.store.tags.resolve(name, ref.tag);
    const cached = local && this.cache.cachedTag(name, ref.tag) !== undefined ? local : undefined;
    if (cached && this.keptWarm(name, ref.tag)) return this.local(name, ref, route);
    let upstreamDigest: string | undefined;
    try {
      upstreamDigest = await this.headManifest(route, ref.tag);
    } catch (err) {
      if (cached) {
        this.log.warn('upstream unavailable; serving cached tag', { name, tag: ref.tag, error: (err as Error).message });
        return this.local(name, ref, route);
      }
      throw toClientError(err);
    }
    if (!upstreamDigest) {
      if (cached) {
        // Upstream no longer has the tag: the cached copy would be stale.
        this.cache.dropTagsOf(name, cached.value);
        await this.store.tags.delete(name, ref.tag);
      }
      throw manifestUnknown(name, ref.tag);
    }
    if (local?.value === upstreamDigest && (await this.store.manifests.revision(name, local))) {
      // A legacy pushed tag that happens to match the upstream follows it from now on.
      if (!cached) this.cache.setCachedTag(name, ref.tag, upstreamDigest);
      return this.local(name, ref, route);
    }
    this.cache.misses++;
    const m = await this.fetchManifest(name, route, upstreamDigest, parseDigest(upstreamDigest));
    await this.store.tags.set(name, ref.tag, parseDigest(m.digest)!);
    this.cache.setCachedTag(name, ref.tag, m.digest);
    return m;
  }

  async blob(name: string, digest: Digest, head: boolean): Promise<BlobSource> {
    const info = await this.store.blobs.resolve(name, digest);
    const route = this.router.route(name);
    if (info) {
      if (route && this.cache.isCached(name, digest.value)) {
        this.cache.hits++;
        this.cache.touch(name, digest.value, 'blob', info.size, route.ttlMs);
      }
      return { size: info.size, open: (range) => this.store.blobs.open(info.canonical, range) };
    }
    if (!route) throw blobUnknown(digest.value);
    const inflight = this.downloads.get(`${name}@${digest.value}`);
    if (inflight) return this.afterDownload(name, digest, inflight);
    this.cache.misses++;
    if (head) return { size: await this.headBlob(route, digest), open: () => Promise.reject(new Error('HEAD has no body')) };
    return this.startDownload(name, route, digest).source;
  }

  // ---- for the kept-warm mirror (warm-fetch.ts), which fetches whole images ahead of clients ----

  /** The digest the upstream's tag points at now; undefined when the upstream has no such tag. */
  async upstreamTag(name: string, tag: string): Promise<string | undefined> {
    return this.headManifest(this.requireRoute(name), tag);
  }

  /** A manifest by digest: the stored one when it is here, else the upstream's, verified but not stored yet. */
  async peekManifest(name: string, digest: Digest): Promise<StoredManifest & { stored: boolean }> {
    if (await this.store.manifests.revision(name, digest)) return { ...(await this.store.manifests.get(name, { kind: 'digest', digest })), stored: true };
    return { ...(await this.downloadManifest(name, this.requireRoute(name), digest.value, digest)), stored: false };
  }

  /**
   * Stores a manifest from peekManifest once what it references is here: the store checks that
   * (under the GC guard) unless `partial` (an index kept for some of its platforms only).
   */
  async keepManifest(name: string, m: StoredManifest, partial: boolean): Promise<void> {
    await this.keep(name, this.requireRoute(name), m, partial);
  }

  /** Makes sure a blob is in the store (downloading it once, verified, as for a client); its size. */
  async fill(name: string, digest: Digest): Promise<number> {
    const info = await this.store.blobs.resolve(name, digest);
    if (info) return info.size;
    const route = this.requireRoute(name);
    const inflight = this.downloads.get(`${name}@${digest.value}`);
    if (inflight) await inflight;
    else {
      const { source, done } = this.startDownload(name, route, digest);
      source.catch(() => undefined); // its failure is done's too, awaited here
      await done;
    }
    return (await this.store.blobs.require(name, digest)).size;
  }

  /** Points a tag at a manifest already in the store, as a tag that follows the upstream. */
  async followTag(name: string, tag: string, digest: Digest): Promise<void> {
    await this.store.tags.set(name, tag, digest);
    this.cache.setCachedTag(name, tag, digest.value);
  }

  private requireRoute(name: string): Route {
    const route = this.router.route(name);
    if (!route) throw new RegistryError('name-unknown', `no upstream serves ${name} (a local namespace, or no upstream for its prefix)`, { name });
    return route;
  }

  async tags(name: string): Promise<string[]> {
    const route = this.router.route(name);
    const local = await this.store.tags.list(name).catch((err) => {
      if (err instanceof RegistryError && err.kind === 'name-unknown') return undefined;
      throw err;
    });
    if (!route) {
      if (!local) throw new RegistryError('name-unknown', undefined, { name });
      return local;
    }
    // Only tags that came from the upstream are listed with its own (see manifest()).
    const followed = local?.filter((t) => this.cache.cachedTag(name, t) !== undefined);
    let remote: string[] = [];
    try {
      const res = await route.upstream.request('GET', `/v2/${route.remoteName}/tags/list`, { scope: scope(route) });
      if (res.status === 200) remote = ((JSON.parse(await res.text()) as { tags?: string[] }).tags ?? []);
      else await res.text().catch(() => undefined);
    } catch (err) {
      if (!(err instanceof UpstreamUnreachableError)) throw err;
    }
    if (!followed?.length && remote.length === 0) throw new RegistryError('name-unknown', undefined, { name });
    return [...new Set([...(followed ?? []), ...remote])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  isCachedRepo(name: string): boolean {
    return this.cache.isCachedRepo(name);
  }

  private async local(name: string, ref: Reference, route: Route): Promise<StoredManifest> {
    const m = await this.store.manifests.get(name, ref);
    if (this.cache.isCached(name, m.digest)) {
      this.cache.hits++;
      this.cache.touch(name, m.digest, 'manifest', m.bytes.length, route.ttlMs);
      // Docker skips layers it already has, so the blobs of a pulled manifest count as pulled
      // too; otherwise a layer could expire under a manifest that is still in use.
      for (const d of referencedDigests(m)) this.cache.refresh(name, d, route.ttlMs);
    }
    return m;
  }

  private async headManifest(route: Route, tag: string): Promise<string | undefined> {
    const res = await route.upstream.request('HEAD', `/v2/${route.remoteName}/manifests/${tag}`, { scope: scope(route), headers: { Accept: ACCEPT } });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw upstreamError(res.status, res.headers, `HEAD manifest ${route.remoteName}:${tag}`);
    const digest = res.headers.get('docker-content-digest');
    if (digest && parseDigest(digest)) return digest;
    // Some registries omit the digest on HEAD: fall back to a GET (as distribution's client does).
    const get = await route.upstream.request('GET', `/v2/${route.remoteName}/manifests/${tag}`, { scope: scope(route), headers: { Accept: ACCEPT } });
    if (get.status !== 200) throw upstreamError(get.status, get.headers, `GET manifest ${route.remoteName}:${tag}`);
    return digestOf('sha256', Buffer.from(await get.arrayBuffer()));
  }

  private async fetchManifest(name: string, route: Route, reference: string, expected: Digest | undefined): Promise<StoredManifest> {
    const m = await this.downloadManifest(name, route, reference, expected);
    await this.keep(name, route, m, true);
    return this.store.manifests.get(name, { kind: 'digest', digest: parseDigest(m.digest)! });
  }

  /** GETs a manifest from the upstream and checks its digest; stores nothing. */
  private async downloadManifest(name: string, route: Route, reference: string, expected: Digest | undefined): Promise<StoredManifest> {
    let res;
    try {
      res = await route.upstream.request('GET', `/v2/${route.remoteName}/manifests/${reference}`, { scope: scope(route), headers: { Accept: ACCEPT } });
    } catch (err) {
      throw toClientError(err);
    }
    if (res.status === 404) {
      await res.text().catch(() => undefined);
      throw manifestUnknown(name, reference);
    }
    if (res.status !== 200) throw upstreamError(res.status, res.headers, `GET manifest ${route.remoteName}@${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = expected ?? parseDigest(digestOf('sha256', bytes))!;
    if (digestOf(digest.algorithm, bytes) !== digest.value) {
      throw new RegistryError('unavailable', `upstream sent a manifest that does not match ${digest.value}`);
    }
    return { digest: digest.value, mediaType: res.headers.get('content-type') ?? '', bytes };
  }

  private async keep(name: string, route: Route, m: StoredManifest, skipReferenceCheck: boolean): Promise<void> {
    const digest = parseDigest(m.digest)!;
    await this.store.manifests.put(name, { kind: 'digest', digest }, m.bytes, m.mediaType || undefined, { skipReferenceCheck });
    this.cache.touch(name, digest.value, 'manifest', m.bytes.length, route.ttlMs);
  }

  private async headBlob(route: Route, digest: Digest): Promise<number> {
    let res;
    try {
      res = await route.upstream.request('HEAD', `/v2/${route.remoteName}/blobs/${digest.value}`, { scope: scope(route) });
    } catch (err) {
      throw toClientError(err);
    }
    if (res.status === 404) throw blobUnknown(digest.value);
    if (res.status !== 200) throw upstreamError(res.status, res.headers, `HEAD blob ${digest.value}`);
    return Number(res.headers.get('content-length') ?? 0);
  }

  /**
   * Starts the one download of a missing blob. It is registered before anything is awaited, so
   * a request for the same blob that arrives while the upstream is still answering joins it
   * instead of starting a second download.
   */
  private startDownload(name: string, route: Route, digest: Digest): { source: Promise<BlobSource>; done: Promise<void> } {
    const key = `${name}@${digest.value}`;
    const first = this.download(name, route, digest);
    const done = first.then((d) => d.done);
    this.downloads.set(key, done);
    done.catch((err) => this.log.warn('proxy download failed', { name, digest: digest.value, error: String(err) }))
      .finally(() => this.downloads.delete(key));
    return { source: first.then((d) => d.source), done };
  }

  /**
   * Waits until no download is in flight, for at most `maxMs`, then fails the ones left. A first
   * client has its bytes before the cache's copy is committed, so a stop right after a pull must
   * wait for that commit before the store closes; but an upstream that stalls mid-body must not
   * hold the stop up for good, nor keep its connection after it.
   */
  async settle(maxMs: number): Promise<void> {
    // Called once no request can start another download (the API is closed, the mirror stopped).
    const inFlight = Promise.allSettled([...this.downloads.values()]);
    if (await within(inFlight, maxMs)) return;
    // The rest fail now, rather than commit into a closed store whenever their upstream goes on,
    // and their connections close (the desktop app's process lives on after a stop). A download
    // whose answer has not started yet meets the flag when it does.
    this.stopped = true;
    for (const body of this.bodies) body.destroy(new Error('the registry stopped before the upstream sent the whole blob'));
    await within(inFlight, maxMs);
  }

  /** Opens the upstream body; `done` settles once the blob is verified and committed (or failed). */
  private async download(name: string, route: Route, digest: Digest): Promise<{ source: BlobSource; done: Promise<void> }> {
    let res;
    try {
      res = await route.upstream.request('GET', `/v2/${route.remoteName}/blobs/${digest.value}`, { scope: scope(route), bulk: true });
    } catch (err) {
      throw toClientError(err);
    }
    if (res.status === 404) {
      await res.text().catch(() => undefined);
      throw blobUnknown(digest.value);
    }
    if (res.status !== 200) {
      await res.text().catch(() => undefined);
      throw upstreamError(res.status, res.headers, `GET blob ${digest.value}`);
    }
    const size = Number(res.headers.get('content-length') ?? NaN);
    const body = res.body()!;
    if (this.stopped) {
      body.destroy();
      throw new RegistryError('unavailable', 'the registry is stopping');
    }
    this.bodies.add(body);
    const live = new LiveBody();
    let liveWanted = false;
    let started = false;
    const tee = holdLastChunk((chunk) => {
      started = true;
      return liveWanted ? live.deliver(chunk) : undefined;
    });
    let verified = false;
    // Verified: release the held-back last chunk. The first client has the right bytes now and
    // does not wait for the cache's copy to be synced and linked (later requests do, via done).
    const release = () => {
      verified = true;
      if (liveWanted) live.finish(tee.last ?? undefined);
    };
    // The read buffers can be reused once the cache file and the first client (if any) are both
    // done with their bytes; until each has said so, its count is 0 and nothing is reused.
    let stored = () => 0;
    const sweep = res.recycle?.(() => Math.min(stored(), !liveWanted ? (started ? Infinity : 0) : live.sent));
    // An upstream that fails mid-body (a cut connection) fails the copy through the pipeline, and
    // is the upstream's failure (503), not Berth's. With a plain pipe its error had no listener
    // and took the process down.
    let cut: Error | undefined;
    body.once('error', (err: Error) => (cut = err));
    const done = (async () => {
      const id = await this.store.uploads.create(name);
      try {
        await this.store.uploads.commit(name, id, digest, pipeline(body, tee, () => undefined), undefined, { onVerified: release, onStoring: (s) => (stored = s) });
      } catch (err) {
        // A failed write leaves the body unread: close the upstream connection too.
        body.destroy();
        await this.store.uploads.cancel(name, id).catch(() => undefined);
        throw cut ? new RegistryError('unavailable', `upstream error: GET blob ${digest.value}: ${cut.message}`) : err;
      }
      this.cache.touch(name, digest.value, 'blob', tee.total, route.ttlMs);
    })().finally(() => this.bodies.delete(body));
    // A download that fails before its bytes verify cuts the first client's body short: it never
    // sees a complete wrong blob. Once they verified, the client's copy is whole and right.
    done.catch((err: unknown) => {
      if (!verified) live.fail(err instanceof Error ? err : new Error(String(err)));
    });
    if (sweep) {
      // When the download is over: liveWanted can no longer change, and a client's body ends
      // only after its last write completed.
      void done.catch(() => undefined).then(() => (liveWanted ? finished(live).catch(() => undefined) : undefined)).then(sweep);
    }

    if (!Number.isFinite(size)) return { source: await this.afterDownload(name, digest, done), done };
    const source: BlobSource = {
      size,
      open: (range) => {
        const whole = (range?.start ?? 0) === 0 && (range?.end === undefined || range.end >= size - 1);
        if (whole && !started) {
          liveWanted = true;
          return Promise.resolve(live);
        }
        return this.afterDownload(name, digest, done).then((b) => b.open(range));
      },
    };
    return { source, done };
  }

  private async afterDownload(name: string, digest: Digest, download: Promise<void>): Promise<BlobSource> {
    await download;
    const info = await this.store.blobs.require(name, digest);
    return { size: info.size, open: (range) => this.store.blobs.open(info.canonical, range) };
  }
}

/** Whether `p` settled within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([p.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)))]);
  clearTimeout(timer);
  return settled;
}

function referencedDigests(m: StoredManifest): string[] {
  try {
    const p = parseManifest(m.bytes, m.mediaType);
    return [p.config, ...p.layers].filter((d) => d !== undefined).map((d) => d.digest.value);
  } catch {
    return [];
  }
}

function scope(route: Route): string {
  return `repository:${route.remoteName}:pull`;
}

function toClientError(err: unknown): unknown {
  if (err instanceof UpstreamUnreachableError) return new RegistryError('unavailable', err.message);
  return err;
}

/**
 * A pass-through that also hands each chunk to `onChunk` one chunk late, so the last chunk is
 * kept back (in `last`) until the caller knows the whole body is good.
 */
function holdLastChunk(onChunk: (chunk: Buffer) => Promise<void> | undefined): Transform & { last: Buffer | undefined; total: number } {
  let pending: Buffer | undefined;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.total += chunk.length;
      const prev = pending;
      pending = chunk;
      const wait = prev ? onChunk(prev) : undefined;
      if (wait) wait.then(() => cb(null, chunk), cb);
      else cb(null, chunk);
    },
    flush(cb) {
      t.last = pending;
      cb();
    },
  }) as Transform & { last: Buffer | undefined; total: number };
  t.total = 0;
  t.last = undefined;
  return t;
}
