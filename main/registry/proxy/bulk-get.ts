// A GET over plain HTTP/1.1 whose body is read straight into reused 1 MiB slabs, for the
// proxy's blob downloads. node:http reads the socket 64 KiB at a time into a fresh buffer, and its
// parser copies every body chunk into another fresh one. Fresh memory is what a 100 MiB miss paid
// for most: the kernel faults and zeroes every new page, and V8 answers the memory outside its
// heap with a mark-compact every few MiB. Here each read lands in the free tail of a slab, up to
// 256 KiB at a time (64 and 128 KiB measured alike), the body's chunks are views of the slab,
// and once the caller says every consumer is done with a slab's bytes (`recycle`) it
// goes back to the pool for the next read. Without that word a slab is left to the GC.
//
// Only what a registry's blob answer needs is framed: a Content-Length body, or a body that
// ends with the connection. Anything else (chunked, 1xx) is reported as `unsupported`, and the
// caller asks again through node:http. One connection per download ("Connection: close"):
// downloads are large, and a connection that is never reused needs no pool.
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { BULK_SIZE, giveBack, takeBuffer } from '../../lib/bulk-buffers';
import { LentChunks } from '../../lib/release-buffer';

const SLAB = BULK_SIZE;
const MAX_READ = 256 << 10;
/** A slab with less room than this left is retired; the next read starts a new one. */
const MIN_READ = 64 << 10;
const MAX_HEAD = 64 << 10;

export interface BulkResponse {
  status: number;
  headers: Headers;
  stream: Readable;
  /**
   * From now on, a full slab goes back to the pool once `done()` (how many bytes of the body
   * every consumer has finished with: no reference to them is left anywhere) reaches its end.
   * Returns a sweep to call when the consumers finish, for the slabs still waiting.
   */
  recycle(done: () => number): () => void;
}

/** The upstream answered in a framing this reader leaves to node:http. */
export const unsupported = Symbol('unsupported framing');

/**
 * Hands out the free tail of the current slab; `take` marks what a read filled. A full slab is
 * retired with the body offset its last byte ends at, and reused once `done` has passed it.
 */
class Slabs {
  private slab = takeBuffer();
  private used = 0;
  private retired = new LentChunks<Buffer>((slab) => giveBack(slab));
  private over = false;
  /** Body bytes taken so far (the head's bytes are copied out, not counted). */
  body = 0;
  done: (() => number) | undefined;

  next(): Buffer {
    // Asked once more after the last read: nothing will be read into this one.
    if (this.over) return Buffer.allocUnsafe(MIN_READ);
    if (SLAB - this.used < MIN_READ) {
      this.retired.add(this.slab, this.body);
      this.sweep();
      this.slab = takeBuffer();
      this.used = 0;
    }
    return this.slab.subarray(this.used, Math.min(SLAB, this.used + MAX_READ));
  }

  take(buf: Uint8Array, n: number): Buffer {
    this.used += n;
    return Buffer.from(buf.buffer, buf.byteOffset, n);
  }

  /** Gives back every retired slab all consumers are done with (they finish in body order). */
  sweep(): void {
    this.retired.release(this.done?.());
  }

  /** The body ended: the current slab waits with the others. */
  retireLast(): void {
    if (this.over) return;
    this.over = true;
    this.retired.add(this.slab, this.body);
  }
}

export function bulkGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<BulkResponse | typeof unsupported> {
  const request = requestHead(url, headers);
  return new Promise((resolve, reject) => {
    const slabs = new Slabs();
    let head: Buffer | undefined = Buffer.alloc(0);
    let body: Readable | undefined;
    let remaining = Infinity;
    let settled = false;
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (body) body.destroy(err);
      else if (!settled) {
        settled = true;
        reject(err);
      }
    };
    const socket: Socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: {
        buffer: () => slabs.next(),
        callback: (n, buf) => {
          let chunk = slabs.take(buf, n);
          if (head) {
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) {
              if (head.length > MAX_HEAD) fail(new Error(`response head longer than ${MAX_HEAD} bytes`));
              return true;
            }
            let parsed: ReturnType<typeof parseHead>;
            try {
              parsed = parseHead(head.subarray(0, end).toString('latin1'));
            } catch (err) {
              fail(err as Error);
              return false;
            }
            chunk = head.subarray(end + 4);
            head = undefined;
            clearTimeout(timer);
            settled = true;
            if (parsed === unsupported) {
              socket.destroy();
              resolve(unsupported);
              return false;
            }
            remaining = parsed.length;
            body = new Readable({ highWaterMark: 1 << 20, read: () => void socket.resume() });
            body.on('close', () => socket.destroy());
            const recycle = (done: () => number) => {
              slabs.done = done;
              return () => slabs.sweep();
            };
            resolve({ status: parsed.status, headers: parsed.headers, stream: body, recycle });
          }
          return deliver(chunk);
        },
      },
    });
    // Returns false to stop reading until the body is read from again.
    const deliver = (chunk: Buffer): boolean => {
      if (!body || body.destroyed || ended) return false;
      if (chunk.length > remaining) chunk = chunk.subarray(0, remaining);
      remaining -= chunk.length;
      slabs.body += chunk.length;
      const more = chunk.length === 0 || body.push(chunk);
      if (remaining === 0) end();
      return more && remaining > 0;
    };
    let ended = false;
    const end = () => {
      ended = true;
      slabs.retireLast();
      body!.push(null);
      socket.destroy();
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request));
    socket.on('error', fail);
    socket.on('end', () => {
      if (head) fail(new Error('connection closed before a response head'));
      else if (remaining === Infinity) end();
      else if (remaining > 0) fail(new Error(`connection closed with ${remaining} bytes of the body missing`));
    });
  });
}

function requestHead(url: URL, headers: Record<string, string>): string {
  let text = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    // A value learned from elsewhere (a token) must not add lines to the request.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || /[\0\r\n]/.test(v)) throw new Error(`invalid request header ${JSON.stringify(k)}`);
    text += `${k}: ${v}\r\n`;
  }
  return text + '\r\n';
}

function parseHead(text: string): { status: number; headers: Headers; length: number } | typeof unsupported {
  const [statusLine, ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine!);
  if (!m) throw new Error(`malformed status line ${JSON.stringify(statusLine!.slice(0, 80))}`);
  const status = Number(m[1]);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  if (status < 200 || headers.has('transfer-encoding')) return unsupported;
  if (status === 204 || status === 304) return { status, headers, length: 0 };
  const declared = headers.get('content-length');
  if (declared === null) return { status, headers, length: Infinity };
  // Headers joins repeated fields with ", ": repeats must agree (RFC 9110 §8.6).
  const values = new Set(declared.split(',').map((s) => s.trim()));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw new Error(`invalid Content-Length ${JSON.stringify(declared)}`);
  return { status, headers, length: Number(only) };
}
