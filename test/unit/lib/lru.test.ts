// The LRU behind the stores' caches: least recently used out first, bounded by count or by weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lru } from '../../../main/lib/lru';

test('by count: a read refreshes an entry, the oldest goes first', () => {
  const c = new Lru<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1);
  c.set('c', 3);
  assert.equal(c.get('b'), undefined);
  assert.deepEqual([c.get('a'), c.get('c'), c.size], [1, 3, 2]);
});

test('by weight: heavy values push out as many light ones as needed, and the total stays bounded', () => {
  const c = new Lru<string, string>(100, (_k, v) => v.length);
  for (let i = 0; i < 10; i++) c.set(`k${i}`, 'x'.repeat(10));
  assert.equal(c.weight, 100);
  c.set('big', 'y'.repeat(45));
  assert.equal(c.weight, 95);
  assert.equal(c.size, 6);
  assert.equal(c.get('k4'), undefined);
  assert.equal(c.get('k5'), 'x'.repeat(10));
  // Replacing an entry counts only its new weight; one heavier than the bound is not kept.
  c.set('big', 'z');
  assert.equal(c.weight, 51);
  c.set('huge', 'w'.repeat(101));
  assert.equal(c.get('huge'), undefined);
  assert.equal(c.weight, 51);
  c.deleteWhere((k) => k.startsWith('k'));
  assert.deepEqual([c.size, c.weight], [1, 1]);
});
