// A built-in Bearer token service, used when anonymous pull is on. Docker only sends
// credentials after a challenge on its first `GET /v2/`; with Basic auth that ping must then
// fail for everyone, which breaks anonymous pulls (and a daemon's registry-mirrors). With a
// token challenge — what Docker Hub does — anonymous clients fetch a pull-only token and
// logged-in clients fetch one carrying their role's rights, so both work.
//
// Tokens are compact JWTs (HS256) signed with a per-process key: they live a few minutes and a
// restart simply makes clients fetch new ones. A valid signature is not the whole check: the
// controller checks a user's token against the current user list and role at every use, with
// `uv`, a keyed fingerprint of the user's htpasswd hash when the token was issued.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Action } from './access';

export interface TokenAccess { type: 'repository' | 'registry'; name: string; actions: string[] }

export interface TokenClaims {
  sub: string;
  access: TokenAccess[];
  exp: number;
  iat: number;
  /** Fingerprint of the user's credential at issue (absent for anonymous tokens). */
  uv?: string;
}

export const TOKEN_TTL_S = 300;

export class TokenService {
  private readonly key = randomBytes(32);

  issue(subject: string, access: TokenAccess[], opts: { now?: number; uv?: string } = {}): { token: string; access_token: string; expires_in: number; issued_at: string } {
    const iat = Math.floor((opts.now ?? Date.now()) / 1000);
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64(JSON.stringify({ iss: 'berth', sub: subject, aud: 'berth', access, iat, nbf: iat - 5, exp: iat + TOKEN_TTL_S, ...(opts.uv ? { uv: opts.uv } : {}) }));
    const token = `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
    return { token, access_token: token, expires_in: TOKEN_TTL_S, issued_at: new Date(iat * 1000).toISOString() };
  }

  /** The claims of a valid, unexpired token; undefined otherwise. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as TokenClaims;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now() || !Array.isArray(claims.access)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** Parses `scope` parameters: `repository:<name>:pull,push` and `registry:catalog:*`. */
export function parseScopes(scopes: readonly string[]): TokenAccess[] {
  const out: TokenAccess[] = [];
  for (const s of scopes.flatMap((x) => x.split(' '))) {
    const first = s.indexOf(':');
    const last = s.lastIndexOf(':');
    if (first <= 0 || last === first) continue;
    const type = s.slice(0, first);
    if (type !== 'repository' && type !== 'registry') continue;
    out.push({ type, name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',').filter(Boolean) });
  }
  return out;
}

/** Whether a token's access list covers one requested access. */
export function tokenAllows(access: readonly TokenAccess[], action: Action, name: string | undefined): boolean {
  if (action === 'catalog') return access.some((a) => a.type === 'registry' && a.name === 'catalog' && a.actions.includes('*'));
  if (name === undefined) return true; // the base endpoint: any valid token
  return access.some((a) => a.type === 'repository' && a.name === name && (a.actions.includes(action) || a.actions.includes('*')));
}

/** The scope string a challenge names for a set of accesses (what the client should ask for). */
export function scopeFor(action: Action, name: string | undefined): string | undefined {
  if (action === 'catalog') return 'registry:catalog:*';
  if (!name) return undefined;
  return `repository:${name}:${action === 'push' ? 'pull,push' : action}`;
}
