// The registry's configuration after loading: distribution's config.yml keys with every
// default filled in and durations turned into milliseconds. Keys keep distribution's
// (lower-case, unseparated) spelling so this type reads side by side with its docs.
// Berth's own extensions live under `berth`, a top-level key registry:3 ignores.

import type { LogLevel } from '../lib/logger';
import type { Role } from '../../preload/contract/settings';

export interface LogConfig {
  level: LogLevel;
  formatter: 'text' | 'json' | 'logstash';
  fields: Record<string, unknown>;
  accesslog: { disabled: boolean };
}

export interface FilesystemStorageConfig {
  rootdirectory: string;
  maxthreads: number;
}

export interface StorageConfig {
  /** Exactly one driver is configured, as in distribution. */
  driver: 'filesystem' | 'inmemory';
  filesystem: FilesystemStorageConfig;
  delete: { enabled: boolean };
  /** Accepted for compatibility; Berth always keeps its own in-memory caches. */
  cache: { blobdescriptor: 'inmemory' | 'none'; blobdescriptorsize: number };
  tag: { concurrencylimit: number };
  maintenance: {
    uploadpurging: { enabled: boolean; ageMs: number; intervalMs: number; dryrun: boolean };
    readonly: { enabled: boolean };
  };
  redirect: { disable: boolean };
}

export interface TlsConfig {
  certificate: string;
  key: string;
  /** Only TLS 1.2 and 1.3 are accepted (distribution's code rejects older ones too). */
  minimumtls: 'tls1.2' | 'tls1.3';
  /** Go/IANA cipher suite names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. Empty = defaults. */
  ciphersuites: string[];
  clientcas: string[];
}

export interface DebugConfig {
  addr: string;
  prometheus: { enabled: boolean; path: string };
}

export interface HttpConfig {
  /** host:port, ":port" (all interfaces) or a socket path when net is unix. */
  addr: string;
  net: 'tcp' | 'unix';
  /** Absolute base URL used for Location headers, e.g. https://registry.example:5000 */
  host: string | undefined;
  /** Path prefix, with leading and trailing slash; "/" when unset. */
  prefix: string;
  secret: string | undefined;
  relativeurls: boolean;
  headers: Record<string, string[]>;
  draintimeoutMs: number;
  debug: DebugConfig | undefined;
  tls: TlsConfig | undefined;
  http2: { disabled: boolean };
}

export interface HtpasswdAuthConfig {
  realm: string;
  path: string;
}

export interface AuthConfig {
  htpasswd: HtpasswdAuthConfig | undefined;
}

export interface HealthConfig {
  storagedriver: { enabled: boolean; intervalMs: number; threshold: number };
}

export interface ProxyConfig {
  remoteurl: string;
  username: string | undefined;
  password: string | undefined;
  /** 0 keeps cached content forever. */
  ttlMs: number;
}

export interface ValidationConfig {
  disabled: boolean;
  manifests: {
    urls: { allow: string[]; deny: string[] };
    indexes: { platforms: 'all' | 'none' | 'list'; platformlist: Array<{ os: string; architecture: string }> };
  };
}

/** Berth's own settings, under the top-level `berth:` key. */
export interface BerthConfig {
  /** Largest manifest body accepted on PUT (distribution hard-codes 4 MiB). */
  manifestmaxbytes: number;
  /** How often the catalog index is re-read from disk to notice repositories written by other processes; 0 = never. */
  catalogrescanMs: number;
  auth: BerthAuthConfig;
  http: BerthHttpConfig;
  uploads: BerthUploadsConfig;
  proxy: BerthProxyConfig;
}

/** Timeouts that keep stalled clients from pinning connections. */
export interface BerthHttpConfig {
  /** The whole request head must arrive within this long (Node's server.headersTimeout). */
  headerstimeoutMs: number;
  /** A connection with no traffic for this long is closed, mid-request or not. */
  idletimeoutMs: number;
  /** Exact browser origins allowed to send state-changing requests (lowercase, no trailing slash). */
  allowedorigins: string[];
  /** Extra Host names the listeners answer (lowercase, no port); "*" accepts any. */
  allowedhosts: string[];
  /** Bytes per second a request body must average over `minbodyratewindowMs`; 0 = no minimum. */
  minbodyrate: number;
  minbodyratewindowMs: number;
  /** Open connections beyond this are dropped (Node's server.maxConnections); 0 = no cap. */
  maxconnections: number;
}

/** Caps on open blob upload sessions; 0 = no cap. */
export interface BerthUploadsConfig {
  maxperrepository: number;
  /** Per client address (IPv6 by /64). */
  maxperclient: number;
}

export type { Role } from '../../preload/contract/settings';

/** Berth's additions to htpasswd auth. */
export interface BerthAuthConfig {
  /** 'pull': requests without credentials may pull (for Docker's registry-mirrors). */
  anonymous: 'none' | 'pull';
  /** Role of users without an entry in `roles`. */
  defaultrole: Role;
  roles: Record<string, Role>;
  credentialcacheMs: number;
  /** Worker threads running bcrypt compares. */
  bcryptworkers: number;
  /** Addresses/CIDRs of reverse proxies trusted to report the client in X-Forwarded-For. */
  trustedproxies: string[];
}

export interface RegistryConfig {
  version: '0.1';
  log: LogConfig;
  storage: StorageConfig;
  http: HttpConfig;
  auth: AuthConfig;
  health: HealthConfig;
  proxy: ProxyConfig | undefined;
  validation: ValidationConfig;
  catalog: { maxentries: number };
  berth: BerthConfig;
}

export interface UpstreamConfig {
  /** First name component that selects this upstream, e.g. "ghcr.io". */
  prefix: string;
  remoteurl: string;
  username: string | undefined;
  password: string | undefined;
  ttlMs: number;
}

/** Berth's additions to proxy mode. */
export interface BerthProxyConfig {
  /** Pushes are accepted while proxying, under `localnamespaces` only; false = fully read-only. */
  allowpush: boolean;
  /**
   * Repository-name prefixes that belong to this registry in proxy mode: a name equal to one or
   * under `<prefix>/` is pushed and served locally and never asked upstream; every other name
   * resolves upstream-first and refuses writes.
   */
  localnamespaces: string[];
  /** 0 = no cap; otherwise least-recently-used cached content is evicted above it. */
  maxsizeBytes: number;
  upstreams: UpstreamConfig[];
}
