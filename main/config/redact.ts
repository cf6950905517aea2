// A copy of the configuration that is safe to log: secrets are replaced, everything else kept
// so the log still shows what the registry is running with.
import type { RegistryConfig } from './types';

export const REDACTED = '***';

export function redactConfig(config: RegistryConfig): RegistryConfig {
  const copy = structuredClone(config);
  if (copy.http.secret) copy.http.secret = REDACTED;
  const s3 = copy.storage.s3;
  if (s3?.secretkey) s3.secretkey = REDACTED;
  if (s3?.sessiontoken) s3.sessiontoken = REDACTED;
  if (copy.redis?.password) copy.redis.password = REDACTED;
  if (copy.proxy) {
    if (copy.proxy.password) copy.proxy.password = REDACTED;
    copy.proxy.remoteurl = redactUrl(copy.proxy.remoteurl);
  }
  for (const u of copy.berth.proxy.upstreams) {
    if (u.password) u.password = REDACTED;
    u.remoteurl = redactUrl(u.remoteurl);
  }
  return copy;
}

/** Hides a password written into a URL (https://user:secret@host). */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = REDACTED;
    return url.toString();
  } catch {
    return value;
  }
}
