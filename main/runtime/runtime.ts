// The running registry's lifecycle, which the core (control/core.ts) runs for the Electron app
// and `berth serve` alike: it starts, stops and reconfigures the registry and reports state
// changes. It never exits the process or installs signal handlers; the entry points do that.
import type { RegistryConfig } from '../config/types';
import { Emitter, type Event } from '../lib/events';
import type { Logger } from '../lib/logger';
import type { AccessController } from '../registry/auth/access';
import { RegistryError } from '../registry/errors';
import { formatHostPort, isWildcardHost } from '../config/listen-address';
import { accessControllerFor, startRegistry, type RunningRegistry } from '../registry/registry';
import { openAdminChannel, type AdminChannel } from './admin-channel';
import { adminEndpoint, serverIdentity } from './admin-endpoint';
import type { ReloadReport } from './admin-protocol';
import { restartReasons, withLiveChanges } from './restart-needed';
import type { RuntimeState } from './state';

export interface RuntimeOptions {
  config: RegistryConfig;
  log: Logger;
  /**
   * The maintenance channel (admin-channel.ts) in this data folder, open while the registry runs.
   * `reloadConfig` reads the configuration again from where it came from, for reload-users.
   */
  admin?: { dataDir: string; reloadConfig?: () => Promise<RegistryConfig> };
}

export interface Runtime {
  readonly state: RuntimeState;
  readonly onDidChangeState: Event<RuntimeState>;
  readonly config: RegistryConfig;
  /** The running registry, for the control API; undefined unless running. */
  readonly registry: RunningRegistry | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Applies a new configuration. The listener restarts only when a key it was started with
   * changed (restart-needed.ts); roles and anonymous access apply in place. `reasons` lists
   * the changed keys that needed the restart.
   */
  reconfigure(next: RegistryConfig): Promise<{ restarted: boolean; reasons: string[] }>;
  /** Re-reads the htpasswd file now (after `berth users …` changed it); nothing without auth. */
  reloadUsers(): Promise<void>;
  /**
   * What `berth users …` asks for: re-reads the configuration (when the runtime knows where it
   * comes from) and applies its roles and auth limits, then re-reads the htpasswd file.
   */
  reloadUsersAndRoles(): Promise<ReloadReport>;
  /** The maintenance channel's socket or pipe while it is open. */
  readonly adminPath: string | undefined;
}

export function createRuntime(opts: RuntimeOptions): Runtime {
  const changed = new Emitter<RuntimeState>();
  let state: RuntimeState = { status: 'stopped' };
  let config = opts.config;
  let registry: RunningRegistry | undefined;
  let admin: AdminChannel | undefined;
  // The registry is given a delegate, so a change of roles swaps the controller underneath
  // without restarting the listener.
  let access: AccessController = accessControllerFor(config, opts.log);
  const delegate: AccessController = {
    authorize: (req, accesses) => access.authorize(req, accesses),
    // The token endpoint exists only while the current controller issues tokens.
    issueToken: (req, url) => access.issueToken?.(req, url) ?? Promise.reject(new RegistryError('endpoint-unknown', undefined, { path: url.pathname })),
    reload: () => access.reload?.() ?? Promise.resolve(),
  };
  const set = (next: RuntimeState) => {
    state = next;
    changed.fire(next);
  };

  const runtime: Runtime = {
    get state() { return state; },
    get config() { return config; },
    get registry() { return registry; },
    onDidChangeState: changed.event,
    async start() {
      if (state.status === 'running' || state.status === 'starting') return;
      set({ status: 'starting' });
      try {
        access = accessControllerFor(config, opts.log);
        registry = await startRegistry({ config, log: opts.log, access: delegate });
        const { host, port } = registry.address;
        const shown = isWildcardHost(host) ? 'localhost' : host;
        const tls = config.http.tls !== undefined;
        const dbg = registry.debugAddress;
        admin = await openAdmin(registry);
        set({
          status: 'running',
          url: `${tls ? 'https' : 'http'}://${formatHostPort(shown, port)}`,
          host, port, tls,
          auth: config.auth.htpasswd !== undefined,
          proxy: config.proxy !== undefined,
          ...(dbg ? { debugUrl: `http://${formatHostPort(dbg.host, dbg.port)}` } : {}),
        });
      } catch (err) {
        registry = undefined;
        set({ status: 'failed', error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    },
    async stop() {
      if (!registry) return;
      set({ status: 'stopping' });
      const r = registry;
      registry = undefined;
      // First the channel, so no command starts on a store that is closing.
      await admin?.close();
      admin = undefined;
      await r.stop();
      set({ status: 'stopped' });
    },
    async reconfigure(next) {
      const reasons = restartReasons(config, next);
      const wasRunning = registry !== undefined;
      if (!wasRunning || reasons.length === 0) {
        config = next;
        // Updated in place when only roles or limits changed: tokens and proofs stay valid.
        access = accessControllerFor(config, opts.log, access);
        return { restarted: false, reasons };
      }
      await runtime.stop();
      config = next;
      await runtime.start();
      return { restarted: true, reasons };
    },
    reloadUsers: () => delegate.reload!(),
    async reloadUsersAndRoles() {
      let pending: string[] = [];
      if (opts.admin?.reloadConfig) {
        const next = await opts.admin.reloadConfig();
        pending = restartReasons(config, next);
        await runtime.reconfigure(withLiveChanges(config, next));
      }
      await runtime.reloadUsers();
      return { pending };
    },
    get adminPath() { return admin?.path; },
  };

  /** The channel is a convenience beside the registry: when it cannot open, the registry still serves. */
  async function openAdmin(r: RunningRegistry): Promise<AdminChannel | undefined> {
    if (!opts.admin) return undefined;
    try {
      const endpoint = adminEndpoint(opts.admin.dataDir, serverIdentity(config, r.address.port));
      return await openAdminChannel(endpoint, {
        gc: (o) => r.store.gc(o),
        fsck: (o) => r.store.fsck(o),
        'reload-users': () => runtime.reloadUsersAndRoles(),
        'warm-sync': (o) => warmSync(r, o),
      }, opts.log);
    } catch (err) {
      opts.log.warn('maintenance channel unavailable: berth gc, fsck and users cannot reach this server', { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }
  return runtime;
}

/** berth sync: the kept-warm list of a proxy, refreshed first when asked. */
async function warmSync(r: RunningRegistry, o: { now?: boolean; image?: string }) {
  const warm = r.proxy?.warm;
  if (!warm) throw new Error('this Berth is not a proxy (proxy.remoteurl or berth.proxy.upstreams), so it keeps nothing warm');
  return o.now ? warm.fetchNow(o.image) : warm.list();
}
