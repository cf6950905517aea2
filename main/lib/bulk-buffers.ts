// The 1 MiB buffers of the bulk paths, lent from one pool and given back when free again: a
// pull's file reads (given back once their write to the client completed), a proxy download's
// upstream reads (once the client and the cache file are both done with them), and a large
// upload's direct writes (once written).
//
// Why a pool: a fresh MiB each time costs more than the copy it holds. The kernel faults in and
// zeroes every new page, V8 answers memory outside its heap with full mark-compacts (fresh
// buffers were ≈ 250 MB/s of such memory under a 1 MiB pull load, a mark-compact about every
// 13 MiB), and what malloc gets back when they are collected it keeps: eight pulls at a time
// left 20–45 MB in the C heap after they ended.
//
// Why WebAssembly memory: direct I/O (O_DIRECT) takes the memory, the file offset and the length
// aligned to the device's blocks. Node's buffers come from malloc, whose large blocks start 16
// bytes into a page; a WebAssembly memory is mapped by V8 itself and starts on a page. Its pages
// become resident only when first written, and buffers are lent last-in first-out, so what the
// pool costs is the most that was ever lent at once, not its size. It is made on first use and
// let go (for the GC to unmap) once no buffer has been taken or given back for IDLE_MS: a server
// that sees only small transfers never holds it, and one that saw a burst of large ones gives it
// back. A buffer its borrower never gives back (a pull whose client went away mid-write, whose
// write never completes) is only missing from the pool until then: whoever still holds it keeps
// its memory, and the next pool is a new one.
export const BULK_SIZE = 1024 * 1024;
/** Eight pulls at two buffers each plus four large uploads at four each. */
export const POOL_BUFFERS = 32;
const WASM_PAGE = 64 * 1024;
const IDLE_MS = 5_000;

// The main process's TypeScript libs leave WebAssembly out (it is in the DOM's); Node has it.
declare const WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };

let free: Buffer[] = [];
const lent = new Set<Buffer>();
/** The pool exists while any of its buffers is free or lent. */
const made = () => free.length + lent.size > 0;
let idle: NodeJS.Timeout | undefined;

/** Up to `count` pool buffers (none when all are lent or the pool cannot be made). */
export function takePooled(count: number): Buffer[] {
  if (!made()) {
    let memory: { buffer: ArrayBuffer };
    try {
      const pages = (POOL_BUFFERS * BULK_SIZE) / WASM_PAGE;
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      return []; // out of address space for it: the caller does without
    }
    free = Array.from({ length: POOL_BUFFERS }, (_, i) => Buffer.from(memory.buffer, i * BULK_SIZE, BULK_SIZE));
  }
  const taken = free.splice(Math.max(0, free.length - count));
  for (const b of taken) lent.add(b);
  stillInUse();
  return taken;
}

/** A buffer of `size` bytes (at most BULK_SIZE): from the pool when full size and one is free. */
export function takeBuffer(size = BULK_SIZE): Buffer {
  if (size < BULK_SIZE) return Buffer.allocUnsafe(size);
  return takePooled(1)[0] ?? Buffer.allocUnsafeSlow(BULK_SIZE);
}

/**
 * Hands buffers from takePooled or takeBuffer back (those not from the pool are left to the GC):
 * only once no read or write of them is in flight.
 */
export function giveBack(...bufs: Buffer[]): void {
  for (const b of bufs) {
    // A buffer given back twice would be handed to two owners at once.
    if (lent.delete(b)) free.push(b);
  }
  if (made()) stillInUse();
}

function stillInUse(): void {
  if (idle) idle.refresh();
  else {
    idle = setTimeout(() => {
      idle = undefined;
      free = [];
      lent.clear();
    }, IDLE_MS).unref();
  }
}

/** How many pool buffers are out now (for tests). */
export function bulkInUse(): number {
  return lent.size;
}
