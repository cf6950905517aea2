// The write journal's puts and moves as direct (synchronous) file calls. An apply writes a few
// small files into the page cache and renames them into place, with nothing to sync (the journal
// already holds the change). Each call takes a few µs when made directly; through libuv's thread
// pool each costs a round trip of ≈ 80 µs and a thread wake-up, and a manifest PUT's apply is
// about 20 calls. Measured on a 2-core machine, committing a manifest PUT's four files through
// the driver: one at a time 481 → 1,180–1,330 commits/s (p50 1.9 → 0.7 ms), 16 at a time
// 1,370–1,550 → 2,180–2,400/s, and CPU per commit (all threads) 1.8 → 0.7 ms.
//
// A direct call blocks the event loop for as long as it takes, which is fine for a local disk's
// page cache but not for a slow filesystem (NFS, a disk stalled behind writeback): DirectApply
// keeps a moving average of how long the direct applies take, and once it is over a millisecond
// sends the applies through the thread pool for a while before trying again. An average, because
// single applies of a few ms come now and then on a healthy disk (a GC pause inside the timing, a
// folder's first file after a large delete): pausing at each cost the PUT's p50 most of its gain.
//
// The driver keeps a second DirectApply, by the same rule, for a pull's file reads (FileBody in
// filesystem.ts): 1 MiB copies out of the page cache, ≈ 0.25 ms each, that go back to the thread
// pool if the file has to come from a slow disk.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Over this average (ms), applies go through the thread pool until the pause below has passed. */
export const SLOW_APPLY_MS = 1;
export const SLOW_APPLY_PAUSE_MS = 10_000;
/** Each apply's weight in the average: a lone 20 ms apply raises it by 1.25 ms. */
const WEIGHT = 1 / 16;

/** Whether the next apply is made directly, from how long the direct ones took. */
export class DirectApply {
  private average = 0;
  private pausedUntil = 0;

  constructor(
    private readonly slowMs = SLOW_APPLY_MS,
    private readonly pauseMs = SLOW_APPLY_PAUSE_MS,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Runs `direct` when applies are quick (timing it), else returns false for the caller to use the thread pool. */
  run(direct: () => void): boolean {
    const start = this.now();
    if (start < this.pausedUntil) return false;
    try {
      direct();
    } finally {
      const end = this.now();
      this.average += (end - start - this.average) * WEIGHT;
      if (this.average > this.slowMs) {
        this.pausedUntil = end + this.pauseMs;
        this.average = 0;
      }
    }
    return true;
  }
}

/** tmp + rename in the target's folder (made if missing), without syncing. */
export function putNow(target: string, tmp: string, content: Uint8Array): void {
  try {
    inParentNow(dirname(target), () => {
      const fd = openSync(tmp, 'w');
      try {
        for (let at = 0; at < content.byteLength; ) at += writeSync(fd, content, at);
      } finally {
        closeSync(fd);
      }
    });
    renameSync(tmp, target);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {}
    throw err;
  }
}

export function moveNow(from: string, to: string): void {
  inParentNow(dirname(to), () => renameSync(from, to));
}

/**
 * Runs `op` once its folder exists. A delete's cleanup of empty folders runs in the thread pool
 * meanwhile and may remove the folder between the two calls: then it is made again.
 */
function inParentNow(dir: string, op: () => void): void {
  for (let attempt = 1; ; attempt++) {
    mkdirSync(dir, { recursive: true });
    try {
      op();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}
