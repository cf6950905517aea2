// What the kept-warm mirror knows about each listed image: the digest its tag points at, every
// digest that image consists of (spared from expiry while listed), the last success and the
// last failure. Saved as one JSON file beside the cache state (<root>/berth/proxy-warm.json),
// written atomically by the storage driver after every refresh, so it survives restarts and a
// crash leaves the previous version.
import type { Logger } from '../../lib/logger';
import type { WarmFailure } from '../../../preload/contract/warm';
import { isNotFound } from '../storage/driver/errors';
import type { StorageDriver } from '../storage/driver/types';

export const WARM_STATE_PATH = '/berth/proxy-warm.json';

export interface WarmRecord {
  /** `name:tag`. */
  image: string;
  digest?: string;
  bytes: number;
  /** Every manifest and blob digest of the cached image, in the image's repository. */
  content: string[];
  /** Epoch ms. */
  lastRefresh?: number;
  lastAttempt?: number;
  lastError?: { reason: WarmFailure; message: string; at: number; retryAfter?: number };
}

interface Persisted { version: 1; entries: WarmRecord[] }

export class WarmState {
  private readonly records = new Map<string, WarmRecord>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly driver: StorageDriver, private readonly log: Logger) {}

  /** Reads the file; records of images no longer listed are dropped, so their content expires again. */
  async load(listed: readonly string[]): Promise<void> {
    try {
      const data = JSON.parse((await this.driver.getContent(WARM_STATE_PATH)).toString('utf8')) as Persisted;
      for (const r of data.entries ?? []) if (listed.includes(r.image)) this.records.set(r.image, r);
    } catch (err) {
      if (!isNotFound(err)) this.log.warn('kept-warm state unreadable; starting empty', { error: String(err) });
    }
    for (const image of listed) if (!this.records.has(image)) this.records.set(image, { image, bytes: 0, content: [] });
  }

  get(image: string): WarmRecord | undefined {
    return this.records.get(image);
  }

  all(): WarmRecord[] {
    return [...this.records.values()];
  }

  /** Writes the file; saves are queued, so the last one written holds the latest records. */
  save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const data: Persisted = { version: 1, entries: this.all() };
      try {
        await this.driver.putContent(WARM_STATE_PATH, Buffer.from(JSON.stringify(data)));
      } catch (err) {
        this.log.warn('kept-warm state not saved', { error: String(err) });
      }
    });
    return this.saving;
  }
}
