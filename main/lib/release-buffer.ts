// Frees a buffer's memory at once instead of when the GC collects it. An upload's body arrives
// as one fresh malloc'd buffer per chunk (node's HTTP parser copies each out of the socket's),
// and a young buffer is freed only at the next scavenge, which a fast stream of large chunks and
// few objects makes rare. Under 100 MiB pushes four at a time, 40 MB of chunks waited for it in
// the C heap, which malloc then kept after they were freed (it gives memory back only from the
// top of its heap).
//
// `ArrayBuffer.prototype.transfer(0)` detaches the buffer and frees its memory. Node 20's V8 has
// it behind a flag, which only contexts made after it is set see, so there the method is taken
// from a fresh context (it works on any context's buffers); newer Node and Electron have it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Transfer = (this: ArrayBuffer, length: number) => ArrayBuffer;
let transfer: Transfer | null | undefined;

function transferMethod(): Transfer | null {
  if (transfer !== undefined) return transfer;
  const own = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;
  if (own) return (transfer = own);
  try {
    setFlagsFromString('--harmony-rab-gsab-transfer');
    transfer = (runInNewContext('ArrayBuffer.prototype.transfer') as Transfer | undefined) ?? null;
  } catch {
    transfer = null;
  }
  return transfer;
}

/**
 * Frees `buf`'s memory now if it is the whole of an ArrayBuffer of its own (it is then empty,
 * as is every other view of that memory); returns whether it did. The caller must be sure nothing
 * else reads the buffer again.
 */
export function releaseBuffer(buf: Uint8Array): boolean {
  const ab = buf.buffer;
  if (!(ab instanceof ArrayBuffer) || buf.byteOffset !== 0 || buf.byteLength !== ab.byteLength || buf.byteLength === 0) return false;
  const t = transferMethod();
  if (!t) return false;
  try {
    t.call(ab, 0);
    return true;
  } catch {
    return false; // memory that cannot be detached (a WebAssembly memory's, say)
  }
}

/**
 * Chunks lent to consumers that finish with them in order (FileWriter.writtenSize, a response's
 * completed writes): each is handed to `free` once the consumers' count of bytes they are done
 * with reaches the chunk's end. By default `free` releases the chunk's memory.
 */
export class LentChunks<T = Uint8Array> {
  private lent: Array<{ chunk: T; end: number }> = [];

  constructor(private readonly free: (chunk: T) => void = releaseBuffer as (chunk: T) => void) {}

  add(chunk: T, end: number): void {
    this.lent.push({ chunk, end });
  }

  /** Frees every chunk that ends at or before `done` (nothing when there is no count). */
  release(done: number | undefined): void {
    if (done === undefined) return;
    let n = 0;
    while (n < this.lent.length && this.lent[n]!.end <= done) this.free(this.lent[n++]!.chunk);
    if (n > 0) this.lent.splice(0, n);
  }
}
