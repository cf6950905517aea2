// The running sha256 of an upload's bytes. An upload whose first body is over 1 MiB is hashed
// on the hash thread (lib/hash-thread.ts), which takes the hashing off the event loop; a smaller
// one is hashed here, where the work is less than a message round trip. A body of unknown length
// (chunked transfer, as podman, skopeo and the proxy's downloads send) is held in a pool buffer
// until it passes 1 MiB, and then goes to the thread, or ends, and is hashed here.
//
// Nothing keeps a reference to a chunk once `update` returns, so the caller may free or reuse
// the chunk's memory as soon as its writer is done with it.
import type { Hash } from 'node:crypto';
import { BULK_SIZE, giveBack, takeBuffer } from '../../lib/bulk-buffers';
import { hashThread, type HashThread, type ThreadHash } from '../../lib/hash-thread';
import { hashFor } from '../digest';

/** Bodies over this many bytes are hashed on the thread: one pool buffer holds the rest. */
const OFF_THREAD_OVER = BULK_SIZE;

export class UploadHash {
  private here: Hash | undefined;
  private thread: ThreadHash | undefined;
  private held: Buffer | undefined;
  private heldBytes = 0;

  constructor(private readonly threads: HashThread = hashThread) {}

  /** Before each body, with its announced length when there is one. The first body decides. */
  begin(length: number | undefined): void {
    if (this.here || this.thread || length === undefined) return;
    if (length > OFF_THREAD_OVER) this.thread = this.threads.open();
    else this.here = hashFor('sha256');
  }

  /** Adds a chunk. Returns a promise when the hash thread is behind: wait for it before more. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (this.here) {
      this.here.update(chunk);
      return undefined;
    }
    if (this.thread) return this.thread.update(chunk);
    if (this.heldBytes + chunk.length <= OFF_THREAD_OVER) {
      this.held ??= takeBuffer(OFF_THREAD_OVER);
      chunk.copy(this.held, this.heldBytes);
      this.heldBytes += chunk.length;
      return undefined;
    }
    const thread = (this.thread = this.threads.open());
    // At most 1 MiB: it cannot fill the thread's queue, so there is nothing to wait for yet.
    this.drainHeld((held) => void thread.update(held));
    return thread.update(chunk);
  }

  /** After each body: bytes still held are hashed, so nothing is held between bodies. */
  end(): void {
    if (this.thread) this.thread.flush();
    else if (!this.here) {
      const here = (this.here = hashFor('sha256'));
      this.drainHeld((held) => here.update(held));
    }
  }

  /** `sha256:<hex>` of every byte added, or `undefined` when the hash thread lost it. */
  async digest(): Promise<string | undefined> {
    this.end();
    const hex = this.thread ? await this.thread.digest() : this.here!.digest('hex');
    return hex === undefined ? undefined : 'sha256:' + hex;
  }

  /** Drops the hash (the upload is re-hashed from its file if it is committed). */
  discard(): void {
    this.thread?.discard();
    this.drainHeld(() => undefined);
  }

  /** Hands the held bytes to `use` (which must not keep them), then their buffer to the pool. */
  private drainHeld(use: (held: Buffer) => void): void {
    if (!this.held) return;
    use(this.held.subarray(0, this.heldBytes));
    giveBack(this.held);
    this.held = undefined;
    this.heldBytes = 0;
  }
}
