// distribution's config.yml as people write it (docs/config.md is its reference), as a zod schema.
// Every object is strict: registry:3 silently ignores a misspelled key, Berth names it.
// Keys registry:3 knows but Berth does not implement are declared `opaque()` here so they are
// not reported as typos; compat.ts then refuses them or accepts them with a warning.
// Defaults are not applied here but in normalize.ts, which also turns durations into ms.
import * as z from 'zod';
import { LOG_LEVELS } from '../lib/logger';
import { cipherSuiteProblem, KNOWN_CIPHER_SUITES } from './cipher-suites';
import { closest } from './suggest';
import { berthSection } from './berth-section';
import { bool, choice, count, duration, looseBool, looseCount, opaque, section, str, strList } from './schema-kinds';

const minimumTls = z
  .string()
  .transform((s) => s.toLowerCase())
  .superRefine((v, ctx) => {
    if (v === 'tls1.2' || v === 'tls1.3') return;
    const old = v === 'tls1.0' || v === 'tls1.1';
    ctx.addIssue({
      code: 'custom',
      message: old
        ? `${v} is too old: registry:3 refuses it at startup (despite its docs) and so does Berth`
        : `unknown TLS version ${JSON.stringify(v)}`,
      params: { hint: 'use tls1.2 or tls1.3' },
    });
  })
  .transform((v) => v as 'tls1.2' | 'tls1.3')
  .nullish();

const cipherSuites = strList().superRefine((list, ctx) => {
  (list ?? []).forEach((name, i) => {
    const problem = cipherSuiteProblem(name);
    if (!problem) return;
    const near = closest(name, KNOWN_CIPHER_SUITES);
    ctx.addIssue({ code: 'custom', path: [i], message: problem, params: near ? { hint: `did you mean ${near}?` } : {} });
  });
});

const storage = section({
  filesystem: section({
    rootdirectory: str(),
    maxthreads: looseCount(),
  }),
  // The in-memory driver has no parameters (`inmemory:` with nothing after it is normal).
  inmemory: section({}),
  s3: section({
    region: str(),
    regionendpoint: str(),
    bucket: str(),
    rootdirectory: str(),
    accesskey: str(),
    secretkey: str(),
    sessiontoken: str(),
    forcepathstyle: looseBool(),
    encrypt: looseBool(),
    keyid: str(),
    secure: looseBool(),
    skipverify: looseBool(),
    v4auth: looseBool(),
    chunksize: looseCount(),
    multipartcopychunksize: looseCount(),
    multipartcopymaxconcurrency: looseCount(),
    multipartcopythresholdsize: looseCount(),
    storageclass: str(),
    objectacl: str(),
    useragent: str(),
    usedualstack: looseBool(),
    accelerate: looseBool(),
    // The AWS SDK's own request logging in registry:3; Berth logs through its logger instead.
    loglevel: str(),
  }),
  gcs: opaque(),
  azure: opaque(),
  delete: section({ enabled: bool() }),
  cache: section({
    blobdescriptor: str(),
    // Older spelling of blobdescriptor that distribution still reads.
    layerinfo: str(),
    blobdescriptorsize: count(),
  }),
  tag: section({ concurrencylimit: count() }),
  maintenance: section({
    uploadpurging: section({ enabled: bool(), age: duration(), interval: duration(), dryrun: bool() }),
    readonly: section({ enabled: bool() }),
  }),
  redirect: section({ disable: bool() }),
});

const http = section({
  addr: str(),
  net: choice(['tcp', 'unix']),
  host: str(),
  prefix: str(),
  secret: str(),
  relativeurls: bool(),
  draintimeout: duration(),
  headers: z.record(z.string(), strList().transform((v) => v ?? [])).nullish(),
  debug: section({
    addr: str(),
    prometheus: section({ enabled: bool(), path: str() }),
  }),
  tls: section({
    certificate: str(),
    key: str(),
    clientcas: strList(),
    clientauth: str(),
    minimumtls: minimumTls,
    ciphersuites: cipherSuites,
    letsencrypt: opaque(),
  }),
  http2: section({ disabled: bool() }),
  h2c: section({ enabled: bool() }),
});

export const configFileSchema = z.strictObject({
  version: z.union([z.string(), z.number()], { error: 'expected "0.1"' }).nullish(),
  log: section({
    level: choice(LOG_LEVELS),
    formatter: choice(['text', 'json', 'logstash']),
    fields: z.record(z.string(), z.unknown()).nullish(),
    accesslog: section({ disabled: bool() }),
    reportcaller: bool(),
    hooks: opaque(),
  }),
  /** Deprecated spelling of log.level. */
  loglevel: choice(LOG_LEVELS),
  storage,
  auth: section({
    htpasswd: section({ realm: str(), path: str() }),
    token: opaque(),
    silly: opaque(),
    none: opaque(),
  }),
  middleware: opaque(),
  reporting: opaque(),
  http,
  notifications: opaque(),
  // registry:2 wrote `addr`, registry:3 `addrs` (go-redis options). Only what Berth uses is
  // checked; the client's many tuning keys (pool, timeouts, tls…) are accepted as they are.
  redis: z.looseObject({ addr: str(), addrs: strList(), username: str(), password: str(), db: looseCount(), dialtimeout: duration() }).nullish(),
  health: section({
    storagedriver: section({ enabled: bool(), interval: duration(), threshold: count() }),
    file: opaque(),
    http: opaque(),
    tcp: opaque(),
  }),
  catalog: section({ maxentries: z.number().int().min(0).nullish() }),
  proxy: section({ remoteurl: str(), username: str(), password: str(), ttl: duration(), exec: opaque() }),
  compatibility: opaque(),
  validation: section({
    enabled: bool(),
    disabled: bool(),
    manifests: section({
      urls: section({ allow: strList(), deny: strList() }),
      indexes: section({
        platforms: choice(['all', 'none', 'list']),
        platformlist: z.array(z.strictObject({ os: z.string(), architecture: z.string() })).nullish(),
      }),
    }),
  }),
  policy: opaque(),
  /** Berth's own settings (one row each in the setting table); registry:3 ignores unknown top-level keys, so the file stays portable. */
  berth: berthSection,
});

/** config.yml after type checking, before defaults. */
export type ConfigFile = z.output<typeof configFileSchema>;
