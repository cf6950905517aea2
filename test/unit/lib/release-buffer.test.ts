// releaseBuffer frees a buffer's memory without waiting for the GC, and only a buffer that is
// the whole of its memory; LentChunks frees chunks only once the writer is done with them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LentChunks, releaseBuffer } from '../../../main/lib/release-buffer';

const MiB = 1024 * 1024;

describe('releaseBuffer', () => {
  it('frees the memory at once: no GC runs between the two readings', () => {
    const buf = Buffer.allocUnsafeSlow(64 * MiB).fill(1);
    const before = process.memoryUsage().arrayBuffers;
    assert.equal(releaseBuffer(buf), true);
    const after = process.memoryUsage().arrayBuffers;
    assert.ok(before - after >= 64 * MiB, `external buffers fell by ${(before - after) / MiB} MiB`);
    assert.equal(buf.length, 0, 'the buffer is empty now');
  });

  it('leaves alone a buffer that shares its memory, and an empty one', () => {
    const whole = Buffer.allocUnsafeSlow(1000).fill(7);
    const part = whole.subarray(0, 500);
    assert.equal(releaseBuffer(part), false);
    assert.equal(releaseBuffer(whole.subarray(500)), false);
    assert.equal(part.length, 500);
    assert.equal(whole[999], 7);
    const pooled = Buffer.from('small'); // a slice of node's shared 8 KiB pool
    assert.equal(releaseBuffer(pooled), false);
    assert.equal(pooled.toString(), 'small');
    assert.equal(releaseBuffer(Buffer.alloc(0)), false);
  });

  it('leaves alone memory that cannot be detached (a WebAssembly memory)', () => {
    const { buffer } = new (globalThis as unknown as { WebAssembly: { Memory: new (s: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly.Memory({ initial: 1 });
    const view = Buffer.from(buffer);
    view[0] = 9;
    assert.equal(releaseBuffer(view), false);
    assert.equal(view[0], 9);
  });
});

describe('LentChunks', () => {
  it('frees each chunk once the writer is done up to its end, and nothing while the writer keeps no count', () => {
    const lent = new LentChunks();
    const chunks = [10, 20, 30].map((n) => Buffer.allocUnsafeSlow(n).fill(n));
    let end = 0;
    for (const c of chunks) lent.add(c, (end += c.length));
    lent.release(undefined);
    assert.deepEqual(chunks.map((c) => c.length), [10, 20, 30]);
    lent.release(29); // the second chunk ends at 30: still held
    assert.deepEqual(chunks.map((c) => c.length), [0, 20, 30]);
    lent.release(60);
    assert.deepEqual(chunks.map((c) => c.length), [0, 0, 0]);
    lent.release(60); // again: nothing left to free
  });
});
