// eachLimited: every item once, never more than `limit` calls in flight, and a failure rejects.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { eachLimited } from '../../../main/lib/each-limited';

test('runs every item once with at most `limit` in flight', async () => {
  const items = Array.from({ length: 40 }, (_, i) => i);
  const seen: number[] = [];
  let inFlight = 0;
  let most = 0;
  await eachLimited(items, 5, async (i) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(i % 3);
    seen.push(i);
    inFlight--;
  });
  assert.deepEqual([...seen].sort((a, b) => a - b), items);
  assert.equal(most, 5);
});

test('an empty list calls nothing; a failing call rejects', async () => {
  await eachLimited([], 4, async () => assert.fail('called'));
  await assert.rejects(eachLimited([1, 2, 3], 2, async (i) => { if (i === 2) throw new Error('boom'); }), /boom/);
});
