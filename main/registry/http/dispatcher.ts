// One entry for every API request: route, check the method, authorise, validate the name, call
// the handler, and turn any failure into the OCI error envelope (the only place that happens).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import { TOKEN_PATH, type Access, type AccessController, type Action } from '../auth/access';
import { RegistryError, toWireError } from '../errors';
import { assertName } from '../reference';
import { StorageFullError } from '../storage/driver/errors';
import type { RegistryStore } from '../storage/registry-store';
import { sendJson, type RequestContext } from './context';
import { getBase } from './handlers/base';
import { deleteBlob, getBlob } from './handlers/blobs';
import { getCatalog } from './handlers/catalog';
import { deleteManifest, getManifest, putManifest } from './handlers/manifests';
import { getReferrers } from './handlers/referrers';
import { getTags } from './handlers/tags';
import { deleteUpload, getUpload, patchUpload, postUpload, putUpload } from './handlers/uploads';
import { BodyRateGuard } from './body-rate';
import { requestOriginGuard } from './request-origin';
import { noteRepository } from './request-repository';
import { matchRoute, type RouteId } from './routes';
import { localContent, type ContentSource } from '../content-source';
import { isLocalName } from '../proxy/local-namespaces';
import { isProxy } from '../proxy/proxy-mode';

type Handler = (ctx: RequestContext) => Promise<void>;

const HANDLERS: Record<RouteId, Partial<Record<string, Handler>>> = {
  base: { GET: getBase, HEAD: getBase },
  catalog: { GET: getCatalog, HEAD: getCatalog },
  tags: { GET: getTags, HEAD: getTags },
  manifest: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
  blob: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob },
  uploads: { POST: postUpload },
  upload: { GET: getUpload, HEAD: getUpload, PATCH: patchUpload, PUT: putUpload, DELETE: deleteUpload },
  referrers: { GET: getReferrers, HEAD: getReferrers },
};

function actionFor(route: RouteId, method: string): Action {
  if (route === 'catalog') return 'catalog';
  if (method === 'DELETE' && (route === 'manifest' || route === 'blob')) return 'delete';
  if (method === 'GET' || method === 'HEAD') return 'pull';
  return 'push';
}

export interface DispatcherDeps {
  store: RegistryStore;
  config: RegistryConfig;
  log: Logger;
  access: AccessController;
  /** Read source; the local store unless proxy mode wraps it. */
  content?: ContentSource;
  /** Maps a request's repository name to the local one (containerd's ?ns= in proxy mode). */
  rewriteName?: (name: string, url: URL) => string;
  /** Answers 503 while a health check fails (distribution's behaviour). */
  healthy?: () => boolean;
  /** Called once per finished request, for metrics. */
  observe?: (route: RouteId | 'token' | 'unknown', method: string, status: number, seconds: number) => void;
}

