// HTTP Basic authentication over an htpasswd file (auth.htpasswd), with Berth's roles on top.
//
// Docker sends Basic credentials with every request, and bcrypt on every request is what costs
// distribution two thirds of its throughput with auth on. Here a credential is checked with
// bcrypt once; then a keyed HMAC of it (never the password) is kept in memory for a short time
// and later requests are checked against that proof in constant time. The proof is dropped when
// the user's hash changes or the user goes away.
//
// bcrypt itself runs on worker threads (users/bcrypt-pool.ts), after the failure limiter has
// counted the attempt. Proofs and Bearer tokens are re-checked at every use against the user
// list and roles as they are now: a removed user, a changed password or a lowered role takes
// effect on the next request, not when a cache or a token expires.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import { addressSet, clientAddress, clientKey } from '../../lib/client-address';
import type { Logger } from '../../lib/logger';
import { BcryptBusyError, sharedBcryptPool, type BcryptPool } from '../../users/bcrypt-pool';
import { HtpasswdFile } from '../../users/htpasswd-file';
import { isBcrypt } from '../../users/htpasswd';
import { RegistryError } from '../errors';
import type { Access, AccessController, Action, Grant } from './access';
import { FailureLimiter } from './failure-limiter';
import { allows, type Role } from './roles';
import { parseScopes, scopeFor, tokenAllows, TokenService } from './token-service';

export interface HtpasswdControllerOptions {
  realm: string;
  path: string;
  roles: Readonly<Record<string, Role>>;
  defaultRole: Role;
  /** Let requests without credentials pull (and ping), so a Docker mirror client works. */
  anonymousPull: boolean;
  /** How long a verified credential is trusted without bcrypt. */
  proofTtlMs?: number;
  /** Absolute URL of the token endpoint as the requesting client reaches it (anonymous-pull mode). */
  tokenRealm?: (req: IncomingMessage) => string;
  /** Reverse proxies (addresses, CIDRs) whose X-Forwarded-For names the client (berth.auth.trustedproxies). */
  trustedProxies?: readonly string[];
  /** Where bcrypt runs; by default the process's shared worker pool. */
  bcrypt?: BcryptPool;
  log: Logger;
}

interface Proof { mac: Buffer; hash: string; expires: number }

// Unknown users are compared against this bcrypt hash (of a random secret nobody kept, at the
// file's usual cost 10), so they cost the same time as a wrong password. Its secret does not
// matter: an unknown user is refused whatever the compare says.
const DUMMY_HASH = '$2y$10$ihF2oBMUmhvtH2wdyUr53uD0dNYwB/K8Twri4xUNtvAckD3QiffYm';


export class HtpasswdController implements AccessController {
  private readonly file: HtpasswdFile;
  private readonly proofs = new Map<string, Proof>();
  private readonly headerProofs = new Map<string, { user: string; hash: string; expires: number }>();
  private readonly key = randomBytes(32);
  private readonly limiter = new FailureLimiter();
  private readonly tokenService = new TokenService();
  private opts: HtpasswdControllerOptions;
  private ttl = 0;
  private trusted: BlockList | undefined;
  private bcrypt!: BcryptPool;

  constructor(opts: HtpasswdControllerOptions) {
    this.opts = opts;
    this.file = new HtpasswdFile(opts.path);
    this.update(opts);
  }

  /** Whether update() can take these options (same file and realm); otherwise make a new controller. */
  canUpdate(opts: HtpasswdControllerOptions): boolean {
    return opts.path === this.opts.path && opts.realm === this.opts.realm;
  }

  /**
   * Applies changed roles, anonymous access and limits in place: tokens, proofs and the failure
   * limiter's records survive, so a settings change neither logs everyone out nor resets a
   * blocked guesser. Roles are read at every use, so a lowered role applies to the next request.
   */
  update(opts: HtpasswdControllerOptions): void {
    if (!this.canUpdate(opts)) throw new Error('htpasswd controller: a different file or realm needs a new controller');
    this.opts = opts;
    this.ttl = opts.proofTtlMs ?? 5 * 60_000;
    this.trusted = addressSet(opts.trustedProxies ?? []);
    this.bcrypt = opts.bcrypt ?? sharedBcryptPool();
    this.bcrypt.warm(); // the first login should not wait for a thread to start
  }

  /** Re-reads the users file now (after `berth users …` changed it). */
  reload(): Promise<void> {
    return this.file.reload();
  }

  /** The token service in anonymous-pull mode, where clients authenticate with tokens (token-service.ts). */
  private get tokens(): TokenService | undefined {
    return this.opts.anonymousPull && this.opts.tokenRealm ? this.tokenService : undefined;
  }

