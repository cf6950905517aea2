// The API listener: plain HTTP, or HTTPS when http.tls is set. Timeouts are chosen so that
// large uploads may take as long as they need while stalled or half-open clients cannot pin
// connections: headers must arrive promptly (berth.http.headerstimeout), and a socket with no
// traffic is closed (berth.http.idletimeout). A body that trickles is cut by the minimum body rate
// (body-rate.ts, in the dispatcher), and connections beyond berth.http.maxconnections are dropped.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import { parseListenAddress } from '../../config/listen-address';
import { repositoryOf } from './request-repository';
import { loadTlsOptions, watchTlsFiles } from './tls-options';

export interface ApiServer {
  readonly server: Server;
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

const KEEP_ALIVE_MS = 65_000;

export async function createApiServer(
  config: RegistryConfig,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  log: Logger,
): Promise<ApiServer> {
  const accessLog = !config.log.accesslog.disabled;
  // Responses still being produced, per connection: a parse error in bytes that follow a complete
  // request (a body longer than its Content-Length) must not put its 400 on the wire ahead of
  // them, so the refusal waits until they are done.
  const answering = new WeakMap<Socket, number>();
  const latest = new WeakMap<Socket, IncomingMessage>();
  const refusals = new WeakMap<Socket, () => void>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (accessLog) {
      const started = performance.now();
      res.once('finish', () => logAccess(log, req, res, performance.now() - started));
    }
    const socket = req.socket;
    answering.set(socket, (answering.get(socket) ?? 0) + 1);
    latest.set(socket, req);
    res.once('close', () => {
      const left = (answering.get(socket) ?? 1) - 1;
      answering.set(socket, left);
      if (left === 0) refusals.get(socket)?.();
    });
    void handler(req, res);
  };
  const { headerstimeoutMs, idletimeoutMs } = config.berth.http;
  // Node checks the headers timeout on this interval (30 s by default), so a short timeout
  // needs a matching interval to be enforced in time.
  const timing = { connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(headerstimeoutMs / 2))) };
  const tls = config.http.tls;
  const server: Server = tls
    ? createHttpsServer({ ...(await loadTlsOptions(tls)), ALPNProtocols: ['http/1.1'], ...timing }, onRequest)
    : createHttpServer(timing, onRequest);
  const unwatch = tls ? watchTlsFiles(server as unknown as TlsServer, tls, log) : () => undefined;
  server.headersTimeout = headerstimeoutMs;
  // No cap on a request's total time: a 10 GB layer over a slow link is a legitimate request. A
  // body that trickles is cut by the minimum body rate instead (body-rate.ts, in the dispatcher),
  // and a silent socket by the idle timeout below.
  server.requestTimeout = 0;
  // Node closes connections beyond the cap as soon as they are accepted; the ones already open
  // are served as before, and new ones are accepted again as soon as some close.
  const { maxconnections } = config.berth.http;
  if (maxconnections > 0) {
    server.maxConnections = maxconnections;
    server.on('drop', () => log.debug('connection dropped: berth.http.maxconnections reached', { max: maxconnections }));
  }
  // Node closes an idle keep-alive socket itself; never later than the idle timeout would.
  server.keepAliveTimeout = Math.min(KEEP_ALIVE_MS, idletimeoutMs);
  server.setTimeout(idletimeoutMs, (socket) => socket.destroy());
  server.on('clientError', (err, socket) => {
    const refuse = () => {
      if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(err)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    };
    // A request still waiting for its body will never get it now: refuse at once, which ends it.
    if (answering.get(socket as Socket) && latest.get(socket as Socket)?.complete) refusals.set(socket as Socket, refuse);
    else refuse();
    log.debug('client error', { error: (err as Error).message });
  });

  return {
    server,
    listen: () => new Promise((resolve, reject) => {
      const { host, port } = parseListenAddress(config.http.addr);
      const onError = (err: NodeJS.ErrnoException) => {
        const where = config.http.addr;
        if (err.code === 'EADDRINUSE') reject(new Error(`cannot listen on ${where}: the address is already in use`));
        else if (err.code === 'EACCES') reject(new Error(`cannot listen on ${where}: permission denied`));
        else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`cannot listen on ${where}: no such local address`));
        else reject(new Error(`cannot listen on ${where}: ${err.message}`));
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        const a = server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    }),
    close: () => new Promise<void>((resolve) => {
      unwatch();
      server.close(() => resolve());
      server.closeIdleConnections();
      // In-flight requests get the drain window; then everything still open is cut.
      const drain = config.http.draintimeoutMs;
      setTimeout(() => server.closeAllConnections(), drain).unref();
    }),
  };
}

/**
 * The status line for a request Node refused before it reached the dispatcher: the statuses
 * Node's own default handler uses (431 for an oversize head, 408 for a head that came too
 * slowly), 400 for anything unparsable.
 */
function clientErrorStatus(err: Error & { code?: string }): string {
  if (err.code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

function logAccess(log: Logger, req: IncomingMessage, res: ServerResponse, durationMs: number): void {
  const repository = repositoryOf(req);
  log.info('request', {
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    ...(repository ? { repository } : {}),
    status: res.statusCode,
    durationMs: Math.round(durationMs * 10) / 10,
    remote: req.socket.remoteAddress,
    agent: req.headers['user-agent'],
  });
}
