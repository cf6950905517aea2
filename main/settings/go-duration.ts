// Milliseconds → the shortest Go duration string that says the same ("168h", "90m", "1h30m"),
// for showing durations from the loaded config in the form fields they came from.
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0';
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out;
}
