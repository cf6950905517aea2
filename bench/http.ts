// Minimal HTTP/1.1 client for the bench, on raw keep-alive net.Sockets.
// The load generator shares the two cores with the server under test, so its cost per request
// bounds what the bench can measure. node:http costs ≈ 50 µs of client CPU per small request
// (the bundled undici fetch ≈ 300 µs) and allocates a Buffer plus stream events for every
// chunk it receives; with it the small-request and large-pull figures were client-bound (the
// generator at ≈ 100% of a core). This client writes each request as one string (plus the body
// buffers as they are, no copies), reads every connection into one reused buffer (net's
// `onread`), parses the status line and headers itself, and handles Content-Length and chunked
// bodies: ≈ 10 µs per small request. Every response is still verified by the callers (status,
// headers, bodies byte for byte or by sha256).
import net from 'node:net';
import { createHash, type Hash } from 'node:crypto';

/** Response headers, lower-case names (repeated headers joined with ", ", as node:http does). */
export type Headers = Record<string, string | undefined>;

export interface Target {
  /** 'reference' or 'berth'. */
  name: string;
  baseUrl: string;
  host: string;
  port: number;
  /** Idle keep-alive connections (LIFO, so few hot sockets are used). */
  pool: Conn[];
  /** Full Authorization header value, when the scenario runs with auth (issue 3). */
  authorization?: string;
}

export function makeTarget(name: string, baseUrl: string, authorization?: string): Target {
  const u = new URL(baseUrl);
  const t: Target = { name, baseUrl, host: u.hostname, port: Number(u.port), pool: [] };
  if (authorization !== undefined) t.authorization = authorization;
  return t;
}

/**
 * Client-side round-robin over several nodes of one registry (--s3's two Berth nodes on one
 * bucket): the node for operation `seq`. An operation picks once and sends all its requests to
 * that node (a push's POST and PUT, since an upload's Location is followed on the node that
 * answered), so each operation goes wholly to one node; the load runner numbers operations in
 * the order they start, so successive operations alternate.
 */
export function roundRobin(nodes: readonly Target[]): (seq: number) => Target {
  if (nodes.length === 0) throw new Error('roundRobin needs at least one node');
  return (seq) => nodes[seq % nodes.length]!;
}

/**
 * 'compare' checks every received byte against the known content, which proves the same as
 * hashing it (the content's sha256 is the digest) at memcmp speed: hashing a 100 MiB body in
 * the load generator costs more CPU than the server spends sending it.
 */
export type BodyMode = 'buffer' | 'sha256' | 'compare' | 'discard';

export interface Reply {
  status: number;
  headers: Headers;
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

const READ_BUFFER = 1024 * 1024;
const MAX_HEAD = 64 * 1024;

interface Pending {
  method: string;
  path: string;
  read: BodyMode;
  expect: readonly Buffer[] | undefined;
  t0: number;
  deadline: number;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

/** One keep-alive connection with at most one request in flight. */
class Conn {
  readonly socket: net.Socket;
  closed = false;
  used = false;
  private p: Pending | undefined;
  // response state
  private head = '';
  private inHead = true;
  private status = 0;
  private headers: Headers = {};
  private remaining = 0; // bytes left of a Content-Length body or of the current chunk
  private chunked = false;
  private chunkState: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  private line = '';
  private bytes = 0;
  private firstByteMs: number | undefined;
  private hash: Hash | undefined;
  private same = true;
  private chunks: Buffer[] = [];
  private whole: Buffer | undefined;
  private closeAfter = false;
  private gotAny = false;

  constructor(private readonly t: Target) {
    const buffer = Buffer.allocUnsafe(READ_BUFFER);
    this.socket = net.connect({
      host: t.host, port: t.port, noDelay: true,
      onread: { buffer, callback: (n: number, buf: Uint8Array) => { this.onData(buf as Buffer, n); return true; } },
    });
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
    live.add(this);
  }

  send(p: Pending, head: string, body: readonly Buffer[]): void {
    this.p = p;
    this.reset();
    const s = this.socket;
    if (this.used) s.ref();
    if (body.length === 0) {
      s.write(head, 'latin1');
      return;
    }
    s.cork();
    s.write(head, 'latin1');
    for (const b of body) if (b.length > 0) s.write(b);
    s.uncork();
  }

