import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BULK_SIZE, bulkInUse, giveBack, POOL_BUFFERS, takeBuffer, takePooled } from '../../../main/lib/bulk-buffers';
import { tempDir } from '../../support/cleanup';

describe('bulk buffers', () => {
  it('lends at most the pool, each buffer to one owner at a time', () => {
    const all = takePooled(100);
    assert.equal(all.length, POOL_BUFFERS);
    assert.equal(bulkInUse(), POOL_BUFFERS);
    assert.deepEqual(takePooled(1), [], 'none left');
    for (const b of all) assert.equal(b.length, BULK_SIZE);
    // Distinct, non-overlapping: a byte written through one shows up in no other.
    all.forEach((b, i) => b.fill(i));
    all.forEach((b, i) => assert.ok(b[0] === i && b[BULK_SIZE - 1] === i, `buffer ${i}`));

    giveBack(...all.slice(0, 2));
    giveBack(...all.slice(0, 2)); // twice: still two
    assert.equal(bulkInUse(), POOL_BUFFERS - 2);
    const again = takePooled(4);
    assert.equal(again.length, 2);
    giveBack(...all.slice(2), ...again);
    assert.equal(bulkInUse(), 0);
  });

  it('takeBuffer lends a pool buffer when one is free, and a fresh one otherwise', () => {
    const pooled = takeBuffer();
    assert.equal(pooled.length, BULK_SIZE);
    assert.equal(bulkInUse(), 1);
    const small = takeBuffer(1000);
    assert.equal(small.length, 1000);
    assert.equal(bulkInUse(), 1, 'a smaller buffer does not come from the pool');
    const rest = takePooled(POOL_BUFFERS);
    const fresh = takeBuffer();
    assert.equal(fresh.length, BULK_SIZE);
    assert.notEqual(fresh.buffer, pooled.buffer, 'the pool is out: a fresh buffer');
    giveBack(fresh, small); // not the pool's: left to the GC
    assert.equal(bulkInUse(), POOL_BUFFERS);
    giveBack(pooled, ...rest);
    assert.equal(bulkInUse(), 0);
    // Last in, first out: the buffer given back last is lent next, so the pages in use stay few.
    assert.equal(takeBuffer(), rest.at(-1));
    giveBack(rest.at(-1)!);
  });

  it('a buffer never given back does not keep the pool: after 5 s without use a new pool is made', async () => {
    const [kept] = takePooled(1);
    kept!.fill(3);
    giveBack(...takePooled(3)); // in use a moment later: the 5 s start again
    await new Promise((r) => setTimeout(r, 5_500));
    assert.equal(bulkInUse(), 0, 'the kept buffer no longer counts');
    const all = takePooled(POOL_BUFFERS);
    assert.equal(all.length, POOL_BUFFERS, 'a whole new pool');
    assert.ok(all.every((b) => b.buffer !== kept!.buffer), 'none of it shares the kept buffer\'s memory');
    assert.equal(kept![0], 3, 'the kept buffer still holds its bytes');
    giveBack(kept!); // not the new pool's: ignored
    assert.equal(bulkInUse(), POOL_BUFFERS);
    giveBack(...all);
  });

  it('are aligned for O_DIRECT: the kernel takes them for a direct write', { skip: constants.O_DIRECT === undefined && 'no O_DIRECT on this platform' }, async () => {
    const dir = await tempDir('berth-aligned-');
    try {
      const fh = await open(join(dir, 'f'), constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT);
      const [b] = takePooled(1);
      try {
        b!.fill(7);
        assert.equal((await fh.write(b!, 0, BULK_SIZE, 0)).bytesWritten, BULK_SIZE);
        // The same memory one byte off is refused, so the write above proves the alignment.
        await assert.rejects(fh.write(Buffer.allocUnsafeSlow(2 * BULK_SIZE).subarray(1, 4097), 0, 4096, 0), { code: 'EINVAL' });
      } finally {
        giveBack(b!);
        await fh.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
