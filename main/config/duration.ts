// Go's time.Duration text format ("168h", "1h30m", "500ms", "0"), because distribution's
// config.yml is decoded with Go's time.ParseDuration. A bare YAML integer is a count of
// nanoseconds: that is what yaml.v2 does when it decodes an int into a time.Duration.

const NS_PER_UNIT: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// Go rejects durations beyond int64 nanoseconds (~292 years).
const MAX_NS = 9223372036854775807;

const UNITS_HELP = 'units are ns, us, ms, s, m, h';

/** Parses a Go duration string or a YAML integer (nanoseconds) into milliseconds (may be fractional). */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) {
      throw new Error(`invalid duration ${input}: a bare number is read as nanoseconds and must be a whole number; write e.g. "10s"`);
    }
    if (Math.abs(input) > MAX_NS) throw new Error(`invalid duration ${input}: out of range`);
    return input / 1e6;
  }
  return parseDurationString(input);
}

/**
 * parseDuration for anything a user sets (config keys, `--grace`, the maintenance channel): a
 * negative duration has no meaning there (a negative GC grace would make the future "old").
 */
export function parseNonNegativeDuration(input: string | number): number {
  const ms = parseDuration(input);
  if (ms < 0) throw new Error(`must not be negative (got ${JSON.stringify(input)})`);
  return ms === 0 ? 0 : ms; // "-0s" is zero, not -0
}

function parseDurationString(text: string): number {
  const fail = (why: string): never => {
    throw new Error(`invalid duration ${JSON.stringify(text)}: ${why}`);
  };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') fail(`expected a number followed by a unit, e.g. "10s" (${UNITS_HELP})`);
  let totalNs = 0;
  // Each component is a decimal number (digits, optional fraction) followed by a unit.
  const component = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (s !== '') {
    const m = component.exec(s);
    const whole = m?.[1] ?? '';
    const frac = m?.[2] ?? '';
    const unit = m?.[3] ?? '';
    if (!m || (whole === '' && frac === '')) fail(`expected a number at "${s}" (${UNITS_HELP})`);
    if (unit === '') fail(`missing unit after "${m![0]}" (${UNITS_HELP})`);
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) {
      if (/\s/.test(unit)) fail('spaces are not allowed; write e.g. "1h30m"');
      const extra = unit === 'd' || unit === 'w' ? '; Go durations have no days or weeks, write e.g. "168h" for 7 days' : '';
      fail(`unknown unit "${unit}" (${UNITS_HELP})${extra}`);
    }
    // Rounded to whole nanoseconds so "1.1s" is exactly 1100 ms, not 1100.0000000000002.
    totalNs += Math.round(Number(`${whole || '0'}.${frac || '0'}`) * scale!);
    s = s.slice(m![0].length);
  }
  if (totalNs > MAX_NS) fail('out of range (more than about 292 years)');
  return (sign * totalNs) / 1e6;
}

/** Why `text` is not a duration a user may set (see parseNonNegativeDuration), or undefined. */
export function durationProblem(text: string | number): string | undefined {
  try {
    parseNonNegativeDuration(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

// Whole units, largest first; what is left under a millisecond goes to us and ns, so a value
// parseDuration returned formats back to text that parses to the same value.
const FORMAT_UNITS: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/**
 * Milliseconds as the shortest Go duration text that parses back to them: 5400000 → "1h30m",
 * 1500 → "1s500ms", 1.5 → "1ms500us", 0 → "0" (as config.yml writes "never expire").
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`cannot format ${ms} as a duration`);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let whole = Math.trunc(ms);
  // Below a millisecond in whole nanoseconds, as parseDuration counts them.
  let ns = Math.round((ms - whole) * 1e6);
  if (ns === 1e6) {
    whole += 1;
    ns = 0;
  }
  let out = '';
  let rest = whole;
  for (const [unit, size] of FORMAT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  const us = Math.floor(ns / 1000);
  if (us > 0) out += `${us}us`;
  if (ns % 1000 > 0) out += `${ns % 1000}ns`;
  return out === '' ? '0' : out;
}
