// Type-checked config.yml → RegistryConfig: fills in defaults, converts durations to
// milliseconds and checks what a per-key schema cannot (exactly one storage driver, TLS key
// with certificate, addresses, URLs, regular expressions).
import { checkCompat } from './compat';
import { loadBerth, type Ms } from './berth-section';
import { DEFAULTS, PROXY_TTL } from './defaults';
import { parseDuration } from './duration';
import { type Report } from './report';
import { httpUrl } from './value-checks';
import type { ConfigFile } from './schema';
import type {
  AuthConfig, DebugConfig, HttpConfig, LogConfig, ProxyConfig, RedisConfig, RegistryConfig, S3StorageConfig, StorageConfig, TlsConfig, ValidationConfig,
} from './types';

type Section<K extends keyof ConfigFile> = NonNullable<ConfigFile[K]>;

const DRIVERS = ['filesystem', 'inmemory', 's3', 'gcs', 'azure'] as const;

export function normalize(file: ConfigFile, report: Report): RegistryConfig {
  checkCompat(file, report);
  const ms = durationReader(report);
  const storage = storageConfig(file.storage, redisAddrs(file.redis).length > 0, report, ms);
  if (file.redis && storage.cache.blobdescriptor !== 'redis') {
    report.warn('redis', 'ignored: Berth uses Redis only for several nodes on one bucket (storage.s3 with storage.cache.blobdescriptor: redis)');
  }

  if (file.version === undefined || file.version === null) {
    report.error('version', 'is required', 'add `version: 0.1` at the top of the file');
  } else if (String(file.version) !== '0.1') {
    report.error('version', `unsupported version ${JSON.stringify(String(file.version))}; only 0.1 exists (as in registry:3)`);
  }

  const log = file.log ?? {};
  if (file.loglevel) report.warn('loglevel', 'deprecated: use log.level');
  const logConfig: LogConfig = {
    level: log.level ?? file.loglevel ?? DEFAULTS.logLevel,
    formatter: log.formatter ?? DEFAULTS.logFormatter,
    fields: log.fields ?? {},
    accesslog: { disabled: log.accesslog?.disabled ?? false },
  };

  return {
    version: '0.1',
    log: logConfig,
    storage,
    redis: storage.cache.blobdescriptor === 'redis' ? redisConfig(file.redis, report, ms) : undefined,
    http: httpConfig(file.http ?? {}, report, ms),
    auth: authConfig(file.auth ?? {}, report),
    health: {
      storagedriver: {
        enabled: file.health?.storagedriver?.enabled ?? false,
        // distribution treats an interval of 0 as "use the default".
        intervalMs: ms('health.storagedriver.interval', file.health?.storagedriver?.interval, DEFAULTS.healthInterval, true),
        threshold: file.health?.storagedriver?.threshold ?? 0,
      },
    },
    proxy: proxyConfig(file.proxy ?? {}, report, ms),
    validation: validationConfig(file.validation ?? {}, report),
    // distribution: "maxentries <= 0 → 1000".
    catalog: { maxentries: file.catalog?.maxentries || DEFAULTS.catalogMaxEntries },
    berth: loadBerth(file.berth, report, ms, file.proxy?.ttl),
  };
}


function durationReader(report: Report): Ms {
  return (path, value, fallback, zeroMeansDefault = false) => {
    if (value === undefined || value === null || value === '') return parseDuration(fallback);
    if (typeof value === 'number' && value !== 0) {
      report.warn(path, `${value} is read as ${value} nanoseconds (a bare number is nanoseconds in Go); write a unit, e.g. "${value}s"`);
    }
    const result = parseDuration(value); // the schema has already checked the syntax
    return result === 0 && zeroMeansDefault ? parseDuration(fallback) : result;
  };
}

