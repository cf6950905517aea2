// The hash thread: digests equal to node's own for any size and chunking, streams that do not mix,
// a bound on what a stream holds, and a worker that stops when idle, gives up a stream left
// unfed, and whose loss leaves its streams with no digest (never a wrong one) and no waiter stuck.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { HashThread, type ThreadHash } from '../../../main/lib/hash-thread';

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Feeds `data` in chunks of varying size (seeded), waiting whenever the stream asks to. */
async function feed(s: ThreadHash, data: Buffer, seed: number): Promise<void> {
  let at = 0;
  let x = seed;
  while (at < data.length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % (300 * 1024));
    const wait = s.update(data.subarray(at, at + n));
    at += n;
    if (wait) await wait;
  }
}

const threads: HashThread[] = [];
function thread(opts: ConstructorParameters<typeof HashThread>[0] = {}): HashThread {
  const t = new HashThread(opts);
  threads.push(t);
  return t;
}
after(() => Promise.all(threads.map((t) => t.stop())));

describe('hash thread', () => {
  it('gives the sha256 of every byte, for sizes around its 1 MiB batches, several streams at once', async () => {
    const t = thread();
    const sizes = [0, 1, MiB - 1, MiB, MiB + 1, 5 * MiB + 123];
    const inputs = sizes.map((n) => randomBytes(n));
    const digests = await Promise.all(inputs.map(async (data, i) => {
      const s = t.open();
      await feed(s, data, i + 1);
      return s.digest();
    }));
    assert.deepEqual(digests, inputs.map(sha256));
  });

  it('copies what it is given: the caller may reuse a chunk as soon as update returns', async () => {
    const t = thread();
    const data = randomBytes(3 * MiB);
    const chunk = Buffer.alloc(64 * 1024);
    const s = t.open();
    for (let at = 0; at < data.length; at += chunk.length) {
      data.copy(chunk, 0, at, at + chunk.length);
      const wait = s.update(chunk);
      chunk.fill(0xee); // what a reused buffer would hold next
      if (wait) await wait;
    }
    assert.equal(await s.digest(), sha256(data));
  });

  it('asks its caller to wait once two batches are on the worker, and lets it go on when they are hashed', async () => {
    const t = thread();
    const s = t.open();
    assert.equal(s.update(randomBytes(MiB / 2)), undefined, 'nothing sent yet');
    const wait = s.update(randomBytes(3 * MiB));
    assert.ok(wait instanceof Promise, 'three batches out: wait');
    await wait;
    assert.equal(s.update(randomBytes(10)), undefined, 'the worker caught up');
    assert.match((await s.digest()) ?? '', /^[0-9a-f]{64}$/);
  });

  it('stops the worker once no stream has been open for idleMs, and starts it again for the next', async () => {
    const t = thread({ idleMs: 150, tickMs: 25 });
    const s = t.open();
    assert.ok(t.running);
    void s.update(randomBytes(1000));
    await s.digest();
    await sleep(50);
    assert.ok(t.running, 'not yet idle for long');
    await sleep(400);
    assert.ok(!t.running, 'stopped when idle');
    const again = t.open();
    assert.ok(t.running);
    void again.update(Buffer.from('berth'));
    assert.equal(await again.digest(), sha256(Buffer.from('berth')));
  });

  it('a discarded stream does not keep the worker', async () => {
    const t = thread({ idleMs: 100, tickMs: 25 });
    const s = t.open();
    void s.update(randomBytes(2 * MiB));
    s.discard();
    await sleep(400);
    assert.ok(!t.running);
  });

  it('gives up a stream fed nothing for staleMs: its digest is undefined, and the worker can stop', async () => {
    const t = thread({ idleMs: 100, staleMs: 200, tickMs: 25 });
    const quiet = t.open();
    const busy = t.open();
    void quiet.update(randomBytes(MiB + 5));
    const data = randomBytes(64 * 1024);
    for (let i = 0; i < 10; i++) {
      await sleep(50);
      void busy.update(data); // fed every 50 ms: never stale
    }
    assert.equal(await quiet.digest(), undefined);
    assert.equal(await busy.digest(), sha256(Buffer.concat(Array.from({ length: 10 }, () => data))));
    await sleep(400);
    assert.ok(!t.running);
  });

  it('a worker that goes away loses its streams: no digest, and a caller waiting to feed one is let go', async () => {
    const t = thread();
    const s = t.open();
    const wait = s.update(randomBytes(4 * MiB));
    assert.ok(wait instanceof Promise);
    // What a crash looks like from here: the worker exits without a word.
    await (t as unknown as { worker: Worker }).worker.terminate();
    await wait;
    assert.equal(await s.digest(), undefined);
    assert.ok(!t.running);
    const next = t.open();
    void next.update(Buffer.from('after'));
    assert.equal(await next.digest(), sha256(Buffer.from('after')), 'a new worker for the next stream');
  });

  it('keeps the process alive while a digest is coming, and not a moment after', async () => {
    const module = fileURLToPath(new URL('../../../main/lib/hash-thread.ts', import.meta.url));
    const script = `
      const { hashThread } = await import(${JSON.stringify(module)});
      const s = hashThread.open();
      void s.update(Buffer.alloc(3 * 1024 * 1024, 7));
      const t0 = Date.now();
      process.on('exit', () => console.log(JSON.stringify({ hex: digest, exitMs: Date.now() - t0 })));
      let digest;
      s.digest().then((hex) => (digest = hex));
    `;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const out = JSON.parse(stdout) as { hex: string; exitMs: number };
    assert.equal(out.hex, sha256(Buffer.alloc(3 * MiB, 7)));
    // The worker stops only after 5 idle seconds; the process must not wait for that.
    assert.ok(out.exitMs < 2_000, `exited ${out.exitMs} ms after asking`);
    assert.ok(Date.now() - started < 10_000);
  });
});
