// htpasswd users and Berth's roles, and the one rule for user names and passwords that the UI,
// the control API, `berth users` and the user service all apply (plain functions, no imports).
import type { Role } from './setting-table';

export interface UserView { user: string; role: Role; canLogIn: boolean }

export interface UsersMethods {
  'users.list': { args: Record<string, never>; result: UserView[] };
  'users.add': { args: { user: string; password: string; role: Role }; result: UserView[] };
  'users.setPassword': { args: { user: string; password: string }; result: UserView[] };
  'users.setRole': { args: { user: string; role: Role }; result: UserView[] };
  'users.remove': { args: { user: string }; result: UserView[] };
}

// A user name is a line prefix in an htpasswd file (`name:hash`; distribution trims each line
// and skips those starting with "#") and the user-id of HTTP Basic, which ends at the first ":"
// (RFC 7617). It is also a key in config.yml (berth.auth.roles), a CLI argument and a log field.
// Letters, digits and "._@-" are safe in all of these and cover plain names and e-mail
// addresses. Apache's `htpasswd -B` writes records of at most 255 bytes, which leaves it 193
// characters for a name beside the 60-character bcrypt hash; 128 stays well inside that, so a
// file Berth writes can still be edited with Apache's tool.
export const USER_NAME_MAX = 128;
const USER_NAME_CHARS = /^[A-Za-z0-9._@-]+$/;

// bcrypt hashes only the first 72 bytes of a password: a longer one is refused rather than
// silently cut, since two passwords that differ after byte 72 would both log in. At least 8
// characters (Unicode code points) is the floor NIST SP 800-63B sets for passwords people
// choose; the registry may be shared on the network, and htpasswd files end up in backups
// where short passwords fall to offline guessing. Control characters are refused: the CLI
// reads a password as one line, and C implementations of bcrypt stop at a NUL byte.
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_BYTES = 72;

/** Why `name` cannot be a user name, as a sentence for a form or the CLI; undefined when it can. */
export function userNameProblem(name: string): string | undefined {
  if (name === '') return 'Enter a user name.';
  if (name.length > USER_NAME_MAX) return `A user name has at most ${USER_NAME_MAX} characters.`;
  if (name.includes(':')) return 'A user name cannot contain ":" (it separates the name from the password).';
  if (!USER_NAME_CHARS.test(name)) return 'A user name is letters, digits, ".", "_", "@" and "-" only (no spaces).';
  return undefined;
}

/** Why `password` cannot be used, as a sentence for a form or the CLI; undefined when it can. */
export function passwordProblem(password: string): string | undefined {
  if (password === '') return 'Enter a password.';
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'A password cannot contain control characters (such as a tab or a line break).';
  if ([...password].length < PASSWORD_MIN_CHARS) return `A password has at least ${PASSWORD_MIN_CHARS} characters.`;
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
    return `A password has at most ${PASSWORD_MAX_BYTES} bytes (bcrypt ignores the rest): ${PASSWORD_MAX_BYTES} plain letters, fewer with accents or emoji.`;
  }
  return undefined;
}
