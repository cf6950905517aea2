// An HTTP client for one upstream registry, speaking its auth: anonymous, Basic, or Bearer
// tokens from the realm it names (Docker Hub's flow). Tokens are cached per scope until they
// expire — distribution fetches a new one for every incoming request. Redirects are followed
// by hand so credentials never go to another origin (Docker Hub sends blobs to a CDN).
// Upstream 401/429 become the client's UNAUTHORIZED/TOOMANYREQUESTS with Retry-After.
//
// The upstream's credentials are only as safe as the places they are sent, so:
// - a challenge is learned only from a 401 of the upstream's own origin, never from a redirect
//   target (a redirect can point anywhere, and that 401 would name a realm of its choosing);
// - Basic credentials go to a token realm only over HTTPS or on the upstream's own host (the
//   host that already receives them); any other realm fails the request with a clear error and
//   is not remembered, so one bad answer cannot poison later requests.
import type { Readable } from 'node:stream';
import type { UpstreamConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import { RegistryError } from '../errors';
import { parseChallenges, type Challenge } from './challenge';
import { readAll, sendRequest, type RawResponse } from './http-request';

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** The body as a Node stream (undefined for HEAD). Callers must consume or destroy it. */
  body(): Readable | undefined;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
  /** A bulk GET's read buffers may be reused; absent otherwise. */
  recycle?: RawResponse['recycle'];
}

/** A token is used until this long before it expires. */
const TOKEN_MARGIN_MS = 10_000;
const MAX_REDIRECTS = 5;
/** How long the upstream may take to answer with a response head. */
const TIMEOUT_MS = 30_000;

export class UpstreamUnreachableError extends Error {}

export class UpstreamClient {
  private readonly base: URL;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  /** Requests made, for tests and metrics. */
  requests = 0;
  tokenRequests = 0;

  constructor(readonly config: Pick<UpstreamConfig, 'remoteurl' | 'username' | 'password'>, private readonly log: Logger) {
    this.base = new URL(config.remoteurl.replace(/\/+$/, '') + '/');
  }

  get host(): string {
    return this.base.host;
  }

  /** Docker Hub keeps official images under library/, which clients leave out. */
  get isDockerHub(): boolean {
    return /(^|\.)docker\.io$/.test(this.base.hostname);
  }

  /** `bulk`: a blob's body, read the cheapest way the protocol allows (see http-request.ts). */
  async request(method: 'GET' | 'HEAD', path: string, opts: { scope: string; headers?: Record<string, string>; bulk?: boolean }): Promise<UpstreamResponse> {
    const bulk = opts.bulk ?? false;
    let res = await this.send(method, path, opts.scope, opts.headers ?? {}, bulk);
    if (res.status === 401 && res.fromUpstream) {
      // Learn (or re-learn) the challenge, and retry once with credentials.
      const challenges = parseChallenges(res.headers.get('www-authenticate'));
      const fresh = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      res.stream.resume();
      if (fresh) {
        this.checkRealm(fresh);
        this.challenge = fresh;
        this.tokens.delete(opts.scope);
        res = await this.send(method, path, opts.scope, opts.headers ?? {}, bulk);
      }
    }
    return this.wrap(res, method);
  }

  /**
   * Throws unless credentials may go to the realm a Bearer challenge names: an http(s) URL, and,
   * when we hold credentials, HTTPS or the upstream's own host name (Basic is plain text).
   */
  private checkRealm(c: Challenge): void {
    if (c.scheme !== 'bearer' || c.params.realm === undefined) return;
    let realm: URL | undefined;
    try {
      realm = new URL(c.params.realm);
    } catch {
      realm = undefined;
    }
    if (!realm || (realm.protocol !== 'https:' && realm.protocol !== 'http:')) {
      throw new RegistryError('unavailable', `upstream ${this.base.host} named an invalid token realm ${JSON.stringify(c.params.realm)}`);
    }
    if (this.config.username && realm.protocol !== 'https:' && realm.hostname !== this.base.hostname) {
      throw new RegistryError('unavailable', `upstream ${this.base.host} asked for credentials at ${realm.origin}, which is neither HTTPS nor the upstream's own host; the credentials were not sent`);
    }
  }