function storageConfig(storage: ConfigFile['storage'], hasRedis: boolean, report: Report, ms: Ms): StorageConfig {
  const s: Section<'storage'> = storage ?? {};
  const drivers = DRIVERS.filter((d) => Object.hasOwn(s, d));
  if (!storage) {
    report.error('storage', 'is missing: a storage driver must be configured', 'add `storage: { filesystem: { rootdirectory: /var/lib/registry } }`');
  } else if (drivers.length === 0) {
    report.error('storage', 'no storage driver is configured', 'add storage.filesystem, storage.s3 or storage.inmemory');
  } else if (drivers.length > 1) {
    report.error('storage', `exactly one storage driver must be configured, found ${drivers.join(' and ')}`);
  }
  const driver = drivers[0] === 'inmemory' || drivers[0] === 's3' ? drivers[0] : 'filesystem';

  let maxthreads = s.filesystem?.maxthreads ?? DEFAULTS.maxthreads;
  if (maxthreads < DEFAULTS.minMaxthreads) {
    report.warn('storage.filesystem.maxthreads', `${maxthreads} is below the minimum; using ${DEFAULTS.minMaxthreads} (as registry:3 does)`);
    maxthreads = DEFAULTS.minMaxthreads;
  }

  const cache = s.cache ?? {};
  if (cache.layerinfo) report.warn('storage.cache.layerinfo', 'deprecated: use storage.cache.blobdescriptor');
  const kind = (cache.blobdescriptor ?? cache.layerinfo ?? '').toLowerCase();
  let blobdescriptor: StorageConfig['cache']['blobdescriptor'] = 'none';
  if (kind === 'inmemory') blobdescriptor = 'inmemory';
  else if (kind === 'redis') {
    // Redis matters when several nodes share one bucket; one process on its own folder keeps
    // its caches in memory, as a registry:3 config written for one node expects to work.
    if (driver !== 's3') report.warn('storage.cache.blobdescriptor', 'redis is used only with storage.s3 (several nodes on one bucket); using the in-memory cache instead');
    else if (!hasRedis) report.error('storage.cache.blobdescriptor', 'redis needs the top-level redis section', 'add `redis: { addr: host:6379 }`');
    blobdescriptor = driver === 's3' ? 'redis' : 'inmemory';
  } else if (kind !== '') {
    report.warn('storage.cache.blobdescriptor', `unknown cache ${JSON.stringify(kind)}; blob descriptor caching is off (as in registry:3)`);
  }

  const purge = s.maintenance?.uploadpurging ?? {};
  const purgeEnabled = purge.enabled ?? DEFAULTS.uploadpurging.enabled;
  const intervalMs = ms('storage.maintenance.uploadpurging.interval', purge.interval, DEFAULTS.uploadpurging.interval);
  if (purgeEnabled && intervalMs <= 0) {
    report.error('storage.maintenance.uploadpurging.interval', 'must be more than 0 while upload purging is enabled');
  }

  return {
    driver,
    filesystem: { rootdirectory: s.filesystem?.rootdirectory || DEFAULTS.rootdirectory, maxthreads },
    s3: driver === 's3' ? s3Config(s.s3 ?? {}, report) : undefined,
    delete: { enabled: s.delete?.enabled ?? false },
    cache: { blobdescriptor, blobdescriptorsize: cache.blobdescriptorsize ?? DEFAULTS.blobdescriptorsize },
    tag: { concurrencylimit: s.tag?.concurrencylimit ?? 0 },
    maintenance: {
      uploadpurging: {
        enabled: purgeEnabled,
        ageMs: ms('storage.maintenance.uploadpurging.age', purge.age, DEFAULTS.uploadpurging.age),
        intervalMs,
        dryrun: purge.dryrun ?? DEFAULTS.uploadpurging.dryrun,
      },
      readonly: { enabled: s.maintenance?.readonly?.enabled ?? false },
    },
    redirect: { disable: s.redirect?.disable ?? false },
  };
}

