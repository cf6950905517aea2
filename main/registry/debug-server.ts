// The debug listener (http.debug.addr): /debug/health and, when enabled, Prometheus metrics.
// Plain HTTP with no auth, like distribution's, so the default config binds it to loopback.
// Maintenance (gc, fsck) is not here: only the owner may run it, and only the maintenance
// channel's socket (runtime/admin-channel.ts) tells the owner from other local users.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DebugConfig } from '../config/types';
import type { StorageHealth } from './health';
import { toWireError } from './errors';
import { parseListenAddress } from '../config/listen-address';
import { requestOriginGuard, type RequestOriginPolicy } from './http/request-origin';
import type { RegistryMetrics } from './metrics';

/** berth.http's browser settings; the debug listener applies them to its own address. */
export type BrowserPolicy = Omit<RequestOriginPolicy, 'addr'>;

export async function startDebugServer(cfg: DebugConfig, health: StorageHealth | undefined, metrics: RegistryMetrics | undefined, browser: BrowserPolicy = { allowedOrigins: [], allowedHosts: [] }): Promise<{ server: Server; port: number; host: string }> {
  // Health and metrics list repositories and load; a rebinding page must not read them either.
  const checkOrigin = requestOriginGuard({ ...browser, addr: cfg.addr });
  const server = createServer((req, res) => {
    try {
      checkOrigin(req);
    } catch (err) {
      const { wire } = toWireError(err);
      res.writeHead(wire.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(wire.body));
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/debug/health') {
      const report = health?.report() ?? {};
      res.writeHead(Object.keys(report).length === 0 ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(report));
      return;
    }
    if (metrics && cfg.prometheus.enabled && path === cfg.prometheus.path) {
      metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(text);
      }, () => { res.writeHead(500); res.end(); });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found\n');
  });
  const { host, port } = parseListenAddress(cfg.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on debug address ${cfg.addr}: ${err.message}`)));
    server.listen({ host, port }, resolve);
  });
  const a = server.address() as AddressInfo;
  return { server, port: a.port, host: a.address };
}
