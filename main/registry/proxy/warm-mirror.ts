// The kept-warm mirror: the images of berth.proxy.warm.images, fetched before any client asks,
// refreshed every berth.proxy.warm.interval and on "Fetch now", and spared from the cache's TTL
// and size cap while listed (cache-state.ts asks `isPinned`).
//
// - Refreshes run one at a time, in list order: a mirror is there for slow or metered links.
// - A failed refresh changes nothing in the store: the image cached before stays, tagged, and
//   the failure is recorded (upstream down, rate limited, not found, denied). A failed entry is
//   tried again after RETRY_MS (or the interval, when shorter); a 429's Retry-After is honoured,
//   also by Fetch now, which then reports the rate limit instead of asking again.
// - At start, entries never fetched or due since the last run are fetched at once, in the
//   background: the registry serves (its cache, offline too) without waiting for them.
import type { WarmImageConfig } from '../../config/berth-section';
import type { Logger } from '../../lib/logger';
import type { WarmEntry, WarmFailure, WarmList } from '../../../preload/contract/warm';
import { RegistryError } from '../errors';
import type { WarmFetchResult } from './warm-fetch';
import type { WarmRecord, WarmState } from './warm-state';
import { UpstreamUnreachableError } from './upstream-client';

/** How soon a failed entry is tried again (unless the interval is shorter). */
export const RETRY_MS = 5 * 60_000;

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms).unref();
    return () => clearTimeout(t);
  },
};

export type WarmFetcher = (image: WarmImageConfig, onContent: (digest: string) => void) => Promise<WarmFetchResult>;

export class WarmMirror {
  private readonly images = new Map<string, WarmImageConfig>();
  /** Digests of images being fetched now, spared before the state names them. */
  private readonly fetching = new Map<string, Set<string>>();
  private queue: Promise<void> = Promise.resolve();
  private cancelTimer: (() => void) | undefined;
  /** Until start(): fetches run only when asked (berth sync offline). */
  private stopped = true;

  constructor(
    images: readonly WarmImageConfig[],
    private readonly intervalMs: number,
    private readonly state: WarmState,
    private readonly fetch: WarmFetcher,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    for (const img of images) this.images.set(`${img.name}:${img.tag}`, img);
  }

  /** Starts the schedule: what is due now runs at once, the rest when it falls due. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the schedule and waits for a running refresh to finish (its result is saved). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.queue;
  }

  isListedTag(name: string, tag: string): boolean {
    return this.images.has(`${name}:${tag}`);
  }

  /** Whether a digest of `repo` belongs to a listed image (cached, or being fetched). */
  isPinned(repo: string, digest: string): boolean {
    for (const [image, img] of this.images) {
      if (img.name !== repo) continue;
      if (this.state.get(image)?.content.includes(digest) || this.fetching.get(image)?.has(digest)) return true;
    }
    return false;
  }

  list(): WarmList {
    return { proxy: true, intervalMs: this.intervalMs, entries: [...this.images.keys()].map((image) => this.view(image)) };
  }

  /** Refreshes one listed image, or every one, now; resolves with the list once done. */
  async fetchNow(image?: string): Promise<WarmList> {
    if (image !== undefined && !this.images.has(image)) throw new WarmNotListedError(image);
    const which = image === undefined ? [...this.images.keys()] : [image];
    await this.enqueue(which);
    return this.list();
  }

  // ---- the schedule ----

