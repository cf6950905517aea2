// The API listener: plain HTTP, or HTTPS when http.tls is set. Timeouts are chosen so that
// large uploads may take as long as they need while stalled or half-open clients cannot pin
// connections: headers must arrive promptly, and an idle socket is closed.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import { parseListenAddress } from './listen-address';
import { loadTlsOptions, watchTlsFiles } from './tls-options';

export interface ApiServer {
  readonly server: Server;
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

const HEADERS_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 120_000;
const KEEP_ALIVE_MS = 65_000;

export async function createApiServer(
  config: RegistryConfig,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  log: Logger,
): Promise<ApiServer> {
  const accessLog = !config.log.accesslog.disabled;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (accessLog) res.once('finish', () => logAccess(log, req, res));
    void handler(req, res);
  };
  const tls = config.http.tls;
  const server: Server = tls
    ? createHttpsServer({ ...(await loadTlsOptions(tls)), ALPNProtocols: ['http/1.1'] }, onRequest)
    : createHttpServer(onRequest);
  const unwatch = tls ? watchTlsFiles(server as unknown as TlsServer, tls, log) : () => undefined;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = 0; // a 10 GB layer over a slow link is a legitimate request
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.setTimeout(IDLE_TIMEOUT_MS, (socket) => socket.destroy());
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
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

function logAccess(log: Logger, req: IncomingMessage, res: ServerResponse): void {
  log.info('request', {
    method: req.method,
    path: (req.url ?? '').split('?')[0],
    status: res.statusCode,
    remote: req.socket.remoteAddress,
    agent: req.headers['user-agent'],
  });
}