function s3Config(c: NonNullable<Section<'storage'>['s3']>, report: Report): S3StorageConfig {
  const d = DEFAULTS.s3;
  if (!c.region) report.error('storage.s3.region', 'is required', 'set the region the bucket is in, e.g. us-east-1 (any value for most S3-compatible servers)');
  if (!c.bucket) report.error('storage.s3.bucket', 'is required', 'name an existing bucket');
  if (c.accesskey && !c.secretkey) report.error('storage.s3.secretkey', 'is required with accesskey');
  if (!c.accesskey && c.secretkey) report.error('storage.s3.accesskey', 'is required with secretkey');
  if (c.v4auth === false) report.error('storage.s3.v4auth', 'signature version 2 is not supported (registry:3 dropped it too)', 'remove v4auth or set it to true');
  const secure = c.secure ?? true;
  // registry:3's rule: an endpoint without a scheme gets https, or http when `secure` is false.
  const endpoint = !c.regionendpoint || /^[a-z][a-z0-9+.-]*:\/\//i.test(c.regionendpoint) ? c.regionendpoint ?? '' : `${secure ? 'https' : 'http'}://${c.regionendpoint}`;
  if (endpoint) httpUrl('storage.s3.regionendpoint', endpoint, report);
  const chunksize = c.chunksize ?? d.chunksize;
  if (chunksize < d.minChunksize) report.error('storage.s3.chunksize', `${chunksize} is below S3's smallest part, ${d.minChunksize} bytes`);
  const copyChunk = c.multipartcopychunksize ?? d.multipartcopychunksize;
  if (copyChunk < d.minChunksize) report.error('storage.s3.multipartcopychunksize', `${copyChunk} is below S3's smallest part, ${d.minChunksize} bytes`);
  const copyConcurrency = c.multipartcopymaxconcurrency ?? d.multipartcopymaxconcurrency;
  if (copyConcurrency < 1) report.error('storage.s3.multipartcopymaxconcurrency', 'must be at least 1');
  return {
    region: c.region ?? '',
    regionendpoint: endpoint,
    bucket: c.bucket ?? '',
    rootdirectory: c.rootdirectory ?? '',
    accesskey: c.accesskey || undefined,
    secretkey: c.secretkey || undefined,
    sessiontoken: c.sessiontoken || undefined,
    // registry:2 used path-style requests whenever an endpoint was set; S3-compatible servers
    // on a plain host name or address need them, so that stays the default with an endpoint.
    forcepathstyle: c.forcepathstyle ?? Boolean(c.regionendpoint),
    encrypt: c.encrypt ?? false,
    keyid: c.keyid || undefined,
    secure,
    skipverify: c.skipverify ?? false,
    chunksize,
    multipartcopychunksize: copyChunk,
    multipartcopymaxconcurrency: copyConcurrency,
    multipartcopythresholdsize: c.multipartcopythresholdsize ?? d.multipartcopythresholdsize,
    storageclass: (c.storageclass || d.storageclass).toUpperCase(),
    objectacl: c.objectacl || d.objectacl,
    useragent: c.useragent || undefined,
    usedualstack: c.usedualstack ?? false,
    accelerate: c.accelerate ?? false,
  };
}

function redisAddrs(r: ConfigFile['redis']): string[] {
  return [...(r?.addrs ?? []), ...(r?.addr ? [r.addr] : [])];
}

function redisConfig(r: ConfigFile['redis'], report: Report, ms: Ms): RedisConfig | undefined {
  if (!r) return undefined;
  const addrs = redisAddrs(r);
  addrs.forEach((a, i) => {
    if (!/^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/.test(a)) report.error(r.addrs?.includes(a) ? `redis.addrs.${i}` : 'redis.addr', `${JSON.stringify(a)} is not host:port`);
  });
  return {
    addrs,
    username: r.username || undefined,
    password: r.password || undefined,
    db: r.db ?? 0,
    dialtimeoutMs: ms('redis.dialtimeout', r.dialtimeout, '5s', true),
  };
}

/** host:port, [v6]:port or :port, as Go's net.Listen("tcp", …) takes it. */
function checkListenAddress(path: string, addr: string, report: Report): void {
  const m = /^(\[[0-9a-fA-F:.%\w]+\]|[^:[\]]*):(\d{1,5})$/.exec(addr);
  if (!m || Number(m[2]) > 65535) report.error(path, `${JSON.stringify(addr)} is not a listen address`, 'write host:port or :port, e.g. ":5000" or "127.0.0.1:5000"');
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function httpConfig(h: Section<'http'>, report: Report, ms: Ms): HttpConfig {
  const net = h.net ?? 'tcp';
  const addr = h.addr || DEFAULTS.httpAddr;
  if (net === 'tcp') checkListenAddress('http.addr', addr, report);
  if (h.host) httpUrl('http.host', h.host, report);

  let prefix = h.prefix || DEFAULTS.prefix;
  if (!prefix.startsWith('/')) prefix = '/' + prefix;
  if (!prefix.endsWith('/')) prefix += '/';

  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(h.headers ?? {})) {
    if (!HEADER_NAME.test(name)) report.error(`http.headers.${name}`, 'is not a valid HTTP header name');
    headers[name] = values;
  }

  let debug: DebugConfig | undefined;
  const prometheus = h.debug?.prometheus ?? {};
  if (h.debug?.addr) {
    checkListenAddress('http.debug.addr', h.debug.addr, report);
    const path = prometheus.path || DEFAULTS.prometheusPath;
    if (!path.startsWith('/')) report.error('http.debug.prometheus.path', 'must start with /');
    debug = { addr: h.debug.addr, prometheus: { enabled: prometheus.enabled ?? false, path } };
  } else if (prometheus.enabled) {
    report.warn('http.debug.prometheus.enabled', 'has no effect without http.debug.addr (metrics are served by the debug server)');
  }

  return {
    addr,
    net,
    host: h.host || undefined,
    prefix,
    secret: h.secret || undefined,
    relativeurls: h.relativeurls ?? false,
    headers,
    draintimeoutMs: ms('http.draintimeout', h.draintimeout, '0s'),
    debug,
    tls: tlsConfig(h.tls ?? {}, report),
    http2: { disabled: h.http2?.disabled ?? false },
  };
}

