// GC's mark set: what is added is found (through growth from 65,536 slots to millions), what is
// not is not, and `see` / `seen` track which marked blobs were found on disk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DigestPrefixSet } from '../../../../../main/registry/storage/maintenance/digest-set';

const digest = (i: number, alg = 'sha256') => `${alg}:${createHash(alg).update(`blob ${i}`).digest('hex')}`;

test('finds every digest added, through growth, and no other', () => {
  const set = new DigestPrefixSet();
  const n = 200_000;
  for (let i = 0; i < n; i++) set.add(digest(i));
  for (let i = 0; i < n; i += 7) set.add(digest(i)); // again: counted once
  assert.equal(set.size, n);
  for (let i = 0; i < n; i++) assert.equal(set.has(digest(i)), true, `digest ${i}`);
  for (let i = n; i < 2 * n; i++) assert.equal(set.has(digest(i)), false, `digest ${i} was never added`);
});

test('see marks a present digest as found on disk; an absent one stays absent', () => {
  const set = new DigestPrefixSet();
  set.add(digest(1));
  set.add(digest(2, 'sha512'));
  assert.equal(set.seen(digest(1)), false);
  assert.equal(set.see(digest(1)), true);
  assert.equal(set.seen(digest(1)), true);
  assert.equal(set.seen(digest(2, 'sha512')), false);
  assert.equal(set.see(digest(3)), false);
  assert.equal(set.has(digest(3)), false, 'see does not add');
  // Seen survives growth.
  for (let i = 10; i < 100_000; i++) set.add(digest(i));
  assert.equal(set.seen(digest(1)), true);
  assert.equal(set.seen(digest(10)), false);
});
