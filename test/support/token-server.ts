// A Bearer token server like Docker Hub's auth.docker.io, and Debian's docker-registry (2.8.2)
// configured to trust it (auth.token with a rootcertbundle of the server's certificate), so the
// proxy tests run the token flow Docker Hub uses: 401 + `WWW-Authenticate: Bearer realm=…`,
// `GET /token?service=…&scope=…` with Basic credentials, and an RS256 JWT whose x5c header the
// registry checks against its rootcertbundle. Token requests are counted, so tests can see how
// often a proxy fetches tokens.
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deferCleanup, tempDir } from './cleanup';
import { requireExecutable, runCommand } from './processes';
import { startReferenceRegistry } from './reference-registry';
import type { RegistryProcess } from './registry-process';

export interface TokenRequest {
  scopes: string[];
  /** The Basic user, when the request carried valid credentials. */
  user: string | undefined;
  status: number;
}

export interface TokenServer {
  /** http://127.0.0.1:PORT/token */
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the signing certificate (the registry's rootcertbundle). */
  certPath: string;
  /** Every request to /token, in order. */
  readonly requests: TokenRequest[];
  /** Answer the next `count` token requests with `status` (and Retry-After, if given). */
  failNext(count: number, status: number, retryAfter?: string): void;
  /** A token for these scopes, signed like the server's (for pushing to the upstream by HTTP). */
  mint(scopes: string[], user?: string): string;
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  /** user → password. When set, token requests must carry valid Basic credentials (else 401). */
  users?: Record<string, string>;
  service?: string;
  issuer?: string;
  /** Token lifetime in seconds (expires_in). */
  lifetimeS?: number;
}

export async function startTokenServer(opts: TokenServerOptions = {}): Promise<TokenServer> {
  const { key, certPem, certPath } = await selfSignedCert();
  const x5c = [new X509Certificate(certPem).raw.toString('base64')];
  const service = opts.service ?? 'test-registry';
  const issuer = opts.issuer ?? 'test-issuer';
  const lifetime = opts.lifetimeS ?? 300;
  const requests: TokenRequest[] = [];
  let failures: { count: number; status: number; retryAfter: string | undefined } | undefined;

  const mint = (scopes: string[], user = '') => jwt(key, x5c, {
    iss: issuer, sub: user, aud: service, exp: now() + lifetime, nbf: now() - 10, iat: now(), jti: randomUUID(),
    access: scopes.map(accessOf).filter((a) => a !== undefined),
  });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (url.pathname !== '/token') return reply(res, 404, { error: 'not found' });
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const user = basicUser(req.headers.authorization, opts.users);
    const record = (status: number) => requests.push({ scopes, user: user ?? undefined, status });
    if (failures && failures.count > 0) {
      failures.count--;
      record(failures.status);
      return reply(res, failures.status, { details: 'injected failure' }, failures.retryAfter ? { 'Retry-After': failures.retryAfter } : {});
    }
    if (user === null || (opts.users && user === undefined)) {
      record(401);
      return reply(res, 401, { details: 'bad credentials' }, { 'WWW-Authenticate': 'Basic realm="token"' });
    }
    record(200);
    const token = mint(scopes, user);
    reply(res, 200, { token, access_token: token, expires_in: lifetime, issued_at: new Date().toISOString() });
  };

  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  deferCleanup(`stop token server :${port}`, stop);
  return {
    realm: `http://127.0.0.1:${port}/token`, service, issuer, certPath, requests, mint, stop,
    failNext(count, status, retryAfter) {
      failures = { count, status, retryAfter };
    },
  };
}

/** docker-registry with `auth.token` trusting `token` (readiness: GET /v2/ answers 401). */
export function startTokenRegistry(token: TokenServer, opts: { root?: string; port?: number } = {}): Promise<RegistryProcess> {
  return startReferenceRegistry({
    ...opts,
    readyStatus: 401,
    extraYaml: [
      'auth:',
      '  token:',
      `    realm: ${token.realm}`,
      `    service: ${token.service}`,
      `    issuer: ${token.issuer}`,
      `    rootcertbundle: ${token.certPath}`,
    ].join('\n'),
  });
}

/** `repository:library/hello:pull,push` → {type, name, actions}; names may contain `:port`. */
function accessOf(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

/** undefined = no credentials sent; null = wrong credentials; else the user name. */
function basicUser(header: string | undefined, users: Record<string, string> | undefined): string | null | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const [user, pass] = [text.slice(0, colon), text.slice(colon + 1)];
  if (!users) return user;
  return users[user] !== undefined && users[user] === pass ? user : null;
}

function jwt(key: KeyObject, x5c: string[], claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ typ: 'JWT', alg: 'RS256', x5c })}.${b64(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A throw-away RSA key and self-signed certificate made by openssl. */
async function selfSignedCert(): Promise<{ key: KeyObject; certPem: string; certPath: string }> {
  const openssl = requireExecutable('openssl', 'openssl');
  const dir = await tempDir('berth-tok-');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await runCommand(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '2', '-subj', '/CN=berth-test-token-issuer']);
  return { key: createPrivateKey(await readFile(keyPath)), certPem: await readFile(certPath, 'utf8'), certPath };
}