function tlsConfig(t: NonNullable<Section<'http'>['tls']>, report: Report): TlsConfig | undefined {
  const ciphersuites = t.ciphersuites ?? [];
  const minimumtls = t.minimumtls ?? DEFAULTS.minimumtls;
  if (!t.certificate) {
    if (t.key) report.error('http.tls.key', 'is set but http.tls.certificate is not', 'set both to enable TLS');
    if (t.clientcas?.length) report.error('http.tls.clientcas', 'needs TLS: http.tls.certificate and http.tls.key are not set');
    if (t.minimumtls || ciphersuites.length) report.warn('http.tls', 'has no effect: TLS is off because http.tls.certificate is not set');
    return undefined;
  }
  if (!t.key) report.error('http.tls.key', 'is required when http.tls.certificate is set');
  if (minimumtls === 'tls1.3' && ciphersuites.length > 0) {
    report.warn('http.tls.ciphersuites', 'ignored because minimumtls is tls1.3 (TLS 1.3 suites are not configurable), as in registry:3');
  }
  return { certificate: t.certificate, key: t.key ?? '', minimumtls, ciphersuites, clientcas: t.clientcas ?? [] };
}

function authConfig(a: Section<'auth'>, report: Report): AuthConfig {
  const kinds = Object.keys(a).filter((k) => a[k as keyof typeof a] !== undefined);
  if (kinds.length > 1) report.error('auth', `only one authentication method may be configured, found ${kinds.join(' and ')}`);
  if (!Object.hasOwn(a, 'htpasswd')) return { htpasswd: undefined };
  const h = a.htpasswd ?? {};
  if (!h.realm) report.error('auth.htpasswd.realm', 'is required (it is shown in the login prompt)', 'e.g. realm: Registry');
  if (!h.path) report.error('auth.htpasswd.path', 'is required (the bcrypt htpasswd file)');
  return { htpasswd: { realm: h.realm ?? '', path: h.path ?? '' } };
}

function proxyConfig(p: Section<'proxy'>, report: Report, ms: Ms): ProxyConfig | undefined {
  if (!p.remoteurl) {
    if (p.username || p.password || p.ttl !== undefined) {
      report.error('proxy.remoteurl', 'is required when other proxy settings are given (without it Berth is not a pull-through cache)');
    }
    return undefined;
  }
  httpUrl('proxy.remoteurl', p.remoteurl, report);
  if (Boolean(p.username) !== Boolean(p.password)) {
    report.warn(p.username ? 'proxy.password' : 'proxy.username', 'is empty; upstream requests will be anonymous');
  }
  return {
    remoteurl: p.remoteurl,
    username: p.username || undefined,
    password: p.password || undefined,
    ttlMs: ms('proxy.ttl', p.ttl, PROXY_TTL),
  };
}

function validationConfig(v: Section<'validation'>, report: Report): ValidationConfig {
  // distribution: the deprecated `enabled: true` forces validation on; otherwise `disabled` decides.
  if (v.enabled !== undefined && v.enabled !== null) report.warn('validation.enabled', 'deprecated: use validation.disabled');
  const urls = v.manifests?.urls ?? {};
  for (const kind of ['allow', 'deny'] as const) {
    (urls[kind] ?? []).forEach((pattern, i) => {
      try {
        new RegExp(pattern);
      } catch (e) {
        report.error(`validation.manifests.urls.${kind}.${i}`, `is not a valid regular expression: ${(e as Error).message}`);
      }
    });
  }
  const indexes = v.manifests?.indexes ?? {};
  return {
    disabled: (v.disabled ?? false) && !(v.enabled ?? false),
    manifests: {
      urls: { allow: urls.allow ?? [], deny: urls.deny ?? [] },
      indexes: { platforms: indexes.platforms ?? 'all', platformlist: indexes.platformlist ?? [] },
    },
  };
}
