// distribution's config.yml as people write it (docs/config.md is its reference), as a zod schema.
// Every object is strict: registry:3 silently ignores a misspelled key, Berth names it.
// Keys registry:3 knows but Berth does not implement are declared `opaque()` here so they are
// not reported as typos; compat.ts then refuses them or accepts them with a warning.
// Defaults are not applied here but in normalize.ts, which also turns durations into ms.
import { z } from 'zod';
import { LOG_LEVELS } from '../lib/logger';
import { ROLES } from '../../preload/contract/settings';
import { cipherSuiteProblem, KNOWN_CIPHER_SUITES } from './cipher-suites';
import { parseNonNegativeDuration } from './duration';
import { closest } from './suggest';

/** Schemas whose value is text; the loader turns `password: 0123` back into "0123" for them. */
export const STRING_FIELDS = new WeakSet<z.ZodType>();

function str() {
  const s = z.string();
  STRING_FIELDS.add(s);
  return s.nullish();
}

/** A list of strings; a single string is accepted as a one-element list. */
function strList() {
  const item = z.string();
  STRING_FIELDS.add(item);
  return z.preprocess((v) => (typeof v === 'string' || typeof v === 'number' ? [v] : v), z.array(item)).nullish();
}

const bool = () => z.boolean().nullish();
const count = () => z.number().int().min(0).nullish();

/** A Go duration string ("10s") or a bare integer of nanoseconds. */
function duration() {
  return z
    .union([z.string(), z.number()], { error: 'expected a duration such as "10s", "1h30m" or "168h"' })
    .superRefine((v, ctx) => {
      try {
        parseNonNegativeDuration(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    })
    .nullish();
}

/** A section registry:3 understands and Berth does not (or only partly); judged in compat.ts. */
const opaque = () => z.unknown().optional();

/** Case-insensitive choice, as distribution lower-cases these values before comparing. */
function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(values))
    .nullish();
}

const section = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape).nullish();

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
    // distribution reads driver parameters loosely, so "100" (e.g. from an env var) is a number too.
    maxthreads: z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.number().int().min(0)).nullish(),
  }),
  // The in-memory driver has no parameters (`inmemory:` with nothing after it is normal).
  inmemory: section({}),
  s3: opaque(),
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
  redis: opaque(),
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
  /** Berth's own settings; registry:3 ignores unknown top-level keys, so the file stays portable. */
  berth: section({
    manifestmaxbytes: z.number().int().min(1).nullish(),
    catalogrescan: duration(),
    auth: section({
      /** `pull` lets requests without credentials pull (a Docker daemon's registry-mirrors never sends any). */
      anonymous: choice(['none', 'pull']),
      defaultrole: choice(ROLES),
      roles: z.record(z.string(), z.string().transform((s) => s.toLowerCase()).pipe(z.enum(ROLES))).nullish(),
      /** How long a verified credential is trusted before bcrypt runs again. */
      credentialcache: duration(),
      /** Worker threads that run bcrypt (default min(2, cores)), so logins never stall the event loop. */
      bcryptworkers: z.number().int().min(1).max(64).nullish(),
      /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client for the login limiter. */
      trustedproxies: strList(),
    }),
    /** Limits on slow clients: headers must arrive in time, and a silent connection is closed. */
    http: section({
      headerstimeout: duration(),
      idletimeout: duration(),
      /** Browser origins (scheme://host[:port]) whose pages may send state-changing requests. */
      allowedorigins: strList(),
      /** Host header names accepted besides the listener's own (checked always on loopback). */
      allowedhosts: strList(),
      /** Request bodies averaging fewer bytes per second than this over minbodyratewindow are cut; 0 = off. */
      minbodyrate: count(),
      minbodyratewindow: duration(),
      /** Connections beyond this many open ones are dropped at once (Node's server.maxConnections); 0 = no cap. */
      maxconnections: count(),
    }),
    /** Caps on open blob upload sessions (each is a directory on disk until committed, cancelled or purged). */
    uploads: section({
      maxperrepository: count(),
      maxperclient: count(),
    }),
    proxy: section({
      /** Accept pushes while proxying (default true), under localnamespaces only; false makes the proxy read-only. */
      allowpush: bool(),
      /** Repository-name prefixes (e.g. team, ci/builds) pushed and served here, never asked upstream. */
      localnamespaces: strList(),
      /** Evict least-recently-used cached content above this size: bytes, or "10GB", "512MiB". */
      maxsize: z.union([z.number().int().min(0), z.string().regex(/^\s*\d+(\.\d+)?\s*([kmgt]i?b?|b)?\s*$/i, 'expected a size such as 10GB or 512MiB')]).nullish(),
      /** More upstreams, chosen by the first name component (e.g. ghcr.io/owner/image). */
      upstreams: z.array(z.strictObject({
        // No :port — repository names cannot contain ':', so such a prefix could never match
        // a name, and containerd's ?ns=host:port would make an invalid one.
        prefix: z.string().regex(/^[a-z0-9]+([.-][a-z0-9]+)*$/, 'expected a registry host such as ghcr.io (without a port: repository names cannot contain ":")'),
        remoteurl: z.string(),
        username: str(),
        password: str(),
        ttl: duration(),
      })).nullish(),
    }),
  }),
});

/** config.yml after type checking, before defaults. */
export type ConfigFile = z.output<typeof configFileSchema>;
