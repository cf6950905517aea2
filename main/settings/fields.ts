// Config keys (distribution's dotted paths) and the Settings fields the UI shows for them, so a
// ConfigError on `http.addr` lands next to the port field.
const FIELDS: Array<[prefix: string, field: string]> = [
  ['http.addr', 'port'],
  ['storage.filesystem.rootdirectory', 'dataDir'],
  ['storage.delete', 'deleteEnabled'],
  ['http.tls.certificate', 'tls.certificate'],
  ['http.tls.key', 'tls.key'],
  ['http.tls.minimumtls', 'tls.minimumTls'],
  ['http.tls', 'tls.enabled'],
  ['auth.htpasswd.realm', 'auth.realm'],
  ['auth.htpasswd.path', 'auth.htpasswdPath'],
  ['auth', 'auth.enabled'],
  ['berth.auth.anonymous', 'auth.anonymousPull'],
  ['berth.auth.defaultrole', 'auth.defaultRole'],
  ['proxy.remoteurl', 'proxy.remoteUrl'],
  ['proxy.username', 'proxy.username'],
  ['proxy.password', 'proxy.password'],
  ['proxy.ttl', 'proxy.ttl'],
  ['berth.proxy.allowpush', 'proxy.allowPush'],
  ['berth.proxy.localnamespaces', 'proxy.localNamespaces'],
  ['proxy', 'proxy.enabled'],
];

export function settingsFieldOf(configPath: string): string | undefined {
  for (const [prefix, field] of FIELDS) {
    if (configPath === prefix || configPath.startsWith(prefix + '.')) return field;
  }
  return undefined;
}