  async authorize(req: IncomingMessage, accesses: readonly Access[]): Promise<Grant> {
    const header = req.headers.authorization;
    const bearer = this.tokens && header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (bearer !== undefined) return this.authorizeToken(req, bearer, accesses);
    // Docker sends the same credentials with every request: a header proven a moment ago is
    // accepted without bcrypt and without waiting for anything (see provenUser).
    const proven = header ? this.provenUser(header) : undefined;
    if (proven) return this.grant(proven, accesses);
    const creds = parseBasic(header);
    if (!creds) {
      // Anonymous pulls go straight through; only the ping is challenged, so that clients
      // learn where to log in (Docker sends credentials only after a challenge).
      if (this.opts.anonymousPull && accesses.every((a) => a.action === 'pull' && a.name !== undefined)) return {};
      // The normal first request of every client: not worth more than a debug line.
      this.opts.log.debug('authentication required', { client: req.socket.remoteAddress });
      throw this.challenge(req, accesses);
    }
    const user = await this.login(req, creds);
    if (!user) throw this.challenge(req, accesses);
    this.rememberHeader(header!, user);
    return this.grant(user, accesses);
  }

  private roleOf(user: string): Role {
    return this.opts.roles[user] ?? this.opts.defaultRole;
  }

  private grant(user: string, accesses: readonly Access[]): Grant {
    const role = this.roleOf(user);
    const denied = accesses.find((a) => !allows(role, a.action));
    if (denied) throw deniedError(user, role, denied);
    return { user };
  }

  /**
   * The user of an Authorization header that passed bcrypt recently, checked synchronously: the
   * header is kept only as a keyed hash (never the password), and the proof holds while the
   * user's htpasswd hash is unchanged and the proof is younger than the credential cache TTL.
   */
  private provenUser(header: string): string | undefined {
    const p = this.headerProofs.get(this.headerKey(header));
    if (!p || p.expires <= Date.now()) return undefined;
    return this.file.snapshot()?.get(p.user) === p.hash ? p.user : undefined;
  }

  private rememberHeader(header: string, user: string): void {
    const hash = this.file.snapshot()?.get(user);
    if (hash === undefined) return;
    if (this.headerProofs.size > 10_000) this.headerProofs.clear(); // bounded: a flood of distinct headers
    this.headerProofs.set(this.headerKey(header), { user, hash, expires: Date.now() + this.ttl });
  }

  private headerKey(header: string): string {
    return createHash('sha256').update(this.key).update(header).digest('base64');
  }

