// The startup line that says who can reach the registry: a loopback listener tells how to share
// it, a shared one without login says that anyone who reaches it may push and delete.
import type { RegistryConfig } from '../config/types';
import { listensOnLoopback } from '../config/listen-address';

export function shareHint(config: RegistryConfig, port: number): string | undefined {
  if (config.http.net !== 'tcp') return undefined;
  if (listensOnLoopback(config.http.addr)) {
    return `Listening on ${config.http.addr.replace(/:\d+$/, `:${port}`)} only: other machines and containers cannot reach it. `
      + `To share on the network set http.addr: ":${port}" in config.yml (or REGISTRY_HTTP_ADDR=:${port}), and consider requiring login for pushes.`;
  }
  if (!config.auth.htpasswd) {
    return `Shared on the network without login: anyone who can reach port ${port} may pull, push${config.storage.delete.enabled ? ' and delete' : ''}. `
      + 'Set auth.htpasswd (and berth.auth.anonymous: pull to keep pulls open) to require login for pushes.';
  }
  return undefined;
}
