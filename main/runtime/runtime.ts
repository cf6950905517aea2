// The composition root shared by the Electron app and `berth serve`: it owns the running
// registry's lifecycle and reports state changes. It never exits the process or installs signal
// handlers; the entry points do that.
import type { RegistryConfig } from '../config/types';
import { Emitter, type Event } from '../lib/events';
import type { Logger } from '../lib/logger';
import { formatHostPort } from '../registry/http/listen-address';
import { startRegistry, type RunningRegistry } from '../registry/registry';
import type { RuntimeState } from './state';

export interface RuntimeOptions {
  config: RegistryConfig;
  log: Logger;
}

export interface Runtime {
  readonly state: RuntimeState;
  readonly onDidChangeState: Event<RuntimeState>;
  readonly config: RegistryConfig;
  /** The running registry, for the control API; undefined unless running. */
  readonly registry: RunningRegistry | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies a new configuration, restarting the listener; says whether it restarted. */
  reconfigure(next: RegistryConfig): Promise<{ restarted: boolean }>;
}

export function createRuntime(opts: RuntimeOptions): Runtime {
  const changed = new Emitter<RuntimeState>();
  let state: RuntimeState = { status: 'stopped' };
  let config = opts.config;
  let registry: RunningRegistry | undefined;
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
        registry = await startRegistry({ config, log: opts.log });
        const { host, port } = registry.address;
        const shown = host === '::' || host === '0.0.0.0' ? 'localhost' : host;
        const tls = config.http.tls !== undefined;
        const dbg = registry.debugAddress;
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
      await r.stop();
      set({ status: 'stopped' });
    },
    async reconfigure(next) {
      const wasRunning = registry !== undefined;
      if (wasRunning) await runtime.stop();
      config = next;
      if (wasRunning) await runtime.start();
      return { restarted: wasRunning };
    },
  };
  return runtime;
}
