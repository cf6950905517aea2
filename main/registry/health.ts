// distribution's storagedriver health check: stat the storage root every interval; after
// `threshold` consecutive failures the registry is unhealthy and the API answers 503.
import type { Logger } from '../lib/logger';
import { isNotFound } from './storage/driver/errors';
import type { StorageDriver } from './storage/driver/types';

export class StorageHealth {
  private failures = 0;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly driver: StorageDriver, private readonly intervalMs: number, private readonly threshold: number, private readonly log: Logger) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    try {
      await this.driver.stat('/');
      this.failures = 0;
      this.lastError = undefined;
    } catch (err) {
      if (isNotFound(err)) { this.failures = 0; return; }
      this.failures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      this.log.warn('storage health check failed', { error: this.lastError, failures: this.failures });
    }
  }

  get healthy(): boolean {
    return this.failures === 0 || this.failures < Math.max(this.threshold, 1);
  }

  /** distribution's /debug/health body: {} or {"<check>": "<error>"}. */
  report(): Record<string, string> {
    return this.healthy ? {} : { [`storagedriver_${this.driver.name}`]: this.lastError ?? 'unhealthy' };
  }
}
