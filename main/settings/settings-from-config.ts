// RegistryConfig → the Settings the home page edits. Secrets never leave: the proxy password
// reads as "" with `hasPassword` telling whether one is stored.
import type { Settings } from '../../preload/contract';
import type { RegistryConfig } from '../config/types';
import { listensOnLoopback, parseListenAddress } from '../config/listen-address';
import { formatGoDuration } from './go-duration';
import type { FileDefaults } from './defaults';

export function settingsFromConfig(config: RegistryConfig, defaults: FileDefaults): Settings {
  const tls = config.http.tls;
  const htpasswd = config.auth.htpasswd;
  const proxy = config.proxy;
  return {
    port: portOf(config.http.addr),
    shareOnNetwork: config.http.net === 'tcp' && !listensOnLoopback(config.http.addr),
    dataDir: config.storage.driver === 'filesystem' ? config.storage.filesystem.rootdirectory : '',
    deleteEnabled: config.storage.delete.enabled,
    tls: {
      enabled: tls !== undefined,
      certificate: tls?.certificate ?? defaults.certificate,
      key: tls?.key ?? defaults.key,
      minimumTls: tls?.minimumtls ?? 'tls1.2',
    },
    auth: {
      enabled: htpasswd !== undefined,
      realm: htpasswd?.realm ?? 'Berth',
      htpasswdPath: htpasswd?.path ?? defaults.htpasswd,
      anonymousPull: config.berth.auth.anonymous === 'pull',
      defaultRole: config.berth.auth.defaultrole,
    },
    proxy: {
      enabled: proxy !== undefined,
      remoteUrl: proxy?.remoteurl ?? '',
      username: proxy?.username ?? '',
      password: '',
      hasPassword: Boolean(proxy?.password),
      ttl: proxy ? formatGoDuration(proxy.ttlMs) : '168h',
      allowPush: config.berth.proxy.allowpush,
      localNamespaces: [...config.berth.proxy.localnamespaces],
    },
  };
}

export function portOf(addr: string): number {
  try {
    return parseListenAddress(addr).port;
  } catch {
    return 0; // a unix socket: no port
  }
}
