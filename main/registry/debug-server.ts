// The debug listener (http.debug.addr): /debug/health, when enabled Prometheus metrics, and the
// maintenance endpoints (debug-admin.ts). Plain HTTP with no auth, like distribution's, so the
// default config binds it to loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DebugConfig } from '../config/types';
import { ADMIN_PATHS, handleAdmin, type Maintenance } from './debug-admin';
import type { StorageHealth } from './health';
import { parseListenAddress } from './http/listen-address';
import type { RegistryMetrics } from './metrics';

export async function startDebugServer(cfg: DebugConfig, health: StorageHealth | undefined, metrics: RegistryMetrics, maintenance?: Maintenance): Promise<{ server: Server; port: number; host: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/debug/health') {
      const report = health?.report() ?? {};
      res.writeHead(Object.keys(report).length === 0 ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(report));
      return;
    }
    if (ADMIN_PATHS.has(path ?? '')) {
      handleAdmin(req, res, maintenance);
      return;
    }
    if (cfg.prometheus.enabled && path === cfg.prometheus.path) {
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
