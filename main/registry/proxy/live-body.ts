// The first client's copy of a blob the proxy is downloading. The download hands it each chunk
// as the chunk passes (`deliver`), and the blob handler sends it with `sendTo`, which writes the
// chunks straight to the response and counts the bytes whose write completed (`sent`): that
// count is what lets the download reuse its read buffers. Read as a plain Readable instead, it
// buffers like a PassThrough and counts nothing, so those buffers are left to the GC.
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { DirectBody } from '../storage/driver/types';

export class LiveBody extends Readable implements DirectBody {
  /** Bytes whose write to the response completed, in order; it stops at a failed write. */
  sent = 0;
  private res: ServerResponse | undefined;
  private broken = false;
  private whole = false;
  private failure: Error | undefined;
  private room: (() => void) | undefined;
  private settle: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  override _read(): void {
    this.wake();
  }

  /** A reader that went away must not leave the download waiting for room. */
  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.wake();
    cb(err);
  }

  /** Hands the client the next chunk; when it returns a promise, wait for it before the next. */
  deliver(chunk: Buffer): Promise<void> | undefined {
    if (this.destroyed) return undefined;
    if (!this.res) return this.push(chunk) ? undefined : this.waitForRoom();
    return this.writeOut(this.res, chunk) ? undefined : this.waitForRoom();
  }

  /** The body is whole: `last` (if any) is its final chunk. */
  finish(last?: Buffer): void {
    if (this.destroyed || this.whole) return;
    this.whole = true;
    if (!this.res) {
      if (last) this.push(last);
      this.push(null);
      return;
    }
    if (last) this.writeOut(this.res, last);
    this.end(this.res);
  }

  /** Resolves sendTo once every write completed, so `sent` is final when the body closes. */
  private end(res: ServerResponse): void {
    res.end(() => {
      this.settle?.resolve();
      this.destroy();
    });
  }

  /** The download failed before the bytes verified: the client's body is cut short. */
  fail(err: Error): void {
    this.failure = err;
    this.settle?.reject(err);
    // A plain reader hears the error; with nobody reading yet it waits for sendTo, since an
    // 'error' nobody listens to would take the process down.
    this.destroy(!this.res && this.listenerCount('error') > 0 ? err : undefined);
  }

  sendTo(res: ServerResponse): Promise<void> {
    if (this.res) return Promise.reject(new Error('LiveBody.sendTo called twice'));
    if (this.destroyed) return Promise.reject(this.failure ?? new Error('the download ended before the client was served'));
    this.res = res;
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      res.once('close', () => {
        if (!res.writableFinished) reject(Object.assign(new Error('client went away'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
        this.broken = true;
        this.wake();
        this.destroy();
      });
      res.on('drain', () => this.wake());
      // Chunks delivered before the handler took over went to the Readable's buffer.
      for (let c: Buffer | null; (c = this.read() as Buffer | null) !== null; ) this.writeOut(res, c);
      if (this.whole) this.end(res);
    });
  }

  private writeOut(res: ServerResponse, chunk: Buffer): boolean {
    return res.write(chunk, (err) => {
      if (err) this.broken = true;
      if (!this.broken) this.sent += chunk.length;
    });
  }

  private waitForRoom(): Promise<void> {
    return new Promise((resolve) => {
      this.room = resolve;
    });
  }

  private wake(): void {
    const room = this.room;
    this.room = undefined;
    room?.();
  }
}
