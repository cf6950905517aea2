// The --scale flags: sizes and parts are read strictly, so a typo fails the run up front
// instead of an hour into it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SIZES, SCALE_PARTS, parseParts, parseSizes } from '../../../../bench/scale/run';

test('--sizes: whole numbers ≥ 1, comma-separated; the default when absent', () => {
  assert.deepEqual(parseSizes(undefined), DEFAULT_SIZES);
  assert.deepEqual(parseSizes('1000, 10000'), [1000, 10000]);
  for (const bad of ['10k', '0', '1.5', '1000,,2']) assert.throws(() => parseSizes(bad), /--sizes/);
});

test('--scale-parts: a subset of gc, fsck, pull; all when absent, none when empty', () => {
  assert.deepEqual([...parseParts(undefined)], [...SCALE_PARTS]);
  assert.deepEqual([...parseParts('pull,gc')], ['pull', 'gc']);
  assert.equal(parseParts('').size, 0);
  assert.throws(() => parseParts('gc,fcsk'), /fcsk/);
});