  /**
   * Checks Basic credentials (bcrypt once, then the cached proof), against the users file as it
   * is now. The failure limiter counts the attempt before anything is checked.
   */
  async login(req: IncomingMessage, creds: { user: string; password: string }): Promise<string | undefined> {
    const client = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trusted);
    const key = clientKey(client);
    await this.limiter.begin(key);
    let ok: boolean;
    try {
      const hash = (await this.file.current()).get(creds.user);
      ok = await this.verify(creds.user, creds.password, hash);
    } catch (err) {
      if (!(err instanceof BcryptBusyError)) throw err;
      this.limiter.release(key); // not judged: it must not count against the client
      throw new RegistryError('too-many-requests', err.message, undefined, { 'Retry-After': '1' });
    }
    if (!ok) {
      this.opts.log.warn('authentication failed', { user: creds.user, client });
      return undefined;
    }
    this.limiter.succeed(key);
    return creds.user;
  }

  /** The token endpoint: what a client (anonymous or logged in) may do, as a token. */
  async issueToken(req: IncomingMessage, url: URL): Promise<ReturnType<TokenService['issue']>> {
    if (!this.tokens) throw new RegistryError('endpoint-unknown');
    const creds = parseBasic(req.headers.authorization);
    let user: string | undefined;
    if (creds) {
      user = await this.login(req, creds);
      if (!user) throw this.challenge(req, [], 'Basic');
    }
    const role = user ? this.roleOf(user) : undefined;
    const granted = parseScopes(url.searchParams.getAll('scope')).map((a) => ({
      ...a,
      actions: a.actions.filter((action) => grantable(role, this.opts.anonymousPull, a.type, action)),
    })).filter((a) => a.actions.length > 0);
    const hash = user ? this.file.snapshot()?.get(user) : undefined;
    return this.tokens.issue(user ?? '', granted, hash !== undefined ? { uv: this.fingerprint(user!, hash) } : {});
  }

  /**
   * A user's token holds while the user exists with the credential it was issued for (a removed
   * user or a changed password ends it: 401, so the client logs in again), and it allows only
   * what the user's role allows now (403 when the role was lowered since).
   */
  private async authorizeToken(req: IncomingMessage, token: string, accesses: readonly Access[]): Promise<Grant> {
    const claims = this.tokens!.verify(token);
    if (!claims) throw this.challenge(req, accesses, undefined, 'invalid_token');
    if (claims.sub) {
      const hash = (this.file.snapshot() ?? (await this.file.users())).get(claims.sub);
      if (hash === undefined || !sameText(this.fingerprint(claims.sub, hash), claims.uv)) {
        throw this.challenge(req, accesses, undefined, 'invalid_token');
      }
    }
    if (!accesses.every((a) => tokenAllows(claims.access, a.action, a.name))) {
      throw this.challenge(req, accesses, undefined, 'insufficient_scope');
    }
    return claims.sub ? this.grant(claims.sub, accesses) : {};
  }

  /** A keyed fingerprint of a user's htpasswd entry: it changes when the password does, and reveals nothing. */
  private fingerprint(user: string, hash: string): string {
    return createHmac('sha256', this.key).update('token\0').update(user).update('\0').update(hash).digest('base64url').slice(0, 22);
  }

  private async verify(user: string, password: string, hash: string | undefined): Promise<boolean> {
    const mac = createHmac('sha256', this.key).update(user).update('\0').update(password).digest();
    const proof = this.proofs.get(user);
    if (proof && hash !== undefined && proof.hash === hash && proof.expires > Date.now() && timingSafeEqual(proof.mac, mac)) {
      return true;
    }
    const against = hash ?? DUMMY_HASH;
    // Entries that are not bcrypt never match (htpasswd.ts reports them when the file is read).
    const ok = isBcrypt(against) && (await this.bcrypt.compare(password, against));
    if (!ok || hash === undefined) return false;
    this.proofs.set(user, { mac, hash, expires: Date.now() + this.ttl });
    return true;
  }

  private challenge(req: IncomingMessage, accesses: readonly Access[], scheme?: 'Basic', error?: string): RegistryError {
    let value = `Basic realm=${JSON.stringify(this.opts.realm)}`;
    if (this.tokens && scheme !== 'Basic') {
      const scopes = accesses.map((a) => scopeFor(a.action, a.name)).filter(Boolean).join(' ');
      value = `Bearer realm=${JSON.stringify(this.opts.tokenRealm!(req))},service="berth"` +
        (scopes ? `,scope=${JSON.stringify(scopes)}` : '') + (error ? `,error=${JSON.stringify(error)}` : '');
    }
    return new RegistryError('unauthorized', undefined, accessRecords(accesses), { 'WWW-Authenticate': value });
  }
}

function deniedError(user: string, role: Role, denied: Access): RegistryError {
  return new RegistryError('denied', `user ${user} (role ${role}) may not ${verb(denied.action)}`, [
    { Type: 'repository', Name: denied.name ?? '', Action: denied.action },
  ]);
}

/** Which actions a token may carry: a user's role's, or pull alone for anonymous clients. */
function grantable(role: Role | undefined, anonymousPull: boolean, type: string, action: string): boolean {
  const a: Action | undefined = type === 'registry' ? (action === '*' ? 'catalog' : undefined)
    : action === 'pull' || action === 'push' || action === 'delete' ? action : undefined;
  if (!a) return false;
  if (role) return allows(role, a);
  return anonymousPull && a === 'pull';
}

/**
 * The 401 detail exactly as distribution writes it (registry/handlers/app.go
 * appendAccessRecords): a push also asks for pull, the catalog is registry:catalog:*, and /v2/
 * has no records (detail null). Clients and scripts compare these bodies with registry:3's.
 */
function accessRecords(accesses: readonly Access[]): Array<Record<string, string>> | null {
  const records = accesses.flatMap((a) => {
    if (a.action === 'catalog') return [{ Type: 'registry', Class: '', Name: 'catalog', Action: '*' }];
    if (a.name === undefined) return [];
    const actions = a.action === 'push' ? ['pull', 'push'] : [a.action];
    return actions.map((action) => ({ Type: 'repository', Class: '', Name: a.name!, Action: action }));
  });
  return records.length > 0 ? records : null;
}

function verb(action: Action): string {
  return action === 'push' ? 'push' : action === 'delete' ? 'delete' : action === 'catalog' ? 'list the catalog' : 'pull';
}

function sameText(a: string, b: string | undefined): boolean {
  return b !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
