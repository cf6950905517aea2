// `berth serve --console`: the renderer and the control API over HTTP, so a server gets the same
// UI as the desktop app and the browser tests drive it in real Chromium.
//   POST /api/<method>   JSON args → ControlResult (200 with ok:false for control errors)
//   GET  /api/events     server-sent events of ControlEvent
//   GET  /…              the built renderer (public: it is only code; every call needs the token)
// The API needs `Authorization: Bearer <token>`; /api/events also takes `?token=` because a
// browser's EventSource cannot send headers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlEvent } from '../../preload/contract';
import type { ControlService } from '../control/service';
import type { Logger } from '../lib/logger';
import { BodyTooLargeError, readJsonBody } from '../lib/read-json-body';
import { plain, serveStatic } from './static-files';
import { tokenMatches } from './token';

export interface ConsoleOptions {
  service: ControlService;
  token: string;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  host: string;
  port: number;
  log: Logger;
}

export interface ConsoleServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const MAX_BODY = 2 * 1024 * 1024;

export async function startConsoleServer(o: ConsoleOptions): Promise<ConsoleServer> {
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log.error('console request failed', { error: String(err) });
      if (!res.headersSent) plain(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (!url.pathname.startsWith('/api/')) return serveStatic(o.rendererDir, req, res, url.pathname);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const isEvents = url.pathname === '/api/events';
    if (!tokenMatches(bearer ?? (isEvents ? url.searchParams.get('token') ?? undefined : undefined), o.token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="berth-console"' });
      return void res.end(JSON.stringify({ ok: false, error: { code: 'PERMISSION_DENIED', message: 'A valid console token is required.' } }));
    }
    if (isEvents) return events(req, res);
    if (req.method !== 'POST') return plain(res, 405, 'use POST');
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    let args: unknown;
    try {
      args = await readJsonBody(req, MAX_BODY);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLargeError;
      return json(res, tooLarge ? 413 : 400, { ok: false, error: { code: 'INVALID_ARGUMENT', message: tooLarge ? 'The request is too large.' : 'The request body is not JSON.' } });
    }
    const result = await o.service.call(method, args);
    // A control error is an answer, not a transport failure: 200 with ok:false, so the
    // browser does not log every validation message as a failed request.
    json(res, result.ok || result.error.code !== 'PERMISSION_DENIED' ? 200 : 403, result);
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (e: ControlEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    // The current status first, so a page that connects late is not stale.
    void o.service.invoke('registry.status', {}).then((r) => { if (r.ok) send({ type: 'status', status: r.value }); });
    const sub = o.service.onEvent(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    streams.add(res);
    req.on('close', () => {
      sub.dispose();
      clearInterval(ping);
      streams.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const host = a.address.includes(':') ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/`,
    server,
    close: () => new Promise<void>((resolve) => {
      for (const s of streams) s.end();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