  private schedule(ms: number): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.stopped || this.images.size === 0 || ms === Infinity) return;
    this.cancelTimer = this.clock.after(Math.max(0, ms), () => void this.tick());
  }

  private async tick(): Promise<void> {
    const now = this.clock.now();
    await this.enqueue([...this.images.keys()].filter((image) => this.dueAt(image) <= now));
  }

  /** After every run (scheduled or asked for): the timer goes to the entry due first. */
  private reschedule(): void {
    const next = Math.min(...[...this.images.keys()].map((image) => this.dueAt(image)));
    if (Number.isFinite(next)) this.schedule(Math.max(1000, next - this.clock.now()));
    else this.schedule(Infinity);
  }

  /** When an entry should next be refreshed by the schedule (Infinity: only when asked). */
  private dueAt(image: string): number {
    const r = this.state.get(image)!;
    if (r.lastAttempt === undefined) return 0;
    if (r.lastError?.retryAfter !== undefined) return r.lastError.retryAfter;
    if (r.lastError) return r.lastAttempt + (this.intervalMs > 0 ? Math.min(this.intervalMs, RETRY_MS) : RETRY_MS);
    return this.intervalMs > 0 ? r.lastAttempt + this.intervalMs : Infinity;
  }

  private enqueue(images: string[]): Promise<void> {
    const run = this.queue.then(async () => {
      for (const image of images) await this.refresh(image);
    }).finally(() => this.reschedule());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async refresh(image: string): Promise<void> {
    const r = this.state.get(image)!;
    const now = this.clock.now();
    if (r.lastError?.retryAfter !== undefined && r.lastError.retryAfter > now) return; // the upstream asked us to wait
    const fetching = new Set<string>();
    this.fetching.set(image, fetching);
    r.lastAttempt = now;
    try {
      const result = await this.fetch(this.images.get(image)!, (d) => fetching.add(d));
      const moved = r.digest !== undefined && r.digest !== result.digest;
      Object.assign(r, { digest: result.digest, bytes: result.bytes, content: result.content, lastRefresh: this.clock.now() });
      delete r.lastError;
      if (moved) this.log.info('kept-warm image moved', { image, digest: result.digest });
    } catch (err) {
      r.lastError = failureOf(err, this.clock.now());
      this.log.warn('kept-warm refresh failed; the cached image stays', { image, reason: r.lastError.reason, error: r.lastError.message });
    } finally {
      this.fetching.delete(image);
      await this.state.save();
    }
  }

  private view(image: string): WarmEntry {
    const r: WarmRecord = this.state.get(image)!;
    const iso = (ms: number) => new Date(ms).toISOString();
    const e = r.lastError;
    return {
      image,
      platforms: this.images.get(image)!.platforms,
      ...(r.digest ? { digest: r.digest } : {}),
      bytes: r.bytes,
      ...(r.lastRefresh !== undefined ? { lastRefresh: iso(r.lastRefresh) } : {}),
      ...(e ? { lastError: { reason: e.reason, message: e.message, at: iso(e.at), ...(e.retryAfter !== undefined ? { retryAfter: iso(e.retryAfter) } : {}) } } : {}),
      refreshing: this.fetching.has(image),
    };
  }
}

export class WarmNotListedError extends Error {
  constructor(readonly image: string) {
    super(`${image} is not in berth.proxy.warm.images`);
  }
}

/** What a refresh's error means for the user, with the upstream's Retry-After on a 429. */
export function failureOf(err: unknown, now: number): NonNullable<WarmRecord['lastError']> {
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof RegistryError && err.message === err.kind) message = unknownMessage(err);
  let reason: WarmFailure = 'failed';
  let retryAfter: number | undefined;
  if (err instanceof UpstreamUnreachableError) reason = 'upstream-down';
  else if (err instanceof RegistryError) {
    if (err.kind === 'too-many-requests') {
      reason = 'rate-limited';
      retryAfter = retryAfterMs(err.headers?.['Retry-After'], now);
    } else if (err.kind === 'manifest-unknown' || err.kind === 'blob-unknown' || err.kind === 'name-unknown') reason = 'not-found';
    else if (err.kind === 'unauthorized' || err.kind === 'denied') reason = 'denied';
    else if (err.kind === 'unavailable') reason = 'upstream-down';
  }
  return { reason, message, at: now, ...(retryAfter !== undefined ? { retryAfter } : {}) };
}

/** The not-found errors carry what was missing in their detail, not in their message. */
function unknownMessage(err: RegistryError): string {
  const d = (err.detail ?? {}) as { name?: string; reference?: string; digest?: string };
  if (err.kind === 'manifest-unknown') return `the upstream has no manifest ${d.name ?? ''}${d.reference ? `:${d.reference}` : ''}`.replace(/:(sha256:)/, '@$1');
  if (err.kind === 'blob-unknown') return `the upstream has no blob ${d.digest ?? ''}`.trim();
  return err.kind;
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const t = value.trim();
  if (/^\d+$/.test(t)) return now + Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(now, date);
}
