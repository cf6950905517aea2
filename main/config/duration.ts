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

/** Renders milliseconds as a short Go-style duration for messages, e.g. 5400000 → "1h30m". */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  const units: Array<[string, number]> = [['h', 3600e3], ['m', 60e3], ['s', 1e3], ['ms', 1]];
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [name, size] of units) {
    const n = name === 'ms' ? rest : Math.floor(rest / size);
    if (n > 0) out += `${n}${name}`;
    rest -= n * size;
  }
  return out;
}
