// registry.*: the lifecycle and the home page's numbers.
import type { RegistryOverview, RegistryStatus } from '../../preload/contract';
import { clientAddresses, configuredAddresses, type AddressSources } from './addresses';
import { ControlFailure } from './errors';
import { StorageStatsCache } from './storage-stats';
import type { ControlDeps, Handlers } from './types';

/** Counters a registry in proxy mode may expose (the pull-through cache's hits and misses). */

export function registryHandlers(deps: ControlDeps, stats: StorageStatsCache, sources?: AddressSources): Handlers<'registry'> {
  const { runtime } = deps;
  const status = (): RegistryStatus => runtime.state;
  return {
    'registry.status': async () => status(),
    'registry.start': async () => {
      try {
        await runtime.start();
      } catch (err) {
        // Listener errors are written for users ("cannot listen on :5000: the address is already in use").
        throw new ControlFailure('UNAVAILABLE', `The registry did not start: ${err instanceof Error ? err.message : String(err)}`);
      }
      return status();
    },
    'registry.stop': async () => {
      await runtime.stop();
      return status();
    },
    'registry.overview': async () => {
      const registry = runtime.registry;
      const config = runtime.config;
      const overview: RegistryOverview = { status: status(), addresses: [], repositories: 0, tags: 0, storageBytes: 0, proxy: undefined };
      // Stopped, the addresses come from http.addr: a first run shows where to push before Start.
      if (!registry) return { ...overview, addresses: configuredAddresses(config.http, sources) };
      const root = config.storage.driver === 'filesystem' ? config.storage.filesystem.rootdirectory : undefined;
      const numbers = await stats.get(registry.store, root);
      const cache = registry.proxy?.cache;
      const counters = cache ? { hits: cache.hits, misses: cache.misses } : undefined;
      return {
        ...overview,
        addresses: clientAddresses(registry.address, config.http.tls !== undefined, sources),
        ...numbers,
        proxy: counters ? { enabled: true, ...counters } : undefined,
      };
    },
  };
}
