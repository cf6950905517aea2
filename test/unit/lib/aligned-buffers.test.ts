import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALIGNED_SIZE, alignedInUse, giveBackAligned, takeAligned } from '../../../main/lib/aligned-buffers';
import { tempDir } from '../../support/cleanup';

describe('aligned buffers', () => {
  it('lends at most the pool, each buffer to one owner at a time', () => {
    const all = takeAligned(100);
    assert.equal(all.length, 16);
    assert.equal(alignedInUse(), 16);
    assert.deepEqual(takeAligned(1), [], 'none left');
    for (const b of all) assert.equal(b.length, ALIGNED_SIZE);
    // Distinct, non-overlapping: a byte written through one shows up in no other.
    all.forEach((b, i) => b.fill(i));
    all.forEach((b, i) => assert.ok(b[0] === i && b[ALIGNED_SIZE - 1] === i, `buffer ${i}`));

    giveBackAligned(all.slice(0, 2));
    giveBackAligned(all.slice(0, 2)); // twice: still two
    assert.equal(alignedInUse(), 14);
    const again = takeAligned(4);
    assert.equal(again.length, 2);
    giveBackAligned([...all.slice(2), ...again]);
    assert.equal(alignedInUse(), 0);
  });

  it('are aligned for O_DIRECT: the kernel takes them for a direct write', { skip: constants.O_DIRECT === undefined && 'no O_DIRECT on this platform' }, async () => {
    const dir = await tempDir('berth-aligned-');
    try {
      const fh = await open(join(dir, 'f'), constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT);
      const [b] = takeAligned(1);
      try {
        b!.fill(7);
        assert.equal((await fh.write(b!, 0, ALIGNED_SIZE, 0)).bytesWritten, ALIGNED_SIZE);
        // The same memory one byte off is refused, so the write above proves the alignment.
        await assert.rejects(fh.write(Buffer.allocUnsafeSlow(2 * ALIGNED_SIZE).subarray(1, 4097), 0, 4096, 0), { code: 'EINVAL' });
      } finally {
        giveBackAligned([b!]);
        await fh.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
