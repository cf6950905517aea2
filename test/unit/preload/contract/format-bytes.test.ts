// The one byte formatter of the CLI's gc/fsck reports and the UI's sizes: binary units, three
// significant digits, and no "1024 KiB" at a unit's edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes } from '../../../../preload/contract/format-bytes';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

test('whole bytes below 1 KiB, three significant digits above', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [KiB, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [2048, '2.00 KiB'], // the CLI's gc report of two 1 KiB blobs
    [10 * KiB - 1, '10.0 KiB'], // 9.999 rounds up: one decimal fewer, not "10.00"
    [34.5 * MiB, '34.5 MiB'],
    [99.96 * MiB, '100 MiB'],
    [210 * MiB + 123_456, '210 MiB'],
    [3.4 * GiB, '3.40 GiB'],
    [5 * 1024 * GiB, '5.00 TiB'],
    [2 * 1024 ** 5, '2.00 PiB'],
    [3000 * 1024 ** 5, '3000 PiB'], // the largest unit keeps counting
  ];
  for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, String(bytes));
});

test('a value that rounds to 1024 of a unit is shown in the next one', () => {
  assert.equal(formatBytes(MiB - 1), '1.00 MiB');
  assert.equal(formatBytes(1023.4 * KiB), '1023 KiB');
  assert.equal(formatBytes(GiB - KiB), '1.00 GiB');
});

test('an unknown size is a dash', () => {
  for (const v of [undefined, Number.NaN, Number.POSITIVE_INFINITY, -1]) assert.equal(formatBytes(v), '—', String(v));
});