  private reset(): void {
    this.head = '';
    this.inHead = true;
    this.status = 0;
    this.headers = {};
    this.remaining = 0;
    this.chunked = false;
    this.chunkState = 'size';
    this.line = '';
    this.bytes = 0;
    this.firstByteMs = undefined;
    this.hash = undefined;
    this.same = true;
    this.chunks = [];
    this.whole = undefined;
    this.closeAfter = false;
    this.gotAny = false;
  }

  /** Fails the request in flight (if any) and drops the connection. */
  fail(e: Error): void {
    if (!this.closed) {
      this.closed = true;
      live.delete(this);
      const i = this.t.pool.indexOf(this);
      if (i >= 0) this.t.pool.splice(i, 1);
      this.socket.destroy();
    }
    const p = this.p;
    if (!p) return;
    this.p = undefined;
    const err = new BenchError(`${this.t.name} ${p.method} ${p.path}: ${e.message}`) as BenchError & { retryable?: boolean };
    // A reused keep-alive connection the server closed before answering: safe to send again.
    err.retryable = this.used && !this.gotAny;
    p.reject(err);
  }

  checkDeadline(now: number): void {
    if (this.p && now > this.p.deadline) this.fail(new Error('timed out'));
  }

  private onData(buf: Buffer, n: number): void {
    const p = this.p;
    if (!p) {
      if (n > 0) this.fail(new Error('unexpected bytes from the server between responses'));
      return;
    }
    this.gotAny = true;
    let off = 0;
    if (this.inHead) {
      const prior = this.head.length;
      this.head += buf.toString('latin1', 0, n);
      const idx = this.head.indexOf('\r\n\r\n');
      if (idx < 0) {
        if (this.head.length > MAX_HEAD) this.fail(new Error('response head too large'));
        return;
      }
      off = idx + 4 - prior;
      if (!this.parseHead(this.head.slice(0, idx), p)) return;
      if (!this.inHead && this.isDone()) return this.finish();
    }
    if (off < n) this.body(buf, off, n);
  }

  /** Returns false when the connection failed. */
  private parseHead(text: string, p: Pending): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (!m) {
      this.fail(new Error(`bad status line ${JSON.stringify(lines[0]!.slice(0, 100))}`));
      return false;
    }
    const status = Number(m[1]);
    if (status < 200) {
      // The bench never sends Expect: 100-continue, so an interim response is a server bug here.
      this.fail(new Error(`unexpected interim response ${status}`));
      return false;
    }
    this.status = status;
    const h = this.headers;
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!;
      const c = l.indexOf(':');
      if (c <= 0) continue;
      const k = l.slice(0, c).toLowerCase();
      const v = l.slice(c + 1).trim();
      h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
    }
    this.inHead = false;
    this.closeAfter = /\bclose\b/i.test(h['connection'] ?? '');
    const noBody = p.method === 'HEAD' || status === 204 || status === 304;
    if (noBody) {
      this.remaining = 0;
    } else if (h['transfer-encoding'] !== undefined) {
      if (!/chunked/i.test(h['transfer-encoding'])) {
        this.fail(new Error(`unsupported Transfer-Encoding ${h['transfer-encoding']}`));
        return false;
      }
      this.chunked = true;
    } else if (h['content-length'] !== undefined) {
      this.remaining = Number(h['content-length']);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) {
        this.fail(new Error(`bad Content-Length ${h['content-length']}`));
        return false;
      }
    } else {
      this.fail(new Error('response without Content-Length or chunked encoding'));
      return false;
    }
    if (p.read === 'sha256') this.hash = createHash('sha256');
    if (p.read === 'buffer' && !this.chunked && this.remaining > 0) this.whole = Buffer.allocUnsafe(this.remaining);
    return true;
  }

  private isDone(): boolean {
    return this.chunked ? this.chunkState === 'trailer' && this.line === 'done' : this.remaining === 0;
  }

  private body(buf: Buffer, off: number, end: number): void {
    if (!this.chunked) {
      const take = Math.min(this.remaining, end - off);
      if (take > 0) this.payload(buf, off, off + take);
      this.remaining -= take;
      if (off + take < end) return this.fail(new Error('bytes after the end of the body'));
      if (this.remaining === 0) this.finish();
      return;
    }
    while (off < end) {
      if (this.chunkState === 'size' || this.chunkState === 'trailer') {
        const nl = buf.indexOf(10, off);
        const stop = nl < 0 || nl >= end ? end : nl + 1;
        this.line += buf.toString('latin1', off, stop);
        off = stop;
        if (!this.line.endsWith('\n')) {
          if (this.line.length > 4096) return this.fail(new Error('chunk size line too long'));
          continue;
        }
        const line = this.line.trim();
        this.line = '';
        if (this.chunkState === 'trailer') {
          if (line === '') {
            if (off < end) return this.fail(new Error('bytes after the end of the body'));
            this.line = 'done';
            return this.finish();
          }
          continue; // a trailer field: ignored
        }
        const size = parseInt(line.split(';')[0]!, 16);
        if (!Number.isSafeInteger(size) || size < 0) return this.fail(new Error(`bad chunk size ${JSON.stringify(line)}`));
        if (size === 0) this.chunkState = 'trailer';
        else { this.remaining = size; this.chunkState = 'data'; }
      } else if (this.chunkState === 'data') {
        const take = Math.min(this.remaining, end - off);
        this.payload(buf, off, off + take);
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) { this.chunkState = 'crlf'; this.remaining = 2; }
      } else {
        // the CRLF after a chunk's data
        const take = Math.min(this.remaining, end - off);
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) this.chunkState = 'size';
      }
    }
  }

  private payload(buf: Buffer, a: number, b: number): void {
    const p = this.p!;
    this.firstByteMs ??= performance.now() - p.t0;
    // `buf` is reused for the next read: anything kept must be copied.
    if (this.hash) this.hash.update(buf.subarray(a, b));
    else if (p.read === 'compare') this.same &&= equalsAt(p.expect ?? [], this.bytes, buf.subarray(a, b));
    else if (p.read === 'buffer') {
      if (this.whole) buf.copy(this.whole, this.bytes, a, b);
      else this.chunks.push(Buffer.from(buf.subarray(a, b)));
    }
    this.bytes += b - a;
  }

  private finish(): void {
    const p = this.p!;
    this.p = undefined;
    const reply: Reply = { status: this.status, headers: this.headers, bytes: this.bytes };
    if (this.firstByteMs !== undefined) reply.firstByteMs = this.firstByteMs;
    if (p.read === 'buffer') reply.body = this.whole ?? (this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks));
    if (this.hash) reply.digest = 'sha256:' + this.hash.digest('hex');
    if (p.read === 'compare') reply.matches = this.same && this.bytes === (p.expect ?? []).reduce((a, x) => a + x.length, 0);
    this.used = true;
    if (this.closeAfter) this.fail(new Error('closed by the server'));
    else {
      // Idle keep-alive connections must not keep the process alive (node:http's Agent does the same).
      this.socket.unref();
      this.t.pool.push(this);
    }
    p.resolve(reply);
  }
}

