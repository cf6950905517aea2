// One registry: a driver and its stores behind the API listener, plus the debug listener.
// `startRegistry` opens the store and starts both listeners; `stop()` closes them again, so the
// runtime (and tests) decide when a registry serves.
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import type { RegistryConfig } from '../config/types';
import type { Logger } from '../lib/logger';
import { allowAll, TOKEN_PATH, type AccessController } from './auth/access';
import { apiUrl } from './http/context';
import { sharedBcryptPool } from '../users/bcrypt-pool';
import { HtpasswdController } from './auth/htpasswd-controller';
import { startDebugServer } from './debug-server';
import { StorageHealth } from './health';
import { isProxy, startProxyMode, type ProxyMode } from './proxy/proxy-mode';
import { createDispatcher } from './http/dispatcher';
import { createApiServer, type ApiServer } from './http/server';
import { FilesystemDriver } from './storage/driver/filesystem';
import { InMemoryDriver } from './storage/driver/inmemory';
import type { StorageDriver } from './storage/driver/types';
import { RegistryStore } from './storage/registry-store';
import { openSharedState, type SharedState } from './storage/shared-state';

export interface RegistryOptions {
  config: RegistryConfig;
  log: Logger;
  access?: AccessController;
  driver?: StorageDriver;
}

export interface RunningRegistry {
  readonly store: RegistryStore;
  /** Where the API listens (the real port when http.addr asked for port 0). */
  readonly address: { host: string; port: number };
  readonly debugAddress: { host: string; port: number } | undefined;
  readonly server: Server;
  /** Proxy mode, when configured: cache statistics and which repositories came from upstream. */
  readonly proxy: ProxyMode | undefined;
  stop(): Promise<void>;
}

/**
 * The configured storage driver, ready to use. The s3 driver and the AWS SDK under it are loaded
 * only when configured (the SDK is a separate bundle, dist/s3-sdk.cjs, in builds): a filesystem registry
 * should not carry them. Its bucket is checked here, so a wrong key, a missing bucket or an
 * unreachable endpoint fails the start with one message.
 */
export async function openDriver(config: RegistryConfig): Promise<StorageDriver> {
  const { driver, s3, filesystem } = config.storage;
  if (driver === 'inmemory') return new InMemoryDriver();
  if (driver === 'filesystem') return new FilesystemDriver({ rootdirectory: filesystem.rootdirectory });
  const { S3Driver } = await import('./storage/driver/s3');
  const d = new S3Driver(s3!);
  try {
    await d.check();
  } catch (err) {
    await d.close();
    throw err;
  }
  return d;
}

/**
 * htpasswd when auth.htpasswd is set, else no authentication (distribution's `auth: none`).
 * Given the controller in use (`previous`), a change of roles, anonymous access or limits is
 * applied to it in place, so issued tokens and proven credentials stay valid for everyone the
 * change does not concern.
 */
export function accessControllerFor(config: RegistryConfig, log: Logger, previous?: AccessController): AccessController {
  const h = config.auth.htpasswd;
  if (!h) return allowAll;
  const a = config.berth.auth;
  const opts = {
    realm: h.realm, path: h.path, roles: a.roles, defaultRole: a.defaultrole,
    anonymousPull: a.anonymous === 'pull', proofTtlMs: a.credentialcacheMs, log,
    tokenRealm: (req: IncomingMessage) => apiUrl({ req, config }, TOKEN_PATH),
    trustedProxies: a.trustedproxies, bcrypt: sharedBcryptPool(a.bcryptworkers),
  };
  if (previous instanceof HtpasswdController && previous.canUpdate(opts)) {
    previous.update(opts);
    return previous;
  }
  return new HtpasswdController(opts);
}

/**
 * The filesystem storage root, created when missing. One that cannot be a folder (a file is
 * there, no permission) fails the start, rather than the registry reporting it serves and every
 * push failing later.
 */
async function ensureStorageRoot(root: string): Promise<void> {
  try {
    await mkdir(root, { recursive: true });
  } catch (err) {
    throw new Error(`cannot use storage directory ${root}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  const { config, log } = opts;
  if (!opts.driver && config.storage.driver === 'filesystem') await ensureStorageRoot(config.storage.filesystem.rootdirectory);
  const driver = opts.driver ?? (await openDriver(config));
  let shared: SharedState | undefined;
  try {
    shared = await openSharedState(config);
  } catch (err) {
    await driver.close?.();
    throw err;
  }
  const store = new RegistryStore(driver, config, log, shared);
  await store.open();

  const hc = config.health.storagedriver;
  const health = hc.enabled ? new StorageHealth(driver, hc.intervalMs, hc.threshold, log) : undefined;
  // prom-client (and the OpenTelemetry API it loads) is imported only when metrics are on:
  // ≈ 1.5 MiB resident that a registry without them should not carry (issue 15).
  const metrics = config.http.debug?.prometheus.enabled ? new (await import('./metrics')).RegistryMetrics() : undefined;
  const proxy = isProxy(config) ? await startProxyMode(config, store, log) : undefined;
  const dispatch = createDispatcher({
    store, config, log,
    ...(proxy ? { content: proxy.content, rewriteName: (name: string, url: URL) => proxy.router.localName(name, url.searchParams.get('ns')) } : {}),
    access: opts.access ?? accessControllerFor(config, log),
    ...(health ? { healthy: () => health.healthy } : {}),
    ...(metrics ? { observe: metrics.observe } : {}),
  });

  let api: ApiServer | undefined;
  let debug: Awaited<ReturnType<typeof startDebugServer>> | undefined;
  try {
    api = await createApiServer(config, dispatch, log);
    const address = await api.listen();
    if (config.http.debug) {
      const { allowedorigins, allowedhosts } = config.berth.http;
      debug = await startDebugServer(config.http.debug, health, metrics, { allowedOrigins: allowedorigins, allowedHosts: allowedhosts });
    }
    health?.start();
    const running: RunningRegistry = {
      store,
      address,
      debugAddress: debug ? { host: debug.host, port: debug.port } : undefined,
      server: api.server,
      proxy,
      async stop() {
        health?.stop();
        // No new requests, and those in flight finish (or are cut after the drain timeout).
        await Promise.all([
          api!.close(),
          debug ? new Promise<void>((r) => { debug!.server.close(() => r()); debug!.server.closeAllConnections(); }) : undefined,
        ]);
        // Then the proxy's downloads still being committed finish and it saves its state.
        await proxy?.close();
        // Last, once nothing writes through it any more.
        await store.close();
      },
    };
    return running;
  } catch (err) {
    await proxy?.close();
    await api?.close().catch(() => undefined);
    if (debug) debug.server.close();
    await store.close();
    throw err;
  }
}
