// Assembles proxy mode: the upstream router, the cache state, the pull-through source, the
// expiry loop and the kept-warm mirror. Nothing here waits for an upstream at start, so Berth
// starts (and serves its cache) with no upstream reachable — registry:3 refuses to start then;
// only the kept-warm mirror contacts one, in the background.
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import type { RegistryStore } from '../storage/registry-store';
import { CacheState } from './cache-state';
import { CacheExpiry } from './expiry';
import { PullThrough } from './pull-through';
import { UpstreamRouter } from './upstream-router';
import { fetchWarmImage } from './warm-fetch';
import { WarmMirror } from './warm-mirror';
import { WarmState } from './warm-state';

export interface ProxyMode {
  content: PullThrough;
  router: UpstreamRouter;
  cache: CacheState;
  expiry: CacheExpiry;
  warm: WarmMirror;
  close(): Promise<void>;
}

/**
 * How long a stop waits for the downloads in flight to be committed to the cache; those still
 * running then are failed, and waited for at most as long again while they cancel.
 */
const SETTLE_MS = 5000;

export function isProxy(config: RegistryConfig): boolean {
  return config.proxy !== undefined || config.berth.proxy.upstreams.length > 0;
}

/**
 * `background: false` (berth sync offline) starts neither the expiry loop nor the kept-warm
 * schedule: the command then changes only what it is asked to fetch.
 */
export async function startProxyMode(config: RegistryConfig, store: RegistryStore, log: Logger, opts: { background?: boolean } = {}): Promise<ProxyMode> {
  const router = new UpstreamRouter(config, log);
  // Nodes sharing a bucket keep the schedule in Redis, each writing only what it changed.
  const cache = new CacheState(store.driver, log, store.shared ? { entries: store.shared.hash('proxy-entries'), tags: store.shared.hash('proxy-tags') } : undefined);
  await cache.load();
  // Content cached under a name before its namespace was listed as local is the user's now.
  const released = cache.release((name) => router.isLocal(name));
  if (released > 0) log.info('proxy cache: content in local namespaces is no longer treated as cached', { entries: released });
  const content = new PullThrough(store, router, cache, log);
  // Loaded before the first expiry pass below, so listed content is spared from the start.
  const { images, intervalMs } = config.berth.proxy.warm;
  const warmState = new WarmState(store.driver, log);
  await warmState.load(images.map((i) => `${i.name}:${i.tag}`));
  const warm = new WarmMirror(images, intervalMs, warmState, (img, onContent) => fetchWarmImage(content, img, onContent), log);
  cache.pinWith((repo, digest) => warm.isPinned(repo, digest));
  content.leaveTagsTo((name, tag) => warm.isListedTag(name, tag));
  const expiry = new CacheExpiry(store, cache, config.berth.proxy.maxsizeBytes, log);
  const ttls = [config.proxy?.ttlMs ?? 0, ...config.berth.proxy.upstreams.map((u) => u.ttlMs)].filter((t) => t > 0);
  // Check often enough that content goes within about half a TTL of expiring (1 s to 1 min).
  const every = Math.min(60_000, Math.max(1000, Math.min(...ttls, Infinity) / 2));
  if (opts.background !== false) {
    expiry.start(every);
    void expiry.run(); // entries that expired while Berth was stopped
    warm.start();
  }
  return {
    content, router, cache, expiry, warm,
    async close() {
      await warm.stop();
      expiry.stop();
      await content.settle(SETTLE_MS);
      await cache.close();
    },
  };
}
