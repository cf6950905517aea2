// The kept-warm mirror (proxy mode): the upstream images listed in berth.proxy.warm.images, which
// Berth fetches before any client asks, refreshes on a schedule and keeps while they are listed.

/** Why the last refresh of an entry failed. */
export type WarmFailure = 'upstream-down' | 'rate-limited' | 'not-found' | 'denied' | 'failed';

export interface WarmEntry {
  /** `name:tag`, as listed. */
  image: string;
  /** `os/architecture[/variant]`; empty means every platform. */
  platforms: string[];
  /** The digest the local tag points at; absent until the first complete fetch. */
  digest?: string;
  /** Bytes of the cached image (every chosen platform's manifests, configs and layers). */
  bytes: number;
  /** ISO time of the last successful refresh. */
  lastRefresh?: string;
  /** The last attempt's failure; absent when it succeeded. The cached image stays either way. */
  lastError?: {
    reason: WarmFailure;
    message: string;
    /** ISO time. */
    at: string;
    /** ISO time before which the upstream asked not to be asked again (429 Retry-After). */
    retryAfter?: string;
  };
  /** A refresh of this entry is running now. */
  refreshing: boolean;
}

export interface WarmList {
  /** False when the registry is not a proxy: the list then does nothing. */
  proxy: boolean;
  /** berth.proxy.warm.interval in ms; 0 = refreshed only when asked. */
  intervalMs: number;
  entries: WarmEntry[];
}

export interface WarmMethods {
  'warm.list': { args: Record<string, never>; result: WarmList };
  /** Refreshes one listed image (`name:tag`) or all of them now; resolves when done. */
  'warm.fetchNow': { args: { image?: string }; result: WarmList };
}
