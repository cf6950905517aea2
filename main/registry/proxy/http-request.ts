// One HTTP(S) request to an upstream with node:http, for the proxy's hot path: the body is the
// socket's own stream (no web-stream conversion), connections are kept alive per upstream, and
// the timeout covers only the wait for the response head — a large layer may stream for minutes.
// A bulk GET (a blob's body) over plain HTTP goes through bulk-get.ts instead, which reads the
// body without node:http's copy of every chunk.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { bulkGet, unsupported, type BulkResponse } from './bulk-get';

export interface RawResponse {
  status: number;
  headers: Headers;
  stream: Readable;
  /** Only for a bulk GET read by bulk-get.ts. */
  recycle?: BulkResponse['recycle'];
}

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

export async function sendRequest(url: URL, method: string, headers: Record<string, string>, timeoutMs: number, bulk = false): Promise<RawResponse> {
  if (bulk && method === 'GET' && url.protocol === 'http:') {
    const res = await bulkGet(url, headers, timeoutMs);
    if (res !== unsupported) return res;
  }
  return nodeRequest(url, method, headers, timeoutMs);
}

function nodeRequest(url: URL, method: string, headers: Record<string, string>, timeoutMs: number): Promise<RawResponse> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? httpsAgent : httpAgent }, (res) => {
      clearTimeout(timer);
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (Array.isArray(v)) for (const x of v) h.append(k, x);
        else if (v !== undefined) h.set(k, v);
      }
      resolve({ status: res.statusCode ?? 0, headers: h, stream: res });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** Reads a whole (small) body. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