export function createDispatcher(deps: DispatcherDeps) {
  const { config, log } = deps;
  const pathPrefix = config.http.prefix === '/' ? '' : config.http.prefix.replace(/\/+$/, '');
  const extraHeaders = Object.entries(config.http.headers);
  // registry:3's proxy refuses every write; Berth accepts pushes under berth.proxy.localnamespaces
  // unless berth.proxy.allowpush is false. Proxy mode is proxy.remoteurl or berth.proxy.upstreams
  // alone; both settings apply to both.
  const proxyReadOnly = isProxy(config) && !config.berth.proxy.allowpush;
  const proxyWritable = isProxy(config) && !proxyReadOnly ? config.berth.proxy.localnamespaces : undefined;
  const readonly = config.storage.maintenance.readonly.enabled || proxyReadOnly;
  const content = deps.content ?? localContent(deps.store);
  const checkOrigin = requestOriginGuard({
    addr: config.http.addr, allowedOrigins: config.berth.http.allowedorigins, allowedHosts: config.berth.http.allowedhosts,
  });
  const { minbodyrate, minbodyratewindowMs } = config.berth.http;
  const bodyRate = new BodyRateGuard(minbodyrate, minbodyratewindowMs);
  const mayPull = (req: IncomingMessage) => (repository: string) =>
    deps.access.authorize(req, [{ action: 'pull', name: repository }]).then(() => true, (err: unknown) => {
      if (err instanceof RegistryError && (err.kind === 'unauthorized' || err.kind === 'denied')) return false;
      throw err;
    });

  return async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    let routeId: RouteId | 'token' | 'unknown' = 'unknown';
    const unwatchBody = bodyRate.watch(req, () => {
      if (res.headersSent) req.socket.destroy();
      else writeError(req, res, tooSlow(minbodyrate, minbodyratewindowMs), log);
    });
    try {
      // Before anything else answers: a forged browser request learns nothing, changes nothing.
      checkOrigin(req);
      const url = new URL(req.url ?? '/', 'http://registry.invalid');
      let path = url.pathname;
      if (pathPrefix) {
        if (!path.startsWith(pathPrefix + '/')) throw notFound(path);
        path = path.slice(pathPrefix.length);
      }
      if (path === '/') {
        // distribution answers its root with an empty 200 for load-balancer liveness probes.
        res.setHeader('Cache-Control', 'no-cache');
        res.statusCode = 200;
        res.end();
        return;
      }
      if (path === TOKEN_PATH && deps.access.issueToken && (method === 'GET' || method === 'HEAD')) {
        routeId = 'token';
        sendJson(res, 200, await deps.access.issueToken(req, url), { 'Cache-Control': 'no-store' });
        return;
      }
      const match = matchRoute(path);
      if (!match) throw notFound(path);
      routeId = match.id;
      if (match.name !== undefined) noteRepository(req, match.name);
      for (const [k, v] of extraHeaders) res.setHeader(k, v);
      const handler = HANDLERS[match.id][method];
      if (!handler) {
        res.setHeader('Allow', match.route.methods.join(', '));
        throw new RegistryError('unsupported', `method ${method} is not allowed here`);
      }
      if (deps.healthy && !deps.healthy()) {
        throw new RegistryError('unavailable', 'service unavailable', 'health check failed: please see /debug/health');
      }
      if (readonly && match.route.writes.includes(method)) {
        throw new RegistryError('unsupported', proxyReadOnly ? 'this registry is a read-only pull-through cache' : 'the registry is in read-only mode');
      }
      const accesses: Access[] = [{ action: actionFor(match.id, method), ...(match.name ? { name: match.name } : {}) }];
      const from = match.id === 'uploads' ? url.searchParams.get('from') : null;
      if (from) accesses.push({ action: 'pull', name: from });
      await deps.access.authorize(req, accesses);
      if (match.name !== undefined) assertName(match.name);
      const name = match.name !== undefined && deps.rewriteName ? deps.rewriteName(match.name, url) : match.name;
      // containerd's ?ns= prefixes the name with a host: the result must be a valid name too.
      if (name !== match.name) {
        assertName(name!);
        noteRepository(req, name!);
      }
      if (proxyWritable && name !== undefined && match.route.writes.includes(method) && !isLocalName(name, proxyWritable)) {
        throw notLocal(name, proxyWritable);
      }
      await handler({
        req, res, method, url,
        name: name ?? '',
        param: match.param ?? '',
        store: deps.store, content, config, log,
        mayPull: mayPull(req),
      });
    } catch (err) {
      writeError(req, res, err, log);
    } finally {
      unwatchBody();
      if (deps.observe) {
        const done = () => deps.observe!(routeId, method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
        if (res.writableFinished) done(); else res.once('finish', done);
      }
    }
  };
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const DISCARD_MS = 5_000;

/**
 * Reads and drops the rest of a body we refused. Closing a socket that still has unread input
 * makes the kernel send a reset, which can destroy the error response before the client reads
 * it; draining for a moment lets the client see the answer and stop sending.
 */
function discardRest(req: IncomingMessage): void {
  const timer = setTimeout(() => req.socket.destroy(), DISCARD_MS).unref();
  req.socket.once('close', () => clearTimeout(timer));
  req.on('error', () => undefined);
  req.resume();
}

/**
 * A write in proxy mode to a name that belongs to an upstream. 405 UNSUPPORTED, as registry:3's
 * read-only proxy answers, not 403 DENIED: no credentials or role would make it succeed (DENIED
 * tells clients that access control refused them). Checked on the name after containerd's
 * ?ns= rewrite, so a local-looking name cannot write into an upstream's prefix.
 */
function notLocal(name: string, namespaces: readonly string[]): RegistryError {
  const listed = namespaces.length > 0 ? namespaces.join(', ') : 'none configured';
  return new RegistryError('unsupported', `${name} belongs to the upstream: in proxy mode, pushes and deletes are accepted only under berth.proxy.localnamespaces (${listed})`);
}

/** A body cut by the minimum rate: 408, the status for a request that came too slowly. */
function tooSlow(rate: number, windowMs: number): RegistryError {
  return new RegistryError('request-timeout',
    `the request body arrived at less than ${rate} bytes per second over ${windowMs / 1000} s (berth.http.minbodyrate, berth.http.minbodyratewindow)`);
}

function notFound(path: string): RegistryError {
  return new RegistryError('endpoint-unknown', undefined, { path });
}

/**
 * True when the client closed its connection before we answered (a cancelled push, a dropped
 * link, or a client that half-closes after its body, which Node's server treats as gone): Node
 * then fails the body stream with ECONNRESET "aborted". Storage errors never carry that code,
 * since the drivers wrap theirs.
 */
function clientWentAway(req: IncomingMessage, err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (!req.complete && req.destroyed);
}

function writeError(req: IncomingMessage, res: ServerResponse, err: unknown, log: Logger): void {
  if (clientWentAway(req, err)) {
    // Nobody is left to answer, and nothing failed on our side: not an error worth logging.
    log.debug('client went away mid-request', { method: req.method, url: req.url });
    res.destroy();
    return;
  }
  // Storage errors normally become domain errors in the stores; a full disk can surface anywhere.
  if (err instanceof StorageFullError) err = new RegistryError('storage-full');
  const { wire, unexpected } = toWireError(err);
  if (unexpected) log.error('request failed', { method: req.method, url: req.url, error: err instanceof Error ? err.stack : String(err) });
  if (res.headersSent) {
    // Mid-stream failure: the status is gone, so the only honest signal is a cut connection.
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const body = JSON.stringify(wire.body);
  for (const [k, v] of Object.entries(wire.headers)) res.setHeader(k, v);
  // An unread request body (a refused chunk, say) would otherwise be drained byte by byte.
  if (!req.complete) {
    res.setHeader('Connection', 'close');
    discardRest(req);
  }
  res.statusCode = wire.status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
