// What the machine allows for a push: one core of SHA-256 (a push hashes every byte) and
// writing a 100 MiB file plus fsync (a push must reach disk before it is acknowledged). And the
// floor under a small write's latency: a 1 MiB file plus fdatasync (a small push's bytes), and a
// small append plus fdatasync (a journal commit: what a manifest PUT waits for): what Berth's
// p50/p99 pay at the least. (The reference fsyncs each file it writes in place, 8 per manifest
// PUT under strace, and never a folder.)
import { createHash, randomFillSync } from 'node:crypto';
import { appendFileSync, closeSync, fdatasyncSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { Histogram } from './histogram';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface MachineBounds {
  sha256MBps: number;
  writeFsyncMBps: number;
  /** min of the two: the ceiling for a single-stream push. */
  pushBoundMBps: number;
  /** Write 1 MiB to a new file, then fdatasync: p50/p99 over SYNC_TRIALS, ms. */
  write1MiBSyncMs: { p50: number; p99: number };
  /** Append 200 bytes to one file, then fdatasync: p50/p99 over SYNC_TRIALS, ms. */
  appendSyncMs: { p50: number; p99: number };
  bytes: number;
  tmpdir: string;
  cpus: number;
  cpuModel: string;
}

const SIZE = 100 * 1024 * 1024;
const TRIALS = 3;
const SYNC_TRIALS = 100;

/** p50/p99 of `fn`'s duration over SYNC_TRIALS runs. */
function syncLatency(fn: (i: number) => void): { p50: number; p99: number } {
  const h = new Histogram();
  for (let i = 0; i < SYNC_TRIALS; i++) {
    const t0 = performance.now();
    fn(i);
    h.record(performance.now() - t0);
  }
  return { p50: h.percentile(50), p99: h.percentile(99) };
}

export async function measureMachine(): Promise<MachineBounds> {
  const data = randomFillSync(Buffer.allocUnsafe(SIZE));
  let bestHash = Infinity;
  for (let i = 0; i < TRIALS; i++) {
    const t0 = performance.now();
    createHash('sha256').update(data).digest();
    bestHash = Math.min(bestHash, performance.now() - t0);
  }
  // Same filesystem as the servers' storage roots (both live under os.tmpdir()).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-bench-machine-'));
  let bestWrite = Infinity;
  let write1MiBSyncMs = { p50: NaN, p99: NaN };
  let appendSyncMs = { p50: NaN, p99: NaN };
  try {
    const chunk = 1024 * 1024;
    for (let i = 0; i < TRIALS; i++) {
      const file = path.join(dir, `blob-${i}`);
      const t0 = performance.now();
      const fd = openSync(file, 'w');
      for (let off = 0; off < SIZE; off += chunk) writeSync(fd, data, off, chunk);
      fsyncSync(fd);
      closeSync(fd);
      bestWrite = Math.min(bestWrite, performance.now() - t0);
      await rm(file);
    }
    const mib = data.subarray(0, 1024 * 1024);
    write1MiBSyncMs = syncLatency((i) => {
      const fd = openSync(path.join(dir, `small-${i}`), 'w');
      writeSync(fd, mib);
      fdatasyncSync(fd);
      closeSync(fd);
    });
    const journal = openSync(path.join(dir, 'journal'), 'a');
    const record = data.subarray(0, 200);
    try {
      appendSyncMs = syncLatency(() => {
        appendFileSync(journal, record);
        fdatasyncSync(journal);
      });
    } finally {
      closeSync(journal);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const sha256MBps = SIZE / 1e6 / (bestHash / 1000);
  const writeFsyncMBps = SIZE / 1e6 / (bestWrite / 1000);
  const cpus = os.cpus();
  return {
    sha256MBps, writeFsyncMBps, pushBoundMBps: Math.min(sha256MBps, writeFsyncMBps), write1MiBSyncMs, appendSyncMs,
    bytes: SIZE, tmpdir: os.tmpdir(), cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown',
  };
}
