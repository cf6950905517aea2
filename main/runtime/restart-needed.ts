// Which configuration changes the running registry takes without restarting its listener: the
// setting table's rows marked `live` (roles, the default role, anonymous pulls, the login limits…)
// only change the access controller, which the runtime updates in place (users live in the
// htpasswd file, which the controller re-reads by itself). Anything else — the port, TLS on/off,
// auth on/off, storage, proxy — is wired into the listener or the stores at start, so it needs a
// restart.
import { isDeepStrictEqual } from 'node:util';
import { SETTING_ROWS } from '../../preload/contract/setting-table';
import { loadedKey } from '../config/berth-section';
import type { RegistryConfig } from '../config/types';

/** Where each live setting sits in a loaded config, e.g. ['berth', 'auth', 'credentialcacheMs']. */
const LIVE_PATHS = SETTING_ROWS.filter((r) => r.apply === 'live').map((r) => [...r.path.split('.').slice(0, -1), loadedKey(r)]);
const LIVE = new Set(LIVE_PATHS.map((p) => p.join('.')));

/**
 * The config keys (as config.yml spells them, e.g. "proxy.ttl", "http.tls") whose change needs
 * a restart; empty when none does.
 */
export function restartReasons(prev: RegistryConfig, next: RegistryConfig): string[] {
  const reasons: string[] = [];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (LIVE.has(path.join('.')) || isDeepStrictEqual(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], [...path, key]);
    } else {
      reasons.push(configSpelling(path));
    }
  };
  walk(prev, next, []);
  return reasons;
}

/**
 * `prev` with the live settings taken from `next`: what a running server adopts when told to
 * reload (`berth users …`) without restarting for other edits made to the file meanwhile.
 */
export function withLiveChanges(prev: RegistryConfig, next: RegistryConfig): RegistryConfig {
  const out = structuredClone(prev) as unknown as Record<string, unknown>;
  for (const path of LIVE_PATHS) {
    let into = out;
    let from = next as unknown as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      into = into[key] as Record<string, unknown>;
      from = from[key] as Record<string, unknown>;
    }
    into[path.at(-1)!] = from[path.at(-1)!];
  }
  return out as unknown as RegistryConfig;
}

/** A loaded path back in config.yml's words: the unit suffixes of durations and sizes go. */
function configSpelling(path: string[]): string {
  return path.join('.').replace(/(Ms|Bytes)$/, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
