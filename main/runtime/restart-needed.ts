// Which configuration changes the running registry can take without restarting its listener.
// Roles, the default role and anonymous pulls only change the access controller, which the
// runtime swaps in place (users live in the htpasswd file, which the controller re-reads by
// itself). Anything else — the port, TLS on/off, auth on/off, storage, proxy — is wired into
// the listener or the stores at start, so it needs a restart (like zot's non-reloadable keys).
import { isDeepStrictEqual } from 'node:util';
import type { RegistryConfig } from '../config/types';

const LIVE_KEYS = ['roles', 'defaultrole', 'anonymous', 'credentialcacheMs'] as const;

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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
