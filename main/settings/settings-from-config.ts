// RegistryConfig → the Settings the Registry page edits. Secrets never leave: the proxy password
// reads as "" with `hasPassword` telling whether one is stored.
import type { Settings } from '../../preload/contract';
import type { RegistryConfig } from '../config/types';
import { listensOnLoopback, parseListenAddress } from '../config/listen-address';
import { loadedKey } from '../config/berth-section';
import { PROXY_TTL } from '../config/defaults';
import { formatDuration, parseDuration } from '../config/duration';
import { getField, setField } from '../lib/dotted-path';
import { PLAIN_ROWS } from './rows';
import type { FileDefaults } from './defaults';

export function settingsFromConfig(config: RegistryConfig, defaults: FileDefaults): Settings {
  const tls = config.http.tls;
  const htpasswd = config.auth.htpasswd;
  const proxy = config.proxy;
  // The fields of distribution's keys, then Berth's own, read by their rows.
  const settings: Record<string, unknown> = {
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
    },
    proxy: {
      enabled: proxy !== undefined,
      remoteUrl: proxy?.remoteurl ?? '',
      username: proxy?.username ?? '',
      password: '',
      hasPassword: Boolean(proxy?.password),
      ttl: formatDuration(proxy?.ttlMs ?? parseDuration(PROXY_TTL)),
    },
  };
  for (const row of PLAIN_ROWS) {
    const loaded = getField(config, [...row.path.split('.').slice(0, -1), loadedKey(row)].join('.'));
    setField(settings, row.ui.field, row.value.type === 'duration' ? formatDuration(loaded as number) : structuredClone(loaded));
  }
  return settings as Settings;
}

export function portOf(addr: string): number {
  try {
    return parseListenAddress(addr).port;
  } catch {
    return 0; // a unix socket: no port
  }
}
