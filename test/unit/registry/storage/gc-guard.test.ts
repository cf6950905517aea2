// The GC guard's contract with the blob store, on the in-memory driver: a session waits for
// guarded operations already running, protects what is touched, and a read of a digest being
// deleted waits and then sees it missing (never a blob that vanishes after the check).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Digest } from '../../../../main/registry/digest';
import { parseDigest } from '../../../../main/registry/reference';
import { BlobStore } from '../../../../main/registry/storage/blob-store';
import { InMemoryDriver } from '../../../../main/registry/storage/driver/inmemory';
import { GcGuard } from '../../../../main/registry/storage/gc-guard';

describe('GcGuard', () => {
  it('begin waits for guarded operations that started before it', async () => {
    const g = new GcGuard();
    let finish!: () => void;
    let finished = false;
    void g.run(() => new Promise<void>((r) => { finish = r; }).then(() => { finished = true; }));
    const begun = g.begin().then(() => finished);
    await new Promise((r) => setTimeout(r, 10));
    finish();
    assert.equal(await begun, true);
    g.end();
  });

  it('a touched digest cannot be claimed; a claimed one makes touch wait', async () => {
    const g = new GcGuard();
    await g.begin();
    assert.equal(g.touch('a'), undefined);
    assert.equal(g.claim('a'), undefined);
    const release = g.claim('b', 'c')!;
    assert.ok(release);
    assert.equal(g.claim('c'), undefined, 'already claimed');
    const waiting = g.touch('c');
    assert.ok(waiting);
    release();
    await waiting;
    assert.equal(g.claim('c'), undefined, 'protected after the wait');
    g.end();
    assert.throws(() => g.claim('d'), /outside a maintenance session/);
  });

  it('a size check during the delete of its blob waits and reports it missing', async () => {
    const blobs = new BlobStore(new InMemoryDriver());
    const canonical = await blobs.putSmall(Buffer.from('hello'));
    assert.equal(canonical.value, sha256Digest(Buffer.from('hello')));
    assert.equal(await blobs.size(canonical), 5); // cached now
    await blobs.guard.begin();
    const release = blobs.guard.claim(canonical.value)!;
    const check = blobs.size(parseDigest(canonical.value)!);
    await blobs.remove(canonical);
    release();
    assert.equal(await check, undefined);
    blobs.guard.end();
  });
});
