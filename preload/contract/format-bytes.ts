// Byte counts for people, in binary units as `du -h` and Docker show them: "512 B", "2.00 KiB",
// "34.5 MiB", "210 MiB". Three significant digits keep the error under half a percent at every
// size. One function for the CLI's reports and the UI, so both print a size alike.
const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** "—" for an unknown size (undefined, NaN, negative). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.6 KiB would print as "1024 KiB": carry it into the next unit instead.
  if (threeDigits(value) === '1024' && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${threeDigits(value)} ${UNITS[unit]}`;
}

function threeDigits(value: number): string {
  return value < 9.995 ? value.toFixed(2) : value < 99.95 ? value.toFixed(1) : value.toFixed(0);
}
