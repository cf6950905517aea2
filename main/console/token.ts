// The console's bearer token: random, shown once in the URL `berth serve --console` prints, and
// written 0600 to `<dataDir>/console-token` for scripts. A new one is made at every start, so a
// token that leaked dies with the process. Compared in constant time.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-file';

export function newConsoleToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function writeConsoleToken(dataDir: string, token: string): Promise<string> {
  const path = join(dataDir, 'console-token');
  await writeFileAtomic(path, token + '\n', 0o600);
  return path;
}

/** Constant-time comparison; hashing first makes the lengths equal without leaking them. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
