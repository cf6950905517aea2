// Every setting Berth adds to distribution's config.yml, and every setting the window edits, one
// row each. The rest is derived from these rows, not written again:
//  - main/config: the schema of config.yml's `berth:` section, its defaults, and the loaded
//    config's type (durations in ms under `<key>Ms`, sizes in bytes under `<key>Bytes`);
//  - main/settings: the Settings the window edits (this file's `Settings` type), the control
//    API's patch schema, and which edits apply live and which restart the listener;
//  - the renderer: labels and help next to each field, and which control edits it.
// Adding a setting is a row here and the code that uses its value. Rows are plain data so the
// sandboxed renderer can read them too.

/** Berth's roles, weakest first: read pulls and lists, write also pushes, admin also deletes. */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a value is, in config.yml (for `berth.*` rows) and in the window. */
export type Kind =
  | { type: 'boolean' }
  | { type: 'integer'; min: number; max?: number }
  /** Go duration text ("168h", "30m", "0"); loaded as milliseconds. */
  | { type: 'duration'; zeroMeansDefault?: boolean }
  /** Bytes, or text such as "10GB" or "512MiB"; loaded as bytes. */
  | { type: 'size' }
  | { type: 'choice'; values: readonly string[] }
  | { type: 'text'; max: number; noQuotes?: boolean }
  /** An absolute file or folder path. */
  | { type: 'path' }
  /** An http:// or https:// URL ("" where the setting is optional). */
  | { type: 'url' }
  /** Write-only towards the window: reads return "". */
  | { type: 'secret'; max: number }
  | { type: 'list'; item: ListItem; max: number }
  /** A map from user name to role. */
  | { type: 'roles' }
  /** berth.proxy.upstreams: more upstreams, each chosen by a name prefix. */
  | { type: 'upstreams' }
  /** berth.proxy.warm.images: upstream images kept cached, each `name:tag` or `{ image, platforms }`. */
  | { type: 'warm-images' };

/** The grammar each entry of a list follows. */
export type ListItem = 'repository' | 'origin' | 'host' | 'address-block';

/** Where the window shows a setting, and with which control. */
export interface UiPlace {
  /** The Settings field, dotted ("proxy.allowPush"). */
  field: string;
  /** The card on the Registry page that edits it. */
  card: 'listener' | 'share' | 'tls' | 'auth' | 'proxy';
  control: 'number' | 'toggle' | 'text' | 'password' | 'select' | 'list';
  /** The value as the window edits it, where it differs from the config file's. */
  value?: Kind;
}

export interface SettingRow {
  /** The config.yml key, dotted. Several rows may edit one key (port and sharing: http.addr). */
  path: string;
  value: Kind;
  /** The default as config.yml would spell it; absent when distribution's defaults apply. */
  default?: boolean | number | string | readonly string[] | Record<string, never>;
  /** live: a running registry adopts a change at once; restart: its listener restarts. */
  apply: 'live' | 'restart';
  label: string;
  help: string;
  ui?: UiPlace;
}

const bool = { type: 'boolean' } as const;
const duration = { type: 'duration' } as const;
const path = { type: 'path' } as const;
const count = { type: 'integer', min: 0 } as const;

