// What the machine allows for a push: one core of SHA-256 (a push hashes every byte) and
// writing a 100 MiB file plus fsync (a push must reach disk before it is acknowledged).
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface MachineBounds {
  sha256MBps: number;
  writeFsyncMBps: number;
  /** min of the two: the ceiling for a single-stream push. */
  pushBoundMBps: number;
  bytes: number;
  tmpdir: string;
  cpus: number;
  cpuModel: string;
}

const SIZE = 100 * 1024 * 1024;
const TRIALS = 3;

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
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const sha256MBps = SIZE / 1e6 / (bestHash / 1000);
  const writeFsyncMBps = SIZE / 1e6 / (bestWrite / 1000);
  const cpus = os.cpus();
  return {
    sha256MBps, writeFsyncMBps, pushBoundMBps: Math.min(sha256MBps, writeFsyncMBps),
    bytes: SIZE, tmpdir: os.tmpdir(), cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown',
  };
}
