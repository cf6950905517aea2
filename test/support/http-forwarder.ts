// A tiny counting HTTP forwarder on loopback, put between a proxy under test and its upstream:
// it counts what the proxy asks the upstream (one blob download, HEAD instead of GET…), can
// answer chosen requests itself (a 429 with Retry-After, as Docker Hub's rate limit does), and
// cuts the connection when the upstream is down, as an unreachable host would look.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deferCleanup } from './cleanup';

export interface ForwardedRequest { method: string; path: string; status: number }

export interface Forwarder {
  /** http://127.0.0.1:PORT */
  url: string;
  readonly log: ForwardedRequest[];
  /** How many logged requests match (method and a path pattern). */
  count(method: string, path: RegExp): number;
  /** The next `count` requests matching are answered with `status` and `headers` here. */
  failNext(count: number, match: (method: string, path: string) => boolean, status: number, headers?: Record<string, string>): void;
  /** Requests matching are forwarded only after `ms` (a slow upstream: widens race windows). */
  delay(ms: number, match: (method: string, path: string) => boolean): void;
  setTarget(url: string): void;
  stop(): Promise<void>;
}

interface Injection { count: number; match: (method: string, path: string) => boolean; status: number; headers: Record<string, string> }

export async function startForwarder(target: string): Promise<Forwarder> {
  let upstream = new URL(target);
  const log: ForwardedRequest[] = [];
  const injections: Injection[] = [];
  const delays: Array<{ ms: number; match: (method: string, path: string) => boolean }> = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const inject = injections.find((i) => i.count > 0 && i.match(method, path));
    if (inject) {
      inject.count--;
      log.push({ method, path, status: inject.status });
      const body = JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'injected by the test forwarder' }] });
      res.writeHead(inject.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...inject.headers });
      res.end(body);
      req.resume();
      return;
    }
    const wait = delays.find((d) => d.match(method, path))?.ms ?? 0;
    if (wait > 0) req.pause();
    setTimeout(() => forward(req, res, method, path), wait);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, method: string, path: string) => {
    const out = request({
      host: upstream.hostname, port: upstream.port, method, path: req.url, headers: req.headers,
    }, (up) => {
      log.push({ method, path, status: up.statusCode ?? 0 });
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    // Upstream down: drop the connection, as an unreachable host would.
    out.on('error', () => {
      log.push({ method, path, status: 0 });
      res.destroy();
    });
    req.pipe(out);
  };

  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  deferCleanup(`stop forwarder :${port}`, stop);
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    count: (method, path) => log.filter((l) => l.method === method && path.test(l.path)).length,
    failNext(count, match, status, headers = {}) {
      injections.push({ count, match, status, headers });
    },
    delay(ms, match) {
      delays.push({ ms, match });
    },
    setTarget(url) {
      upstream = new URL(url);
    },
    stop,
  };
}
