import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { durationProblem, formatDuration, parseDuration, parseNonNegativeDuration } from '../../../main/config/duration';

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

  it('durationProblem says why a duration cannot be set, or nothing', () => {
    assert.equal(durationProblem('168h'), undefined);
    assert.equal(durationProblem(0), undefined);
    assert.match(durationProblem('7d') ?? '', /^invalid duration "7d": .*168h/);
    assert.match(durationProblem('-1s') ?? '', /must not be negative/);
  });
});

describe('formatDuration (ms → Go time.Duration syntax) and back', () => {
  const canonical: Array<[string, string]> = [
    ['168h', '168h'],
    ['90m', '1h30m'],
    ['1h30m', '1h30m'],
    ['1.5h', '1h30m'],
    ['3600s', '1h'],
    ['0', '0'],
    ['0s', '0'],
    ['1500ms', '1s500ms'],
    ['2m30.5s', '2m30s500ms'],
    ['1500us', '1ms500us'],
    ['1µs', '1us'],
    ['2000000ns', '2ms'],
    ['1ns', '1ns'],
    ['1h1ms1us1ns', '1h1ms1us1ns'],
    ['-90m', '-1h30m'],
    ['2562047h', '2562047h'], // near Go's int64 limit
  ];
  for (const [text, expected] of canonical) {
    it(`${text} → ${expected}, which parses to the same value`, () => {
      const ms = parseDuration(text);
      assert.equal(formatDuration(ms), expected);
      assert.equal(parseDuration(formatDuration(ms)), ms);
    });
  }

  // Milliseconds are a double: to the nanosecond they are exact for about 11 days (1e15 ns);
  // longer durations are whole milliseconds in practice and are checked below.
  it('any whole number of nanoseconds up to 1e15 formats to text that parses back to it', () => {
    fc.assert(fc.property(fc.integer({ min: -1e15, max: 1e15 }), (ns) => {
      const ms = parseDuration(ns); // a bare number is nanoseconds
      const text = formatDuration(ms);
      assert.match(text, /^(0|-?(\d+(h|m|s|ms|us|ns))+)$/);
      assert.equal(parseDuration(text), ms, `${ns} ns → ${text}`);
    }), { numRuns: 2000 });
  });

  it('any whole number of milliseconds formats with units no finer than ms', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 365 * 24 * 3_600_000 }), (ms) => {
      const text = formatDuration(ms);
      assert.doesNotMatch(text, /us|ns/);
      assert.equal(parseDuration(text), ms);
    }), { numRuns: 2000 });
  });

  it('refuses what is not a number of milliseconds', () => {
    assert.throws(() => formatDuration(Number.NaN), /cannot format NaN/);
    assert.throws(() => formatDuration(Number.POSITIVE_INFINITY), /cannot format Infinity/);
  });
});
