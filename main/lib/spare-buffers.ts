// Reused 1 MiB buffers for the two bulk paths that know exactly when a buffer is free again: a
// pull's file reads (given back once their write to the client completed) and a proxy download's
// upstream reads (given back once the client and the cache file are both done with them).
// A fresh MiB each time costs more than the copy it holds: the kernel faults in and zeroes every
// new page, and V8 answers memory outside its heap with full mark-compacts. Fresh buffers were
// ≈ 250 MB/s of such memory under a 1 MiB pull load, a mark-compact about every 13 MiB (pauses
// up to 8 ms: the pulls' p99); on a 100 MiB proxy miss, reusing them halved the CPU per GB.
export const SPARE_SIZE = 1024 * 1024;
const SPARE_BUFFERS = 8;
const spare: Buffer[] = [];

/** A buffer of `size` bytes (at most SPARE_SIZE): a spare one when it is full size. */
export function takeBuffer(size = SPARE_SIZE): Buffer {
  if (size < SPARE_SIZE) return Buffer.allocUnsafe(size);
  return spare.pop() ?? Buffer.allocUnsafeSlow(SPARE_SIZE);
}

/** Hands a buffer from takeBuffer back: only when nothing will read or write it again. */
export function giveBack(buf: Buffer): void {
  // A buffer given back twice would be handed to two owners at once.
  if (buf.length === SPARE_SIZE && buf.byteOffset === 0 && spare.length < SPARE_BUFFERS && !spare.includes(buf)) spare.push(buf);
}
