// Page-aligned 1 MiB buffers for direct I/O (O_DIRECT), which takes the memory, the file offset
// and the length aligned to the device's blocks. Node's buffers come from malloc, whose large
// blocks start 16 bytes into a page; a WebAssembly memory is mapped by V8 itself and starts on a
// page, so the pool is cut from one. It is made on first use and let go (for the GC to unmap)
// once every buffer has been back for IDLE_MS: a server that sees only small pushes never holds
// it, and one that saw a burst of large ones gives it back.
export const ALIGNED_SIZE = 1024 * 1024;
/** 16 MiB: four large uploads at a time at four buffers each; more share what is left. */
const POOL_BUFFERS = 16;
const WASM_PAGE = 64 * 1024;
const IDLE_MS = 30_000;

// The main process's TypeScript libs leave WebAssembly out (it is in the DOM's); Node has it.
declare const WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };

let free: Buffer[] = [];
const lent = new Set<Buffer>();
/** The pool exists while any of its buffers is free or lent. */
const made = () => free.length + lent.size > 0;
let idle: NodeJS.Timeout | undefined;

/** Up to `count` aligned buffers (none when the pool is empty or cannot be made). */
export function takeAligned(count: number): Buffer[] {
  if (!made()) {
    let memory: { buffer: ArrayBuffer };
    try {
      const pages = (POOL_BUFFERS * ALIGNED_SIZE) / WASM_PAGE;
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      return []; // out of address space for it: the caller writes through the page cache
    }
    free = Array.from({ length: POOL_BUFFERS }, (_, i) => Buffer.from(memory.buffer, i * ALIGNED_SIZE, ALIGNED_SIZE));
  }
  clearTimeout(idle);
  const taken = free.splice(Math.max(0, free.length - count));
  for (const b of taken) lent.add(b);
  return taken;
}

/** Hands buffers from takeAligned back: only once no read or write of them is in flight. */
export function giveBackAligned(bufs: Buffer[]): void {
  for (const b of bufs) {
    // A buffer given back twice would be handed to two owners at once.
    if (lent.delete(b)) free.push(b);
  }
  if (lent.size === 0 && made()) {
    clearTimeout(idle);
    idle = setTimeout(() => {
      free = [];
    }, IDLE_MS).unref();
  }
}

/** How many buffers are out now (for tests). */
export function alignedInUse(): number {
  return lent.size;
}
