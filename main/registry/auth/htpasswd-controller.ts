// HTTP Basic authentication over an htpasswd file (auth.htpasswd), with Berth's roles on top.
//
// Docker sends Basic credentials with every request, and bcrypt on every request is what costs
// distribution two thirds of its throughput with auth on. Here a credential is checked with
// bcrypt once; then a keyed HMAC of it (never the password) is kept in memory for a short time
// and later requests are checked against that proof in constant time. The proof is dropped when
// the user's hash changes or the user goes away.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../lib/logger';
import { HtpasswdFile } from '../../users/htpasswd-file';
import { hashPassword, verifyPassword } from '../../users/htpasswd';
import { RegistryError } from '../errors';
import type { Access, AccessController, Action, Grant } from './access';
import { FailureLimiter } from './failure-limiter';
import { allows, type Role } from './roles';

export interface HtpasswdControllerOptions {
  realm: string;
  path: string;
  roles: Readonly<Record<string, Role>>;
  defaultRole: Role;
  /** Let requests without credentials pull (and ping), so a Docker mirror client works. */
  anonymousPull: boolean;
  /** How long a verified credential is trusted without bcrypt. */
  proofTtlMs?: number;
  log: Logger;
}

interface Proof { mac: Buffer; hash: string; expires: number }


export class HtpasswdController implements AccessController {
  private readonly file: HtpasswdFile;
  private readonly proofs = new Map<string, Proof>();
  private readonly key = randomBytes(32);
  private readonly limiter = new FailureLimiter();
  private readonly ttl: number;
  // A bcrypt hash of a random secret at the file's usual cost: unknown users are compared
  // against it, so they cost the same time as a wrong password.
  private readonly dummyHash = hashPassword(randomBytes(18).toString('base64'));

  constructor(private readonly opts: HtpasswdControllerOptions) {
    this.file = new HtpasswdFile(opts.path);
    this.ttl = opts.proofTtlMs ?? 5 * 60_000;
  }

  async authorize(req: IncomingMessage, accesses: readonly Access[]): Promise<Grant> {
    const creds = parseBasic(req.headers.authorization);
    const client = req.socket.remoteAddress ?? 'unknown';
    if (!creds) {
      if (this.opts.anonymousPull && accesses.every((a) => a.action === 'pull')) return {};
      // The normal first request of every client: not worth more than a debug line.
      this.opts.log.debug('authentication required', { client });
      throw this.challenge(accesses);
    }
    await this.limiter.check(client);
    const hash = (await this.file.users()).get(creds.user);
    if (!(await this.verify(creds.user, creds.password, hash))) {
      this.limiter.fail(client);
      this.opts.log.warn('authentication failed', { user: creds.user, client });
      throw this.challenge(accesses);
    }
    this.limiter.succeed(client);
    const role = this.opts.roles[creds.user] ?? this.opts.defaultRole;
    const denied = accesses.find((a) => !allows(role, a.action));
    if (denied) {
      throw new RegistryError('denied', `user ${creds.user} (role ${role}) may not ${verb(denied.action)}`, [
        { Type: 'repository', Name: denied.name ?? '', Action: denied.action },
      ]);
    }
    return { user: creds.user };
  }

  private async verify(user: string, password: string, hash: string | undefined): Promise<boolean> {
    const mac = createHmac('sha256', this.key).update(user).update('\0').update(password).digest();
    const proof = this.proofs.get(user);
    if (proof && hash !== undefined && proof.hash === hash && proof.expires > Date.now() && timingSafeEqual(proof.mac, mac)) {
      return true;
    }
    const ok = await verifyPassword(password, hash ?? (await this.dummyHash));
    if (!ok || hash === undefined) return false;
    this.proofs.set(user, { mac, hash, expires: Date.now() + this.ttl });
    return true;
  }

  private challenge(accesses: readonly Access[]): RegistryError {
    return new RegistryError('unauthorized', undefined, accessRecords(accesses), {
      'WWW-Authenticate': `Basic realm=${JSON.stringify(this.opts.realm)}`,
    });
  }
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

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
