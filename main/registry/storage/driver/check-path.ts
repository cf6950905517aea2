// Every key a driver sees passes through here: absolute, '/'-separated, with segments drawn
// from the characters the registry's grammars produce. No '..', no '.', no empty segments, no
// backslashes — so no request can name a file outside the storage root.
import { InvalidPathError } from './errors';

const SEGMENT = /^[A-Za-z0-9_=+-][A-Za-z0-9._=+-]*$/;

export function checkPath(path: string, driver: string): string[] {
  if (!path.startsWith('/')) throw new InvalidPathError(path, driver);
  if (path === '/') return [];
  const parts = path.slice(1).split('/');
  for (const p of parts) {
    if (!SEGMENT.test(p) || p === '.' || p === '..') throw new InvalidPathError(path, driver);
  }
  return parts;
}
