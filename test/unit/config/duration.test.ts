import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDurationMs, parseDuration, parseNonNegativeDuration } from '../../../main/config/duration';

describe('parseDuration (Go time.Duration syntax → ms)', () => {
  const cases: Array<[string | number, number]> = [
    ['168h', 7 * 24 * 3600 * 1000],
    ['24h', 86_400_000],
    ['10s', 10_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['0', 0],
    ['0s', 0],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.1s', 1100],
    ['2m30.5s', 150_500],
    ['+5s', 5000],
    ['-1h', -3_600_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    // YAML integers are nanoseconds, as when yaml.v2 decodes an int into time.Duration.
    [10_000_000_000, 10_000],
    [0, 0],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected} ms`, () => assert.equal(parseDuration(input), expected));
  }

  const bad: Array<[string | number, RegExp]> = [
    ['', /expected a number followed by a unit/],
    ['10', /missing unit/],
    ['abc', /expected a number/],
    ['7d', /no days or weeks.*168h/],
    ['1h 30m', /spaces are not allowed/],
    ['5 s', /spaces are not allowed/],
    ['1x', /unknown unit "x"/],
    ['.s', /expected a number/],
    ['1.2.3s', /missing unit/],
    ['999999999h', /out of range/],
    [1.5, /whole number/],
  ];
  for (const [input, pattern] of bad) {
    it(`rejects ${JSON.stringify(input)} with a clear message`, () => {
      assert.throws(() => parseDuration(input), (e: Error) => pattern.test(e.message) && e.message.startsWith('invalid duration'));
    });
  }

  it('refuses negative durations where users set them (config, --grace), with the value in the message', () => {
    for (const v of ['-5m', '-1ns', -1]) {
      assert.throws(() => parseNonNegativeDuration(v), (e: Error) => e.message === `must not be negative (got ${JSON.stringify(v)})`);
    }
    assert.equal(parseNonNegativeDuration('0'), 0);
    assert.equal(parseNonNegativeDuration('-0s'), 0);
    assert.equal(parseNonNegativeDuration('1h'), 3_600_000);
    assert.throws(() => parseNonNegativeDuration('7d'), /no days or weeks/);
  });

  it('formats milliseconds for messages', () => {
    assert.equal(formatDurationMs(5_400_000), '1h30m');
    assert.equal(formatDurationMs(0), '0s');
    assert.equal(formatDurationMs(1500), '1s500ms');
  });
});
