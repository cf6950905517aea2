// The registry's configuration after loading: distribution's config.yml keys with every
// default filled in and durations turned into milliseconds. Keys keep distribution's
// (lower-case, unseparated) spelling so this type reads side by side with its docs.
// Berth's own extensions live under `berth`, a top-level key registry:3 ignores; their type is
// derived from the setting table (berth-section.ts).
export type { BerthConfig, UpstreamConfig } from './berth-section';
export type { Role } from '../../preload/contract/setting-table';

import type { LogLevel } from '../lib/logger';
import type { BerthConfig } from './berth-section';

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

/** storage.s3, as registry:3's s3 driver reads it (docs/config.md), with defaults applied. */
export interface S3StorageConfig {
  region: string;
  /** URL of an S3-compatible service (a scheme added by `secure` when it had none); empty for Amazon S3. */
  regionendpoint: string;
  bucket: string;
  rootdirectory: string;
  /** Without keys the SDK's standard credential chain applies. */
  accesskey: string | undefined;
  secretkey: string | undefined;
  sessiontoken: string | undefined;
  forcepathstyle: boolean;
  encrypt: boolean;
  keyid: string | undefined;
  secure: boolean;
  skipverify: boolean;
  /** Bytes per part of a multipart upload (at least 5 MiB). */
  chunksize: number;
  multipartcopychunksize: number;
  multipartcopymaxconcurrency: number;
  multipartcopythresholdsize: number;
  /** 'NONE' sends no storage class. */
  storageclass: string;
  objectacl: string;
  useragent: string | undefined;
  usedualstack: boolean;
  accelerate: boolean;
}

export interface StorageConfig {
  /** Exactly one driver is configured, as in distribution. */
  driver: 'filesystem' | 'inmemory' | 's3';
  filesystem: FilesystemStorageConfig;
  /** Set when driver is 's3'. */
  s3: S3StorageConfig | undefined;
  delete: { enabled: boolean };
  /**
   * `redis` (only with storage.s3 and a `redis` section) means several Berth nodes share the
   * bucket: what one node writes, the others must see at once (docs/config.md, "Several nodes").
   * Otherwise Berth keeps its own in-memory caches whatever is set here.
   */
  cache: { blobdescriptor: 'inmemory' | 'none' | 'redis'; blobdescriptorsize: number };
  tag: { concurrencylimit: number };
  maintenance: {
    uploadpurging: { enabled: boolean; ageMs: number; intervalMs: number; dryrun: boolean };
    readonly: { enabled: boolean };
  };
  redirect: { disable: boolean };
}

/** The top-level `redis` section (registry:2's `addr` or registry:3's `addrs`). */
export interface RedisConfig {
  /** host:port; the first one answering is used. */
  addrs: string[];
  username: string | undefined;
  password: string | undefined;
  db: number;
  dialtimeoutMs: number;
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

export interface RegistryConfig {
  version: '0.1';
  log: LogConfig;
  storage: StorageConfig;
  redis: RedisConfig | undefined;
  http: HttpConfig;
  auth: AuthConfig;
  health: HealthConfig;
  proxy: ProxyConfig | undefined;
  validation: ValidationConfig;
  catalog: { maxentries: number };
  berth: BerthConfig;
}
