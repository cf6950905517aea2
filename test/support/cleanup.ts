// One LIFO cleanup stack per test process (node --test runs every file in its own process).
// LIFO order matters: a daemon registered after its temp dir must stop before that dir is
// removed, and a dockerd must be gone before its data root is unmounted and deleted.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Cleanup = { label: string; fn: () => Promise<void> | void };
const stack: Cleanup[] = [];

export function deferCleanup(label: string, fn: () => Promise<void> | void): void {
  stack.push({ label, fn });
}

/** Runs every registered cleanup (newest first) even if some fail; then reports all failures. */
export async function runCleanups(): Promise<void> {
  const errors: Error[] = [];
  while (stack.length > 0) {
    const { label, fn } = stack.pop()!;
    try {
      await fn();
    } catch (err) {
      errors.push(new Error(`cleanup "${label}" failed: ${(err as Error).message}`, { cause: err }));
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
}

/**
 * The tests' one way to get a fresh directory under the system temp dir (unit, integration, e2e
 * and the support helpers). It is removed by runCleanups() (useE2EHooks, or a file's own
 * after()); a test that is done with it sooner may rm it itself. Names stay short on purpose:
 * dockerd's containerd puts unix sockets under its exec-root (108-byte path limit).
 */
export async function tempDir(prefix = 'berth-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  deferCleanup(`rm ${dir}`, async () => {
    // Never let rm -rf descend into something a daemon left mounted here.
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return dir;
}

/**
 * Lazily unmounts whatever is still mounted at or below dir (deepest first): daemons that die
 * hard can leave netns bind mounts or shm mounts behind, and rm -rf cannot cross them.
 */
export async function unmountUnder(dir: string): Promise<void> {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) {
    await new Promise<void>((resolve) => execFile('umount', ['-l', mount], () => resolve()));
  }
}