  private async send(method: string, path: string, scope: string, headers: Record<string, string>, bulk: boolean): Promise<RawResponse & { fromUpstream: boolean }> {
    let url = new URL(path.replace(/^\//, ''), this.base);
    const auth = await this.authorization(scope);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // Same origin, not just host: a redirect from https to http on the same host would
      // otherwise carry the credentials in clear text.
      const fromUpstream = url.origin === this.base.origin;
      const h: Record<string, string> = { ...headers, 'User-Agent': 'berth-proxy' };
      if (auth && fromUpstream) h.Authorization = auth;
      let res: RawResponse;
      try {
        this.requests++;
        res = await sendRequest(url, method, h, TIMEOUT_MS, bulk);
      } catch (err) {
        throw new UpstreamUnreachableError(`upstream ${this.base.host} unreachable: ${(err as Error).message}`);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        res.stream.resume();
        url = new URL(location, url);
        continue;
      }
      return Object.assign(res, { fromUpstream });
    }
    throw new UpstreamUnreachableError(`upstream ${this.base.host}: too many redirects`);
  }

  private async authorization(scope: string): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') return this.basic();
    if (c.scheme !== 'bearer' || !c.params.realm) return undefined;
    const cached = this.tokens.get(scope);
    if (cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(c, scope);
    return token ? `Bearer ${token}` : undefined;
  }

  private basic(): string | undefined {
    const { username, password } = this.config;
    if (!username) return undefined;
    return 'Basic ' + Buffer.from(`${username}:${password ?? ''}`).toString('base64');
  }

  private async fetchToken(c: Challenge, scope: string): Promise<string | undefined> {
    const realm = new URL(c.params.realm!);
    if (c.params.service) realm.searchParams.set('service', c.params.service);
    realm.searchParams.set('scope', scope);
    if (this.config.username) realm.searchParams.set('account', this.config.username);
    const headers: Record<string, string> = { 'User-Agent': 'berth-proxy' };
    const basic = this.basic();
    if (basic) headers.Authorization = basic;
    let res: Response;
    try {
      this.tokenRequests++;
      res = await fetch(realm, { headers, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new UpstreamUnreachableError(`token service ${realm.host} unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw upstreamError(res.status, res.headers, `token service answered ${res.status}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = body.access_token ?? body.token;
    if (!token) throw new RegistryError('unauthorized', 'the upstream token service returned no token');
    // distribution's rule: missing or < 60 s lifetimes count as 60 s.
    const lifetime = Math.max(body.expires_in ?? 60, 60) * 1000;
    const issued = body.issued_at ? Date.parse(body.issued_at) || Date.now() : Date.now();
    this.tokens.set(scope, { token, expires: issued + lifetime - TOKEN_MARGIN_MS });
    this.log.debug('upstream token', { upstream: this.base.host, scope });
    return token;
  }

  private wrap(res: RawResponse, method: string): UpstreamResponse {
    // Callers only look at the status of a failure, and a HEAD has no body; draining the
    // response frees the kept-alive socket (an unread one stays busy and keeps the process up).
    if (res.status >= 300 || method === 'HEAD') res.stream.resume();
    return {
      status: res.status,
      headers: res.headers,
      body: () => res.stream,
      recycle: res.recycle,
      text: async () => (await readAll(res.stream)).toString('utf8'),
      arrayBuffer: async () => {
        const b = await readAll(res.stream);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      },
    };
  }
}

/** Maps an upstream failure status to what our client should see. */
export function upstreamError(status: number, headers: Headers, what: string): RegistryError {
  const retry = headers.get('retry-after');
  const extra = retry ? { 'Retry-After': retry } : undefined;
  if (status === 429) return new RegistryError('too-many-requests', `upstream rate limit: ${what}`, undefined, extra);
  if (status === 401) return new RegistryError('unauthorized', `upstream refused the credentials: ${what}`);
  if (status === 403) return new RegistryError('denied', `upstream denied access: ${what}`);
  return new RegistryError('unavailable', `upstream error: ${what}`, undefined, extra);
}
