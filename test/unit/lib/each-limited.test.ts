// eachLimited, mapLimited and drainStack: every item once, never more than `limit` calls in
// flight, results in order, and a failure rejects.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { drainStack, eachLimited, mapLimited } from '../../../main/lib/each-limited';

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

test('mapLimited keeps the order of its items whatever order the calls end in', async () => {
  const items = Array.from({ length: 30 }, (_, i) => i);
  const out = await mapLimited(items, 4, async (i) => {
    await sleep((30 - i) % 5);
    return i * 2;
  });
  assert.deepEqual(out, items.map((i) => i * 2));
});

test('drainStack works a stack that grows as it is worked, at most `limit` at a time', async () => {
  // A tree three levels deep, three children per node: 1 + 3 + 9 + 27 nodes.
  const seen: string[] = [];
  let inFlight = 0;
  let most = 0;
  await drainStack(['r'], 4, async (node, push) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(node.length % 3);
    seen.push(node);
    if (node.length < 4) for (const c of ['a', 'b', 'c']) push(node + c);
    inFlight--;
  });
  assert.equal(seen.length, 40);
  assert.equal(new Set(seen).size, 40);
  assert.equal(most, 4);
  await assert.rejects(drainStack([1], 2, async (n, push) => { if (n === 3) throw new Error('deep'); push(n + 1); }), /deep/);
});

test('after a failure nothing new starts, and the rejection waits for the calls in flight', async () => {
  const started: number[] = [];
  const ended: number[] = [];
  const slow = async (i: number) => {
    started.push(i);
    if (i === 1) throw new Error('boom');
    await sleep(30);
    ended.push(i);
  };
  await assert.rejects(eachLimited([0, 1, 2, 3, 4, 5], 3, slow), /boom/);
  assert.deepEqual(started, [0, 1, 2], 'no call started after the failure');
  assert.deepEqual(ended.sort(), [0, 2], 'the calls in flight had ended when it rejected');

  started.length = 0;
  ended.length = 0;
  await assert.rejects(drainStack([5, 4, 3, 2, 1, 0], 3, (i) => slow(i)), /boom/);
  assert.deepEqual(started, [0, 1, 2]);
  assert.deepEqual(ended.sort(), [0, 2]);
});
