// The htpasswd file format as Apache's `htpasswd -B` writes it and distribution reads it:
// `user:hash` lines, `#` comments and blank lines ignored. Only bcrypt hashes ever match;
// other lines are kept (so a rewrite loses nothing) but reported.
import bcrypt from 'bcryptjs';

export interface HtpasswdEntry { user: string; hash: string }

export interface ParsedHtpasswd { entries: HtpasswdEntry[]; warnings: string[] }

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Cost 10 (Go's bcrypt.DefaultCost), what distribution uses for its generated file. */
export const BCRYPT_COST = 10;

export function isBcrypt(hash: string): boolean {
  return BCRYPT.test(hash);
}

export function parseHtpasswd(text: string): ParsedHtpasswd {
  const entries: HtpasswdEntry[] = [];
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      warnings.push(`line ${i + 1}: not a user:hash entry, ignored`);
      return;
    }
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (!isBcrypt(hash)) warnings.push(`line ${i + 1}: user ${JSON.stringify(user)} has a non-bcrypt hash and cannot log in (recreate it with htpasswd -B)`);
    entries.push({ user, hash });
  });
  return { entries, warnings };
}

export function serializeHtpasswd(entries: readonly HtpasswdEntry[]): string {
  return entries.map((e) => `${e.user}:${e.hash}\n`).join('');
}

/**
 * bcrypt with the `$2y$` prefix Apache's htpasswd writes: the same algorithm as bcryptjs's
 * `$2b$`, and the spelling every htpasswd reader (Apache, Go's bcrypt, bcryptjs) accepts. Which
 * passwords may be set is the user service's to check (passwordProblem), not the hash's.
 */
export async function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return (await bcrypt.hash(password, cost)).replace(/^\$2b\$/, '$2y$');
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return isBcrypt(hash) ? bcrypt.compare(password, hash) : Promise.resolve(false);
}
