// Assembles proxy mode: the upstream router, the cache state, the pull-through source and the
// expiry loop. Nothing here contacts an upstream at start, so Berth starts (and serves its
// cache) with no upstream reachable — registry:3 refuses to start then.
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import type { RegistryStore } from '../storage/registry-store';
import { CacheState } from './cache-state';
import { CacheExpiry } from './expiry';
import { PullThrough } from './pull-through';
import { UpstreamRouter } from './upstream-router';

export interface ProxyMode {
  content: PullThrough;
  router: UpstreamRouter;
  cache: CacheState;
  expiry: CacheExpiry;
  close(): Promise<void>;
}

export function isProxy(config: RegistryConfig): boolean {
  return config.proxy !== undefined || config.berth.proxy.upstreams.length > 0;
}

export async function startProxyMode(config: RegistryConfig, store: RegistryStore, log: Logger): Promise<ProxyMode> {
  const router = new UpstreamRouter(config, log);
  const cache = new CacheState(store.driver, log);
  await cache.load();
  // Content cached under a name before its namespace was listed as local is the user's now.
  const released = cache.release((name) => router.isLocal(name));
  if (released > 0) log.info('proxy cache: content in local namespaces is no longer treated as cached', { entries: released });
  const content = new PullThrough(store, router, cache, log);
  const expiry = new CacheExpiry(store, cache, config.berth.proxy.maxsizeBytes, log);
  const ttls = [config.proxy?.ttlMs ?? 0, ...config.berth.proxy.upstreams.map((u) => u.ttlMs)].filter((t) => t > 0);
  // Check often enough that content goes within about half a TTL of expiring (1 s to 1 min).
  const every = Math.min(60_000, Math.max(1000, Math.min(...ttls, Infinity) / 2));
  expiry.start(every);
  void expiry.run(); // entries that expired while Berth was stopped
  return {
    content, router, cache, expiry,
    async close() {
      expiry.stop();
      await cache.close();
    },
  };
}