// One timer for every connection's deadline instead of a timer per request.
const live = new Set<Conn>();
let ticker: NodeJS.Timeout | undefined;
function watchDeadlines(): void {
  if (ticker) return;
  ticker = setInterval(() => {
    const now = performance.now();
    for (const c of live) c.checkDeadline(now);
    if (live.size === 0) { clearInterval(ticker); ticker = undefined; }
  }, 500);
  ticker.unref();
}

export async function request(t: Target, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await requestOnce(t, method, path, opts);
    } catch (e) {
      if (attempt === 0 && (e as { retryable?: boolean }).retryable === true) continue;
      throw e;
    }
  }
}

function requestOnce(t: Target, method: string, path: string, opts: RequestOptions): Promise<Reply> {
  const pieces = opts.body === undefined ? [] : Buffer.isBuffer(opts.body) ? [opts.body] : opts.body;
  let length = 0;
  for (const p of pieces) length += p.length;
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\n`;
  if (opts.headers) for (const k in opts.headers) head += `${k}: ${opts.headers[k]}\r\n`;
  if (t.authorization !== undefined) head += `Authorization: ${t.authorization}\r\n`;
  if (opts.body !== undefined || method === 'PUT' || method === 'POST' || method === 'PATCH') head += `Content-Length: ${length}\r\n`;
  head += '\r\n';
  return new Promise<Reply>((resolve, reject) => {
    const t0 = performance.now();
    const conn = t.pool.pop() ?? new Conn(t);
    watchDeadlines();
    conn.send({
      method, path, read: opts.read ?? 'buffer', expect: opts.expect, t0, deadline: t0 + (opts.timeoutMs ?? 120_000), resolve, reject,
    }, head, pieces);
  });
}

/** Closes the idle connections of a target (they would otherwise keep the process alive). */
export function closeTarget(t: Target): void {
  for (const c of t.pool.splice(0)) c.fail(new Error('closed'));
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