export const SETTING_ROWS = [
  // The listener and storage (distribution's own keys, edited by the window).
  {
    path: 'http.addr', value: { type: 'integer', min: 1, max: 65535 }, apply: 'restart', label: 'Port',
    help: 'The TCP port the registry listens on.', ui: { field: 'port', card: 'listener', control: 'number' },
  },
  {
    path: 'http.addr', value: bool, apply: 'restart', label: 'Share on the network',
    help: 'Off: only this computer reaches the registry (127.0.0.1). On: every network interface; other machines can pull, and push unless login is required.',
    ui: { field: 'shareOnNetwork', card: 'share', control: 'toggle' },
  },
  {
    path: 'storage.filesystem.rootdirectory', value: path, apply: 'restart', label: 'Data folder',
    help: 'Holds the images, in distribution’s layout (movable to registry:3).', ui: { field: 'dataDir', card: 'listener', control: 'text' },
  },
  {
    path: 'storage.delete.enabled', value: bool, apply: 'restart', label: 'Allow deleting images',
    help: 'Needed for deletes in the catalog and for proxy cache expiry.', ui: { field: 'deleteEnabled', card: 'listener', control: 'toggle' },
  },
  {
    path: 'http.tls', value: bool, apply: 'restart', label: 'Serve over HTTPS (TLS)',
    help: 'Clients then need to trust the certificate (or its CA).', ui: { field: 'tls.enabled', card: 'tls', control: 'toggle' },
  },
  {
    path: 'http.tls.certificate', value: path, apply: 'restart', label: 'Certificate',
    help: 'PEM file of the server certificate.', ui: { field: 'tls.certificate', card: 'tls', control: 'text' },
  },
  {
    path: 'http.tls.key', value: path, apply: 'restart', label: 'Private key',
    help: 'PEM file of the certificate’s private key.', ui: { field: 'tls.key', card: 'tls', control: 'text' },
  },
  {
    path: 'http.tls.minimumtls', value: { type: 'choice', values: ['tls1.2', 'tls1.3'] }, apply: 'restart', label: 'Minimum TLS version',
    help: 'TLS 1.2 is what every current client speaks; 1.3 refuses older ones.', ui: { field: 'tls.minimumTls', card: 'tls', control: 'select' },
  },
  {
    path: 'auth.htpasswd', value: bool, apply: 'restart', label: 'Require login',
    help: 'Users and bcrypt passwords in an htpasswd file.', ui: { field: 'auth.enabled', card: 'auth', control: 'toggle' },
  },
  {
    path: 'auth.htpasswd.realm', value: { type: 'text', max: 200, noQuotes: true }, apply: 'restart', label: 'Realm',
    help: 'The name clients show in the login prompt.', ui: { field: 'auth.realm', card: 'auth', control: 'text' },
  },
  {
    path: 'auth.htpasswd.path', value: path, apply: 'restart', label: 'Users file',
    help: 'The htpasswd file (bcrypt only).', ui: { field: 'auth.htpasswdPath', card: 'auth', control: 'text' },
  },
  // Proxy mode (distribution's keys).
  {
    path: 'proxy', value: bool, apply: 'restart', label: 'Proxy an upstream registry',
    help: 'Serve as a pull-through cache of another registry, such as Docker Hub.', ui: { field: 'proxy.enabled', card: 'proxy', control: 'toggle' },
  },
  {
    path: 'proxy.remoteurl', value: { type: 'url' }, apply: 'restart', label: 'Upstream URL',
    help: 'With scheme, e.g. https://registry-1.docker.io', ui: { field: 'proxy.remoteUrl', card: 'proxy', control: 'text' },
  },
  {
    path: 'proxy.username', value: { type: 'text', max: 256 }, apply: 'restart', label: 'Upstream username',
    help: 'Optional.', ui: { field: 'proxy.username', card: 'proxy', control: 'text' },
  },
  {
    path: 'proxy.password', value: { type: 'secret', max: 4096 }, apply: 'restart', label: 'Upstream password',
    help: 'Optional; leave empty to keep a stored one.', ui: { field: 'proxy.password', card: 'proxy', control: 'password' },
  },
  {
    path: 'proxy.ttl', value: duration, default: '168h', apply: 'restart', label: 'Cache TTL',
    help: 'How long cached content is kept, e.g. 168h; 0 keeps it forever.', ui: { field: 'proxy.ttl', card: 'proxy', control: 'text' },
  },
  // Berth's own keys, under `berth:` (registry:3 ignores the section, so the file stays portable).
  {
    path: 'berth.manifestmaxbytes', value: { type: 'integer', min: 1 }, default: 4 * 1024 * 1024, apply: 'restart', label: 'Largest manifest',
    help: 'Manifest bodies above this many bytes are refused (distribution hard-codes 4 MiB).',
  },
  {
    path: 'berth.catalogrescan', value: duration, default: '60s', apply: 'restart', label: 'Catalog rescan',
    help: 'How often the catalog re-reads the storage to see repositories written by other processes; 0 never.',
  },
  {
    path: 'berth.auth.anonymous', value: { type: 'choice', values: ['none', 'pull'] }, default: 'none', apply: 'live', label: 'Allow anonymous pulls',
    help: 'Docker’s registry-mirrors never sends credentials; keep this on for a mirror.',
    ui: { field: 'auth.anonymousPull', card: 'auth', control: 'toggle', value: bool },
  },
  {
    // distribution lets every authenticated user do everything; so does Berth unless told.
    path: 'berth.auth.defaultrole', value: { type: 'choice', values: ROLES }, default: 'admin', apply: 'live', label: 'Role of users without one',
    help: 'read pulls, write also pushes, admin also deletes.', ui: { field: 'auth.defaultRole', card: 'auth', control: 'select' },
  },
  {
    path: 'berth.auth.roles', value: { type: 'roles' }, default: {}, apply: 'live', label: 'Roles',
    help: 'Each user’s role (read, write or admin); others get the default role.',
  },
  {
    path: 'berth.auth.credentialcache', value: duration, default: '5m', apply: 'live', label: 'Credential cache',
    help: 'How long a verified password is trusted before bcrypt checks it again.',
  },
  {
    // Two threads keep a burst of logins from waiting long; they run at low priority, so they
    // never take the cores from the event loop.
    path: 'berth.auth.bcryptworkers', value: { type: 'integer', min: 1, max: 64 }, default: 2, apply: 'live', label: 'bcrypt workers',
    help: 'Worker threads that check passwords, so logins never stall the registry.',
  },
  {
    path: 'berth.auth.trustedproxies', value: { type: 'list', item: 'address-block', max: 1000 }, default: [], apply: 'live', label: 'Trusted proxies',
    help: 'Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client for the login limiter.',
  },
  {
    // 0 would turn the protection off, which is never what a server wants: 0 means the default.
    path: 'berth.http.headerstimeout', value: { type: 'duration', zeroMeansDefault: true }, default: '30s', apply: 'restart', label: 'Headers timeout',
    help: 'A request’s whole head must arrive within this long.',
  },
  {
    path: 'berth.http.idletimeout', value: { type: 'duration', zeroMeansDefault: true }, default: '120s', apply: 'restart', label: 'Idle timeout',
    help: 'A connection silent this long is closed, mid-request or not.',
  },
  {
    path: 'berth.http.allowedorigins', value: { type: 'list', item: 'origin', max: 1000 }, default: [], apply: 'restart', label: 'Allowed browser origins',
    help: 'Web pages (scheme://host[:port]) that may send state-changing requests.',
  },
  {
    path: 'berth.http.allowedhosts', value: { type: 'list', item: 'host', max: 1000 }, default: [], apply: 'restart', label: 'Allowed Host names',
    help: 'Host header names answered besides the listener’s own; "*" accepts any.',
  },
  {
    // 8 kbit/s: slower than any link a registry is usable over, yet it cuts a 1 byte/s trickle.
    path: 'berth.http.minbodyrate', value: count, default: 1024, apply: 'restart', label: 'Minimum body rate',
    help: 'Request bodies averaging fewer bytes per second than this are cut; 0 turns it off.',
  },
  {
    path: 'berth.http.minbodyratewindow', value: { type: 'duration', zeroMeansDefault: true }, default: '30s', apply: 'restart', label: 'Body rate window',
    help: 'How long the body rate is averaged over, so a stall of a few seconds never trips it.',
  },
  {
    path: 'berth.http.maxconnections', value: count, default: 1024, apply: 'restart', label: 'Most connections',
    help: 'Connections beyond this many open ones are dropped at once; 0 means no cap.',
  },
  {
    // A docker push opens at most 5 sessions at once, so 20 parallel pushes per repository.
    path: 'berth.uploads.maxperrepository', value: count, default: 100, apply: 'restart', label: 'Uploads per repository',
    help: 'Open blob upload sessions per repository; 0 means no cap.',
  },
  {
    // 40 parallel pushes from one address (a CI host, or several behind one NAT).
    path: 'berth.uploads.maxperclient', value: count, default: 200, apply: 'restart', label: 'Uploads per client',
    help: 'Open blob upload sessions per client address (IPv6 by /64); 0 means no cap.',
  },
  {
    path: 'berth.proxy.allowpush', value: bool, default: true, apply: 'restart', label: 'Accept pushes while proxying',
    help: 'Only under the local namespaces; off makes the proxy read-only, like registry:3’s.',
    ui: { field: 'proxy.allowPush', card: 'proxy', control: 'toggle' },
  },
  {
    path: 'berth.proxy.localnamespaces', value: { type: 'list', item: 'repository', max: 100 }, default: [], apply: 'restart', label: 'Local namespaces',
    help: 'Repository-name prefixes (e.g. team, ci/builds) pushed and served here and never asked upstream.',
    ui: { field: 'proxy.localNamespaces', card: 'proxy', control: 'list' },
  },
  {
    path: 'berth.proxy.maxsize', value: { type: 'size' }, default: 0, apply: 'restart', label: 'Cache size cap',
    help: 'Least-recently-used cached content is evicted above this size (bytes, or e.g. 10GB); 0 means no cap.',
  },
  {
    path: 'berth.proxy.upstreams', value: { type: 'upstreams' }, default: [], apply: 'restart', label: 'More upstreams',
    help: 'Further upstream registries, each chosen by the first name component (e.g. ghcr.io/owner/image).',
  },
  {
    path: 'berth.proxy.warm.images', value: { type: 'warm-images' }, default: [], apply: 'restart', label: 'Kept-warm images',
    help: 'Upstream images (name:tag, optionally with platforms) fetched before any client asks, refreshed on a schedule and never expired while listed.',
  },
  {
    path: 'berth.proxy.warm.interval', value: duration, default: '6h', apply: 'restart', label: 'Kept-warm refresh interval',
    help: 'How often the kept-warm images are refreshed from their upstream; 0 refreshes them only on Fetch now and berth sync.',
  },
] as const satisfies readonly SettingRow[];

export type SettingRows = typeof SETTING_ROWS;
