// The minimum body rate (berth.http.minbodyrate over berth.http.minbodyratewindow). The idle
// timeout only notices a connection on which nothing moves; a body sent at one byte every few
// seconds keeps it alive for ever. So every request body is watched while it arrives, and one
// that averages less than the minimum over the whole window is cut. There is no limit on a
// request's total time: a 10 GB layer over a slow but working link is never cut.
//
// Only the client's slowness counts. While bytes wait in the request's buffer, the server is the
// one not reading (a lock, a slow disk, authentication), so the window starts again.
import type { IncomingMessage } from 'node:http';
import { hasBody } from './read-body';

interface Watch {
  /** (time, socket bytes read) samples, oldest first, covering at most one window. */
  samples: Array<{ at: number; bytes: number }>;
  onSlow: () => void;
}

export class BodyRateGuard {
  private readonly watched = new Map<IncomingMessage, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;

  constructor(private readonly minBytesPerSecond: number, private readonly windowMs: number) {
    this.tickMs = Math.max(50, Math.min(1_000, Math.floor(windowMs / 10)));
  }

  /**
   * Watches `req`'s body until it has fully arrived or the returned function is called; calls
   * `onSlow` (once) if it arrives too slowly. Requests without a body are not watched.
   */
  watch(req: IncomingMessage, onSlow: () => void): () => void {
    if (this.minBytesPerSecond <= 0 || req.complete || !hasBody(req)) return () => undefined;
    this.watched.set(req, { samples: [{ at: Date.now(), bytes: req.socket.bytesRead }], onSlow });
    this.timer ??= setInterval(() => this.check(), this.tickMs).unref();
    return () => this.unwatch(req);
  }

  private unwatch(req: IncomingMessage): void {
    this.watched.delete(req);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private check(): void {
    const now = Date.now();
    for (const [req, w] of this.watched) {
      if (req.complete || req.destroyed) {
        this.unwatch(req);
        continue;
      }
      const bytes = req.socket.bytesRead;
      if (req.readableLength > 0) {
        // Unread bytes are waiting for the server, not the other way round.
        w.samples = [{ at: now, bytes }];
        continue;
      }
      w.samples.push({ at: now, bytes });
      while (w.samples.length > 2 && w.samples[1]!.at <= now - this.windowMs) w.samples.shift();
      const first = w.samples[0]!;
      const elapsed = now - first.at;
      if (elapsed < this.windowMs) continue;
      if (bytes - first.bytes < (this.minBytesPerSecond * elapsed) / 1000) {
        this.unwatch(req);
        w.onSlow();
      }
    }
  }
}
