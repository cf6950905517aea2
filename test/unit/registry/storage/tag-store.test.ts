// Two pushes of one tag racing: whichever write reaches current/link last must also be what
// the cache serves, or a restart would move the tag.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { parseDigest } from '../../../../main/registry/reference';
import { InMemoryDriver } from '../../../../main/registry/storage/driver/inmemory';
import { paths } from '../../../../main/registry/storage/paths';
import { cacheBudgetFor } from '../../../../main/registry/storage/cache-budget';
import { TagStore } from '../../../../main/registry/storage/tag-store';

const A = parseDigest(`sha256:${'a'.repeat(64)}`)!;
const B = parseDigest(`sha256:${'b'.repeat(64)}`)!;

/** The first write of current/link lands at once but is acknowledged late, as a slow fsync would be. */
class SlowFirstAck extends InMemoryDriver {
  private delayed = false;
  override async putContent(path: string, content: Uint8Array): Promise<void> {
    await super.putContent(path, content);
    if (path.endsWith('/current/link') && !this.delayed) {
      this.delayed = true;
      await sleep(50);
    }
  }
}

test('concurrent sets of one tag: the cache and current/link agree', async () => {
  const driver = new SlowFirstAck();
  const tags = new TagStore(driver);
  await Promise.all([tags.set('r', 'race', A), sleep(5).then(() => tags.set('r', 'race', B))]);
  const onDisk = (await driver.getContent(paths.tagCurrent('r', 'race'))).toString('utf8');
  assert.equal((await tags.resolve('r', 'race'))?.value, onDisk);
  assert.equal((await new TagStore(driver).resolve('r', 'race'))?.value, onDisk, 'what a restart reads');
});

/** The first read of current/link returns what it read only after a while, as a slow disk would. */
class SlowFirstRead extends InMemoryDriver {
  private delayed = false;
  override async getContent(path: string): Promise<Buffer> {
    const content = await super.getContent(path);
    if (path.endsWith('/current/link') && !this.delayed) {
      this.delayed = true;
      await sleep(50);
    }
    return content;
  }
}

test('a read that started before a write does not cache the old digest', async () => {
  const driver = new SlowFirstRead();
  await new TagStore(driver).set('r', 't', A);
  const tags = new TagStore(driver);
  const reading = tags.resolve('r', 't'); // reads A, answers late
  await sleep(5);
  await tags.set('r', 't', B);
  await reading;
  assert.equal((await tags.resolve('r', 't'))?.value, B.value);
});

/** Every read of current/link takes 40 ms, as a request to an object store does. */
class SlowReads extends InMemoryDriver {
  override async getContent(path: string): Promise<Buffer> {
    const content = await super.getContent(path);
    await sleep(40);
    return content;
  }
}

test('without a cache (a bucket other nodes share), concurrent reads of one tag do not wait for each other', async () => {
  const driver = new SlowReads();
  const tags = new TagStore(driver, cacheBudgetFor(true));
  await tags.set('r', 't', A);
  const started = performance.now();
  const got = await Promise.all(Array.from({ length: 8 }, () => tags.resolve('r', 't')));
  const took = performance.now() - started;
  assert.deepEqual(got.map((d) => d?.value), Array(8).fill(A.value));
  // One after another they would take 8 × 40 ms.
  assert.ok(took < 200, `8 concurrent reads took ${took.toFixed(0)} ms`);
  // And each read is fresh: a change behind this store's back is seen at once.
  await driver.putContent(paths.tagCurrent('r', 't'), Buffer.from(B.value));
  assert.equal((await tags.resolve('r', 't'))?.value, B.value);
});
