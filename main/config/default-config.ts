// Berth's embedded default: what `berth serve` and the desktop app run when no config.yml is
// given. Kept as YAML text so it can also be written out as a starting config.yml, and so it
// goes through exactly the same loader as a user's file.
import { join } from 'node:path';
import { parseConfig, type Env, type LoadedConfig } from './parse';
import type { RegistryConfig } from './types';

export function defaultConfigYaml(dataDir: string): string {
  // JSON strings are valid YAML scalars, which keeps Windows paths and spaces intact.
  const root = JSON.stringify(join(dataDir, 'registry'));
  return `# Berth registry configuration (distribution config.yml format)
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${root}
  delete:
    enabled: true
http:
  # Loopback only until shared: other machines cannot reach it. To share it on the network,
  # drop the host (listen on every interface) and consider requiring login (auth).
  addr: 127.0.0.1:5000
  debug:
    # Health, metrics and pprof; no authentication, so loopback only.
    addr: 127.0.0.1:5001
    prometheus:
      enabled: true
      path: /metrics
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
`;
}

/** The embedded default configuration for data kept under `dataDir`. */
export function defaultConfig(dataDir: string): RegistryConfig;
/** The same with REGISTRY_* overrides from `env` applied, plus their warnings. */
export function defaultConfig(dataDir: string, env: Env): LoadedConfig;
export function defaultConfig(dataDir: string, env?: Env): RegistryConfig | LoadedConfig {
  const loaded = parseConfig(defaultConfigYaml(dataDir), { env: env ?? {}, source: 'embedded default configuration' });
  return env === undefined ? loaded.config : loaded;
}
