// Which configuration changes the running registry can take without restarting its listener.
// Roles, the default role, anonymous pulls and the login limits only change the access
// controller, which the runtime updates in place (users live in the htpasswd file, which the controller re-reads by
// itself). Anything else — the port, TLS on/off, auth on/off, storage, proxy — is wired into
// the listener or the stores at start, so it needs a restart (like zot's non-reloadable keys).
import { isDeepStrictEqual } from 'node:util';
import type { RegistryConfig } from '../config/types';

const LIVE_KEYS = ['roles', 'defaultrole', 'anonymous', 'credentialcacheMs', 'bcryptworkers', 'trustedproxies'] as const;

/** Dotted paths (two levels deep) whose change needs a restart; empty when none does. */
export function restartReasons(prev: RegistryConfig, next: RegistryConfig): string[] {
  const strip = (c: RegistryConfig) => {
    const auth: Record<string, unknown> = { ...c.berth.auth };
    for (const k of LIVE_KEYS) delete auth[k];
    return { ...c, berth: { ...c.berth, auth } };
  };
  const a = strip(prev) as unknown as Record<string, unknown>;
  const b = strip(next) as unknown as Record<string, unknown>;
  const reasons: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (isDeepStrictEqual(a[key], b[key])) continue;
    const x = a[key], y = b[key];
    if (isObject(x) && isObject(y)) {
      for (const sub of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (!isDeepStrictEqual(x[sub], y[sub])) reasons.push(`${key}.${sub}`);
      }
    } else {
      reasons.push(key);
    }
  }
  return reasons;
}

/**
 * `prev` with the keys that apply live taken from `next`: what a running server adopts when told
 * to reload (`berth users …`) without restarting for other edits made to the file meanwhile.
 */
export function withLiveChanges(prev: RegistryConfig, next: RegistryConfig): RegistryConfig {
  const auth = { ...prev.berth.auth };
  for (const k of LIVE_KEYS) (auth as Record<string, unknown>)[k] = next.berth.auth[k];
  return { ...prev, berth: { ...prev.berth, auth } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
