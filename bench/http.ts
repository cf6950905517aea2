// Minimal HTTP/1.1 client for the bench: node:http with a keep-alive Agent.
// node:http is used rather than undici/fetch because it costs less client CPU per small
// request here (measured: see bench/README.md), and the load generator shares the two cores
// with the server under test.
import http from 'node:http';
import { createHash } from 'node:crypto';

export interface Target {
  /** 'reference' or 'berth'. */
  name: string;
  baseUrl: string;
  host: string;
  port: number;
  agent: http.Agent;
  /** Full Authorization header value, when the scenario runs with auth (issue 3). */
  authorization?: string;
}

export function makeTarget(name: string, baseUrl: string, authorization?: string): Target {
  const u = new URL(baseUrl);
  // lifo keeps few hot sockets; no socket cap so concurrency N really means N connections.
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 1024, scheduling: 'lifo' });
  const t: Target = { name, baseUrl, host: u.hostname, port: Number(u.port), agent };
  if (authorization !== undefined) t.authorization = authorization;
  return t;
}

/**
 * 'compare' checks every received byte against the known content, which proves the same as
 * hashing it (the content's sha256 is the digest) at memcmp speed: hashing a 100 MiB body in
 * the load generator costs more CPU than the server spends sending it.
 */
export type BodyMode = 'buffer' | 'sha256' | 'compare' | 'discard';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Present when read = 'buffer'. */
  body?: Buffer;
  /** "sha256:<hex>" of the body, when read = 'sha256'. */
  digest?: string;
  /** read = 'compare': whether the body equals `expect` exactly. */
  matches?: boolean;
  bytes: number;
  /** Request start → first body byte (undefined for an empty body): time to first byte. */
  firstByteMs?: number;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as one body; pieces avoid copying (e.g. a shared 100 MiB base + a unique suffix). */
  body?: Buffer | readonly Buffer[];
  read?: BodyMode;
  /** The expected body for read = 'compare', as pieces of one logical buffer. */
  expect?: readonly Buffer[];
  timeoutMs?: number;
}

export class BenchError extends Error {}

export function request(t: Target, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  const pieces = opts.body === undefined ? [] : Buffer.isBuffer(opts.body) ? [opts.body] : opts.body;
  let length = 0;
  for (const p of pieces) length += p.length;
  const headers: Record<string, string> = { ...opts.headers };
  if (t.authorization !== undefined) headers['authorization'] = t.authorization;
  if (opts.body !== undefined || method === 'PUT' || method === 'POST' || method === 'PATCH') {
    headers['content-length'] = String(length);
  }
  const read = opts.read ?? 'buffer';
  return new Promise<Reply>((resolve, reject) => {
    const t0 = performance.now();
    let firstByteMs: number | undefined;
    const req = http.request({ agent: t.agent, host: t.host, port: t.port, method, path, headers }, (res) => {
      const status = res.statusCode ?? 0;
      let bytes = 0;
      const chunks: Buffer[] = [];
      const hash = read === 'sha256' ? createHash('sha256') : undefined;
      const expect = read === 'compare' ? opts.expect ?? [] : undefined;
      let same = true;
      res.on('data', (c: Buffer) => {
        firstByteMs ??= performance.now() - t0;
        if (hash) hash.update(c);
        else if (expect) same &&= equalsAt(expect, bytes, c);
        else if (read === 'buffer') chunks.push(c);
        bytes += c.length;
      });
      res.on('error', reject);
      res.on('end', () => {
        const reply: Reply = { status, headers: res.headers, bytes };
        if (firstByteMs !== undefined) reply.firstByteMs = firstByteMs;
        if (read === 'buffer') reply.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (hash) reply.digest = 'sha256:' + hash.digest('hex');
        if (expect) reply.matches = same && bytes === expect.reduce((a, p) => a + p.length, 0);
        resolve(reply);
      });
    });
    req.setTimeout(opts.timeoutMs ?? 120_000, () => req.destroy(new BenchError(`${method} ${path}: timed out`)));
    req.on('error', (e) => reject(new BenchError(`${t.name} ${method} ${path}: ${e.message}`)));
    if (pieces.length === 0) req.end();
    else {
      for (let i = 0; i < pieces.length - 1; i++) req.write(pieces[i]);
      req.end(pieces[pieces.length - 1]);
    }
  });
}

/** Whether `chunk` equals the logical concatenation of `parts` at `offset` (no copies). */
function equalsAt(parts: readonly Buffer[], offset: number, chunk: Buffer): boolean {
  let pos = 0;
  let done = 0;
  for (const p of parts) {
    if (done === chunk.length) break;
    const start = offset + done - pos;
    if (start < p.length) {
      const n = Math.min(p.length - start, chunk.length - done);
      if (start < 0 || !chunk.subarray(done, done + n).equals(p.subarray(start, start + n))) return false;
      done += n;
    }
    pos += p.length;
  }
  return done === chunk.length;
}

/** Throws unless the reply has the expected status; the message carries what a reader needs. */
export function expectStatus(r: Reply, want: number, what: string): void {
  if (r.status === want) return;
  const snippet = r.body ? r.body.subarray(0, 300).toString('utf8') : '';
  throw new BenchError(`${what}: expected ${want}, got ${r.status} ${snippet}`);
}

export function expectHeader(r: Reply, name: string, want: string, what: string): void {
  const got = r.headers[name];
  if (got !== want) throw new BenchError(`${what}: header ${name} = ${String(got)}, expected ${want}`);
}

export function header(r: Reply, name: string, what: string): string {
  const v = r.headers[name];
  if (typeof v !== 'string' || v === '') throw new BenchError(`${what}: missing ${name} header`);
  return v;
}

/** Location may be absolute (distribution) or relative; requests need path + query. */
export function locationPath(t: Target, r: Reply, what: string): string {
  const u = new URL(header(r, 'location', what), t.baseUrl);
  return u.pathname + u.search;
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}
