// Slows and then refuses repeated authentication failures from one client address, so a
// password cannot be guessed at full speed, without locking the user out from elsewhere:
// the key is the client's address, never the user name.
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from '../errors';

interface Entry { failures: number; first: number; blockedUntil: number }

export interface FailureLimiterOptions {
  /** Failures allowed before responses are slowed. */
  freeFailures?: number;
  /** Failures after which the client is refused for `blockMs`. */
  blockAfter?: number;
  windowMs?: number;
  blockMs?: number;
  maxDelayMs?: number;
}

export class FailureLimiter {
  private readonly clients = new Map<string, Entry>();
  private readonly o: Required<FailureLimiterOptions>;

  constructor(opts: FailureLimiterOptions = {}) {
    this.o = { freeFailures: 5, blockAfter: 10, windowMs: 10 * 60_000, blockMs: 5 * 60_000, maxDelayMs: 2000, ...opts };
  }

  /** Waits or throws TOOMANYREQUESTS before a credential from `client` is checked. */
  async check(client: string): Promise<void> {
    const e = this.entry(client);
    if (!e) return;
    const now = Date.now();
    if (e.blockedUntil > now) {
      const retry = Math.ceil((e.blockedUntil - now) / 1000);
      throw new RegistryError('too-many-requests', 'too many failed logins from this address; try again later', undefined, { 'Retry-After': String(retry) });
    }
    const extra = e.failures - this.o.freeFailures;
    if (extra >= 0) await sleep(Math.min(250 * 2 ** extra, this.o.maxDelayMs));
  }

  fail(client: string): void {
    const now = Date.now();
    const e = this.entry(client) ?? { failures: 0, first: now, blockedUntil: 0 };
    e.failures++;
    if (e.failures >= this.o.blockAfter) e.blockedUntil = now + this.o.blockMs;
    this.clients.set(client, e);
    if (this.clients.size > 10_000) this.prune(now);
  }

  succeed(client: string): void {
    if (this.clients.size > 0) this.clients.delete(client);
  }

  private entry(client: string): Entry | undefined {
    const e = this.clients.get(client);
    if (!e) return undefined;
    const now = Date.now();
    if (now - e.first > this.o.windowMs && e.blockedUntil <= now) {
      this.clients.delete(client);
      return undefined;
    }
    return e;
  }

  private prune(now: number): void {
    for (const [k, e] of this.clients) if (now - e.first > this.o.windowMs && e.blockedUntil <= now) this.clients.delete(k);
  }
}
