// Slows and then refuses repeated authentication failures from one client address, so a
// password cannot be guessed at full speed, without locking the user out from elsewhere:
// the key is the client's address (lib/client-address.ts: IPv6 grouped by /64, the forwarded
// address behind a trusted proxy), never the user name.
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

  /**
   * Reserves one attempt for `client` before its credential is checked, then waits as long as
   * the client's record says. An attempt counts as a failure from the moment it starts (only a
   * success clears the record), so guesses sent in parallel are counted before any of them is
   * judged: beyond `blockAfter` they are refused at once, without running bcrypt.
   * Throws TOOMANYREQUESTS (with Retry-After) when the client is blocked.
   */
  async begin(client: string): Promise<void> {
    const now = Date.now();
    const e = this.entry(client) ?? { failures: 0, first: now, blockedUntil: 0 };
    if (e.blockedUntil > now) {
      const retry = Math.ceil((e.blockedUntil - now) / 1000);
      throw new RegistryError('too-many-requests', 'too many failed logins from this address; try again later', undefined, { 'Retry-After': String(retry) });
    }
    const before = e.failures++;
    if (e.failures >= this.o.blockAfter) e.blockedUntil = now + this.o.blockMs;
    this.clients.set(client, e);
    if (this.clients.size > 10_000) this.prune(now);
    const extra = before - this.o.freeFailures;
    if (extra >= 0) await sleep(Math.min(250 * 2 ** extra, this.o.maxDelayMs));
  }

  /** Gives back an attempt that was never judged (e.g. the bcrypt queue was full). */
  release(client: string): void {
    const e = this.clients.get(client);
    if (e && e.failures > 0) e.failures--;
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
